namespace ModelRegistry.Internal;

/// <summary>An attempt ran past <see cref="ProviderResilienceOptions.AttemptTimeout"/>; the transport retries it and reports it as <c>timeout</c>.</summary>
internal sealed class AttemptTimeoutException : TimeoutException
{
    public AttemptTimeoutException()
    {
    }

    public AttemptTimeoutException(string message)
        : base(message)
    {
    }

    public AttemptTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
