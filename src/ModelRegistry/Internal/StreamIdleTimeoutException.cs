namespace ModelRegistry.Internal;

/// <summary>A stream sent nothing for its idle timeout; the transport reports it as <c>stream_idle_timeout</c>.</summary>
internal sealed class StreamIdleTimeoutException : TimeoutException
{
    public StreamIdleTimeoutException()
    {
    }

    public StreamIdleTimeoutException(string message)
        : base(message)
    {
    }

    public StreamIdleTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
