using ModelRegistry.Providers;

namespace ModelRegistry.Samples.Lambda.Runtime;

/// <summary>
/// The process environment, except that <c>_X_AMZN_TRACE_ID</c> is the trace header of the invocation the current flow
/// serves (<see cref="LambdaInvocationContext"/>): what the EMF middleware writes as a call's <c>TraceId</c>. With
/// concurrent invocations the bootstrap does not set the process variable, so this is how each call finds its own.
/// Outside an invocation it reads the process environment.
/// </summary>
internal sealed class InvocationEnvironment : EnvironmentProvider
{
    public const string TraceHeaderVariable = "_X_AMZN_TRACE_ID";

    private readonly EnvironmentProvider? _inner;

    /// <summary>Over the process environment.</summary>
    public InvocationEnvironment()
    {
    }

    /// <summary>Over another environment (tests).</summary>
    public InvocationEnvironment(EnvironmentProvider inner) => _inner = inner;

    protected override string? Read(string name)
    {
        if (name == TraceHeaderVariable && LambdaInvocationContext.Current is { } invocation)
        {
            return invocation.TraceId;
        }

        return _inner is null ? base.Read(name) : _inner.Get(name);
    }
}
