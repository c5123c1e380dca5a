using System.Globalization;
using Microsoft.Extensions.Logging;

namespace ModelRegistry.Samples.Lambda.Runtime;

/// <summary>
/// The custom runtime's loop: next → handler → response or error → flush, in <c>maxConcurrency</c> loops at once
/// (<c>AWS_LAMBDA_MAX_CONCURRENCY</c>; 1, the default, serves one invocation at a time). Each invocation runs under its
/// own token cancelled shortly before its own deadline, with the request id, function ARN and trace id in its log
/// scope and in <see cref="LambdaInvocationContext"/>. Only with one loop is the process-wide <c>_X_AMZN_TRACE_ID</c>
/// set too (as Lambda's own runtimes do); with several it would be another invocation's, so it is left alone. A failing
/// handler becomes an invocation error (type <c>Function.X</c>) and the loop serves the next one.
/// </summary>
internal sealed partial class LambdaBootstrap(
    LambdaRuntimeClient client,
    Func<LambdaInvocation, CancellationToken, Task<byte[]>> handler,
    ILogger logger,
    TimeProvider time,
    int maxConcurrency = 1,
    Action? afterInvocation = null)
{
    /// <summary>The variable naming how many invocations the process serves at once.</summary>
    public const string MaxConcurrencyVariable = "AWS_LAMBDA_MAX_CONCURRENCY";

    /// <summary>A sanity bound on <see cref="MaxConcurrencyVariable"/>: each loop holds a connection and a thread at times.</summary>
    public const int MaxConcurrencyLimit = 1024;

    /// <summary>Time kept back from the deadline to report a timeout before Lambda kills the process.</summary>
    private static readonly TimeSpan DeadlineMargin = TimeSpan.FromMilliseconds(500);

    /// <summary>Reads <see cref="MaxConcurrencyVariable"/>: unset is 1; anything but a whole number in range is an error naming it.</summary>
    public static int ParseMaxConcurrency(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return 1;
        }

        return int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count is >= 1 and <= MaxConcurrencyLimit
            ? count
            : throw new InvalidOperationException(
                $"{MaxConcurrencyVariable} is '{value}', which is not a whole number from 1 to {MaxConcurrencyLimit}. " +
                $"Set it to how many invocations this process may serve at once (1 serves one at a time), or unset it.");
    }

    /// <summary>
    /// Serves invocations until <paramref name="stop"/> is cancelled (then it throws <see cref="OperationCanceledException"/>,
    /// whether it was waiting for the next invocation or between two) or a loop fails (the Runtime API failed fatally or
    /// answered <c>next</c> wrongly): then the other loops are stopped and that failure is thrown.
    /// </summary>
    public async Task RunAsync(CancellationToken stop)
    {
        if (maxConcurrency == 1)
        {
            await LoopAsync(setProcessTraceId: true, stop).ConfigureAwait(false);
            return;
        }

        using var stopAll = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var loops = new Task[maxConcurrency];
        for (var i = 0; i < loops.Length; i++)
        {
            loops[i] = Task.Run(async () =>
            {
                try
                {
                    await LoopAsync(setProcessTraceId: false, stopAll.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    await stopAll.CancelAsync().ConfigureAwait(false);
                    throw;
                }
            }, CancellationToken.None);
        }

        // A failed loop has cancelled the others; Task.WhenAll then throws that failure, not their cancellations.
        await Task.WhenAll(loops).ConfigureAwait(false);
    }

    private async Task LoopAsync(bool setProcessTraceId, CancellationToken stop)
    {
        while (true)
        {
            stop.ThrowIfCancellationRequested();
            var invocation = await client.NextAsync(stop).ConfigureAwait(false);
            await InvokeAsync(invocation, setProcessTraceId, stop).ConfigureAwait(false);
            Flush();
        }
    }

    /// <summary>Runs one invocation and posts its outcome.</summary>
    private async Task InvokeAsync(LambdaInvocation invocation, bool setProcessTraceId, CancellationToken stop)
    {
        if (setProcessTraceId)
        {
            Environment.SetEnvironmentVariable(InvocationEnvironment.TraceHeaderVariable, invocation.TraceId);
        }

        LambdaInvocationContext.Current = invocation; // flows into the handler; this method's own context ends with it
        using var scope = logger.BeginScope(new InvocationScope(invocation));
        var remaining = invocation.Deadline == DateTimeOffset.MaxValue
            ? Timeout.InfiniteTimeSpan
            : invocation.Deadline - time.GetUtcNow() - DeadlineMargin;
        using var deadline = remaining == Timeout.InfiniteTimeSpan
            ? new CancellationTokenSource()
            : new CancellationTokenSource(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, stop);
        byte[] payload;
        try
        {
            payload = await handler(invocation, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not RuntimeApiFatalException)
        {
            var (type, message) = ex switch
            {
                OperationCanceledException when deadline.IsCancellationRequested =>
                    ("Function.Timeout", $"The invocation ran out of time before its deadline ({invocation.Deadline:O})."),
                FunctionErrorException function => (ErrorType(function.ErrorType), function.Message),
                _ => (ErrorType(ex.GetType().Name), ex.Message),
            };
            Log.InvocationFailed(logger, type, ex);
            await client.ReportErrorAsync(invocation.RequestId, type, message, stop).ConfigureAwait(false);
            return;
        }

        await client.RespondAsync(invocation.RequestId, payload, stop).ConfigureAwait(false);
    }

    /// <summary>
    /// An error type the platform passes on: Lambda (and its Runtime Interface Emulator) keeps only <c>Function.X</c> and
    /// <c>Runtime.X</c> shaped types, so any other is reported as <c>Function.X</c>.
    /// </summary>
    internal static string ErrorType(string type) =>
        type.StartsWith("Function.", StringComparison.Ordinal) || type.StartsWith("Runtime.", StringComparison.Ordinal) ? type : "Function." + type;

    /// <summary>Runs the after-invocation hook (the trace flush) after the outcome is posted; its failure is logged, not fatal.</summary>
    private void Flush()
    {
        if (afterInvocation is null)
        {
            return;
        }

        try
        {
            afterInvocation();
        }
        catch (Exception ex)
        {
            Log.FlushFailed(logger, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Invocation failed with {ErrorType}.")]
        public static partial void InvocationFailed(ILogger logger, string errorType, Exception exception);

        [LoggerMessage(2, LogLevel.Warning, "Flushing after the invocation failed; its spans may leave later or be lost.")]
        public static partial void FlushFailed(ILogger logger, Exception exception);
    }
}
