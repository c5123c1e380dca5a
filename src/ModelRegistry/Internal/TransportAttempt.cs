namespace ModelRegistry.Internal;

/// <summary>
/// What one attempt got: the response with its body read (unless it is a successful stream), and for an error, the
/// provider's reading of it and how long it asks to wait. The retry policy disposes attempts it retries.
/// </summary>
internal sealed class TransportAttempt(HttpResponseMessage response, PooledBuffer body) : IDisposable
{
    private PooledBuffer _body = body;
    private bool _handedOver;

    public HttpResponseMessage Response { get; } = response;

    public bool IsSuccess => Response.IsSuccessStatusCode;

    public Providers.ProviderError Error { get; init; }

    public bool IsRetryable { get; init; }

    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Hands the response and body to a <see cref="Providers.ProviderResponse"/>, which then owns them.</summary>
    public Providers.ProviderResponse ToResponse()
    {
        _handedOver = true;
        return new Providers.ProviderResponse(Response, _body);
    }

    /// <summary>The body as read, for error parsing; valid until disposal.</summary>
    public Providers.ProviderResponse Peek() => new(Response, _body, owns: false);

    public void Dispose()
    {
        if (!_handedOver)
        {
            _handedOver = true;
            _body.Dispose();
            Response.Dispose();
        }
    }
}
