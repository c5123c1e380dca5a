using System.Diagnostics;
using System.Globalization;
using ModelRegistry.Providers;

namespace ModelRegistry.Fuzz;

/// <summary>
/// Runs inputs through the public clients and judges them. Allocation is measured per input with
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/>: the in-memory server answers synchronously, so a call normally
/// completes before it returns, on the worker's thread, and every byte it allocated is counted there. A call that did
/// not complete synchronously (something went asynchronous) is run again alone — every other worker paused — and
/// measured with the precise process-wide counter instead, so no input escapes measurement.
/// </summary>
internal sealed class FuzzRun
{
    /// <summary>An input that allocates more than this fails.</summary>
    public const long AllocationLimit = 64L << 20;

    /// <summary>The event limit the clients run with (but for inputs with the kit's defaults): small, so the fuzzer reaches it.</summary>
    public const long MaxEventBytes = 32L << 10;

    /// <summary>The body limit the clients run with (but for inputs with the kit's defaults).</summary>
    public const long MaxResponseBytes = 1L << 20;

    private readonly ReaderWriterLockSlim _gate = new(LockRecursionPolicy.NoRecursion);

    public FuzzRun(Secrets secrets)
    {
        Secrets = secrets;
    }

    public Secrets Secrets { get; }

    /// <summary>How long one input may take, in real time.</summary>
    public TimeSpan HangGuard { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The clients' resilience: one retry without delay (a Retry-After above zero is not waited for, so nothing sleeps),
    /// the kit's timeouts, and small body and event limits so they are reached, or the kit's defaults (64 MiB, 16 MiB)
    /// so what a decoder does with what it is allowed to take shows.
    /// </summary>
    public static ProviderResilienceOptions Resilience(bool defaultLimits)
    {
        var options = new ProviderResilienceOptions
        {
            MaxRetries = 1,
            BaseDelay = TimeSpan.Zero,
            MaxDelay = TimeSpan.Zero,
            UseJitter = false,
            MaxRetryAfter = TimeSpan.Zero,
            AttemptTimeout = TimeSpan.FromSeconds(30),
            StreamIdleTimeout = TimeSpan.FromSeconds(30),
        };
        if (!defaultLimits)
        {
            options.MaxResponseBytes = MaxResponseBytes;
            options.MaxEventBytes = MaxEventBytes;
        }

        return options;
    }

    /// <summary>Runs one input on the worker's thread and judges it.</summary>
    public Outcome Execute(Worker worker, FuzzTarget target, FuzzInput input) => Execute(worker, worker.Call(target, input.Call, input.DefaultLimits), input);

    public Outcome Execute(Worker worker, FuzzCall call, FuzzInput input)
    {
        Prepare(worker, input);
        Task<string?> task;
        long allocated;
        bool synchronous;
        bool finished;
        _gate.EnterReadLock();
        try
        {
            worker.StartedAt = Stopwatch.GetTimestamp();
            var before = GC.GetAllocatedBytesForCurrentThread();
            task = Start(call);
            synchronous = task.IsCompleted;
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            finished = synchronous || Wait(task);
        }
        finally
        {
            worker.StartedAt = 0;
            _gate.ExitReadLock();
        }

        if (!finished)
        {
            return new Outcome(OutcomeKind.Hang, "hang", null, allocated, synchronous, null);
        }

        if (!synchronous)
        {
            (task, allocated, finished) = RunAlone(worker, call, input);
            if (!finished)
            {
                return new Outcome(OutcomeKind.Hang, "hang", null, allocated, synchronous, null);
            }
        }

        var delivered = FuzzBodyStream.Delivered(input);
        return Judge(call, task, allocated, synchronous, worker.Logs.Leak, delivered) with { Delivered = delivered.Length };
    }

    /// <summary>Runs an input again with every other worker paused, counting the whole process's allocations.</summary>
    private (Task<string?> Task, long Allocated, bool Finished) RunAlone(Worker worker, FuzzCall call, FuzzInput input)
    {
        _gate.EnterWriteLock();
        try
        {
            Prepare(worker, input);
            worker.StartedAt = Stopwatch.GetTimestamp();
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var task = Start(call);
            var finished = Wait(task);
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            return (task, allocated, finished);
        }
        finally
        {
            worker.StartedAt = 0;
            _gate.ExitWriteLock();
        }
    }

    private static void Prepare(Worker worker, FuzzInput input)
    {
        worker.Input = input;
        worker.Handler.Current = input;
        worker.Handler.Requests = 0;
        worker.Logs.Leak = null;
    }

    private Outcome Judge(FuzzCall call, Task<string?> task, long allocated, bool synchronous, string? log, byte[] answer)
    {
        var error = task.IsFaulted ? task.Exception!.InnerException : task.IsCanceled ? new TaskCanceledException(task) : null;
        var leak = Secrets.FindIn(log, answer) is null ? null : "log: " + log;
        if (error is null)
        {
            var text = task.Result;
            leak ??= Secrets.FindIn(text, answer) is null ? null : "result: " + text;
            return new Outcome(OutcomeKind.Ok, "ok", null, allocated, synchronous, leak);
        }

        leak ??= Secrets.FindIn(error.Message, answer) is null ? null : "message: " + error.Message;
        leak ??= error is ModelProviderException { ErrorCode: { } code } && Secrets.FindIn(code, answer) is not null ? "error code: " + code : null;
        if (error is ModelProviderException provider && !call.NeverThrows)
        {
            var label = provider.ErrorCode ?? (provider.StatusCode is { } status ? "HTTP " + status.ToString(CultureInfo.InvariantCulture) : "no code");
            return new Outcome(OutcomeKind.ProviderError, label, error, allocated, synchronous, leak);
        }

        return new Outcome(OutcomeKind.Escape, "escape " + error.GetType().Name, error, allocated, synchronous, leak);
    }

    private static Task<string?> Start(FuzzCall call)
    {
        try
        {
            return call.Run();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return Task.FromException<string?>(ex);
        }
    }

    private bool Wait(Task task)
    {
        try
        {
            return task.Wait(HangGuard);
        }
        catch (AggregateException)
        {
            return true;
        }
    }
}
