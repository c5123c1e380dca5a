namespace ModelRegistry.Internal;

/// <summary>A body or an event passed its size limit; the transport reports it as <c>response_too_large</c>.</summary>
internal sealed class ResponseTooLargeException : Exception
{
    public ResponseTooLargeException()
    {
    }

    public ResponseTooLargeException(string message)
        : base(message)
    {
    }

    public ResponseTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
