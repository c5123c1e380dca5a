using Microsoft.Extensions.Logging;

namespace ModelRegistry.Samples.Lambda.Runtime;

/// <summary>
/// The custom runtime's loop: next → handler → response or error, one invocation at a time. Each invocation runs
/// under a token cancelled shortly before its deadline, with <c>_X_AMZN_TRACE_ID</c> set and the request id, function
/// ARN and trace id in the log scope. A failing handler becomes an invocation error and the loop serves the next one.
/// </summary>
internal sealed partial class LambdaBootstrap(
    LambdaRuntimeClient client,
    Func<LambdaInvocation, CancellationToken, Task<byte[]>> handler,
    ILogger logger,
    TimeProvider time)
{
    /// <summary>Time kept back from the deadline to report a timeout before Lambda kills the process.</summary>
    private static readonly TimeSpan DeadlineMargin = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Serves invocations until <paramref name="stop"/> is cancelled (then it throws <see cref="OperationCanceledException"/>,
    /// whether it was waiting for the next invocation or between two) or the Runtime API fails fatally.
    /// </summary>
    public async Task RunAsync(CancellationToken stop)
    {
        while (true)
        {
            stop.ThrowIfCancellationRequested();
            var invocation = await client.NextAsync(stop).ConfigureAwait(false);
            await InvokeAsync(invocation, stop).ConfigureAwait(false);
        }
    }

    /// <summary>Runs one invocation and posts its outcome.</summary>
    public async Task InvokeAsync(LambdaInvocation invocation, CancellationToken stop)
    {
        Environment.SetEnvironmentVariable("_X_AMZN_TRACE_ID", invocation.TraceId);
        using var scope = logger.BeginScope(new Dictionary<string, object?>
        {
            ["AwsRequestId"] = invocation.RequestId,
            ["InvokedFunctionArn"] = invocation.FunctionArn,
            ["TraceId"] = invocation.TraceId,
        });
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
                FunctionErrorException function => (function.ErrorType, function.Message),
                _ => (ex.GetType().Name, ex.Message),
            };
            Log.InvocationFailed(logger, type, ex);
            await client.ReportErrorAsync(invocation.RequestId, type, message, stop).ConfigureAwait(false);
            return;
        }

        await client.RespondAsync(invocation.RequestId, payload, stop).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Invocation failed with {ErrorType}.")]
        public static partial void InvocationFailed(ILogger logger, string errorType, Exception exception);
    }
}
