using System.Diagnostics;
using System.Globalization;
using ModelRegistry.Providers;

namespace ModelRegistry.Fuzz;

/// <summary>What one input did.</summary>
internal enum OutcomeKind
{
    /// <summary>The call returned.</summary>
    Ok,

    /// <summary>The call failed with <see cref="ModelProviderException"/>: the contract.</summary>
    ProviderError,

    /// <summary>Any other exception (or any exception from a call that must not throw).</summary>
    Escape,

    /// <summary>The call did not finish within the hang guard.</summary>
    Hang,
}

/// <summary>The result of running one input.</summary>
internal sealed record Outcome(OutcomeKind Kind, string Label, Exception? Error, long Allocated, bool Synchronous, string? Leak)
{
    /// <summary>How many bytes of the body the client received.</summary>
    public long Delivered { get; init; }

    /// <summary>
    /// More than 64 MB, or an allocation driven by what the answer claims rather than what it holds: more than 8 MB and
    /// over 256 times the bytes received (parsing takes some 20 times at most).
    /// </summary>
    public bool IsBigAllocation => Allocated > FuzzRun.AllocationLimit
        || (Allocated > FuzzRun.AllocationLimit / 8 && Allocated > 256 * Math.Max(Delivered, 1));

    public bool IsFailure => Kind is OutcomeKind.Escape or OutcomeKind.Hang || IsBigAllocation || Leak is not null;
}

/// <summary>A worker's own client stack over its own in-memory server.</summary>
internal sealed class Worker
{
    private readonly Dictionary<string, FuzzCall> _calls = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FuzzCall> _defaultLimitCalls = new(StringComparer.Ordinal);
    private long _startedAt;

    public Worker(IReadOnlyList<FuzzProvider> providers, Secrets secrets, int targetCount)
    {
        Handler = new FuzzHandler();
        Http = new HttpClient(Handler) { Timeout = Timeout.InfiniteTimeSpan };
        Logs = new CanaryLoggerFactory(secrets);
        foreach (var provider in providers)
        {
            foreach (var (name, call) in provider.Bind(Http, Logs, FuzzRun.Resilience(defaultLimits: false)))
            {
                _calls[provider.Name + "/" + name] = call;
            }

            foreach (var (name, call) in provider.Bind(Http, Logs, FuzzRun.Resilience(defaultLimits: true)))
            {
                _defaultLimitCalls[provider.Name + "/" + name] = call;
            }
        }

        Stats = [.. Enumerable.Range(0, targetCount).Select(_ => new TargetStats())];
    }

    public FuzzHandler Handler { get; }

    public HttpClient Http { get; }

    public CanaryLoggerFactory Logs { get; }

    public TargetStats[] Stats { get; }

    /// <summary>The input being run, for the watchdog.</summary>
    public FuzzInput? Input { get; set; }

    /// <summary>When the current input started (Stopwatch ticks), 0 when idle.</summary>
    public long StartedAt
    {
        get => Volatile.Read(ref _startedAt);
        set => Volatile.Write(ref _startedAt, value);
    }

    public FuzzCall Call(FuzzTarget target, string call, bool defaultLimits = false) =>
        (defaultLimits ? _defaultLimitCalls : _calls).TryGetValue(target.Provider.Name + "/" + call, out var found)
            ? found
            : throw new InvalidOperationException($"Target {target.Name} has no call '{call}'.");
}

/// <summary>One worker's counts for one target (merged for the report).</summary>
internal sealed class TargetStats
{
    public long Inputs;
    public long Ticks;
    public long Failures;
    public long Escapes;
    public long Hangs;
    public long BigAllocations;
    public long Leaks;
    public long Remeasured;
    public long MaxAllocated;
    public double MaxAmplification;
    public long MaxTicks;

    public Dictionary<string, long> Labels { get; } = new(StringComparer.Ordinal);

    public void Add(Outcome outcome, long ticks, int bodyLength)
    {
        Inputs++;
        Ticks += ticks;
        Escapes += outcome.Kind == OutcomeKind.Escape ? 1 : 0;
        Hangs += outcome.Kind == OutcomeKind.Hang ? 1 : 0;
        BigAllocations += outcome.IsBigAllocation ? 1 : 0;
        Leaks += outcome.Leak is null ? 0 : 1;
        Failures += outcome.IsFailure ? 1 : 0;
        Remeasured += outcome.Synchronous ? 0 : 1;
        MaxAllocated = Math.Max(MaxAllocated, outcome.Allocated);
        MaxAmplification = Math.Max(MaxAmplification, outcome.Allocated / (double)Math.Max(4096, bodyLength));
        MaxTicks = Math.Max(MaxTicks, ticks);
        Labels[outcome.Label] = Labels.GetValueOrDefault(outcome.Label) + 1;
    }

    public void Merge(TargetStats other)
    {
        Inputs += other.Inputs;
        Ticks += other.Ticks;
        Failures += other.Failures;
        Escapes += other.Escapes;
        Hangs += other.Hangs;
        BigAllocations += other.BigAllocations;
        Leaks += other.Leaks;
        Remeasured += other.Remeasured;
        MaxAllocated = Math.Max(MaxAllocated, other.MaxAllocated);
        MaxAmplification = Math.Max(MaxAmplification, other.MaxAmplification);
        MaxTicks = Math.Max(MaxTicks, other.MaxTicks);
        foreach (var (label, count) in other.Labels)
        {
            Labels[label] = Labels.GetValueOrDefault(label) + count;
        }
    }
}

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
