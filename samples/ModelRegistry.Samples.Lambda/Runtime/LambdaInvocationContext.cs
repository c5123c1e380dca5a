namespace ModelRegistry.Samples.Lambda.Runtime;

/// <summary>
/// The invocation the current asynchronous flow serves. It flows with the ExecutionContext (an AsyncLocal), so with
/// several invocations at once each handler, middleware and log line sees its own, where the process-wide
/// <c>_X_AMZN_TRACE_ID</c> variable could hold only one.
/// </summary>
internal static class LambdaInvocationContext
{
    private static readonly AsyncLocal<LambdaInvocation?> CurrentInvocation = new();

    /// <summary>The invocation being served, or <see langword="null"/> outside one.</summary>
    public static LambdaInvocation? Current
    {
        get => CurrentInvocation.Value;
        internal set => CurrentInvocation.Value = value;
    }
}
