using System.Net.Http.Headers;
using ModelRegistry.Internal;

namespace ModelRegistry.Providers;

/// <summary>
/// A complete response the transport read inside its attempt: status, headers and the whole body (bounded by
/// <see cref="ProviderResilienceOptions.MaxResponseBytes"/>). The body lives in a pooled buffer: dispose the response
/// when done, and do not keep <see cref="Body"/> past it.
/// </summary>
public sealed class ProviderResponse : IDisposable
{
    private readonly HttpResponseMessage _message;
    private readonly bool _owns;
    private PooledBuffer _body;

    internal ProviderResponse(HttpResponseMessage message, PooledBuffer body, bool owns = true)
    {
        _message = message;
        _body = body;
        _owns = owns;
    }

    /// <summary>The HTTP status.</summary>
    public int StatusCode => (int)_message.StatusCode;

    /// <summary>The status's reason phrase, or its name.</summary>
    public string ReasonPhrase => string.IsNullOrEmpty(_message.ReasonPhrase) ? _message.StatusCode.ToString() : _message.ReasonPhrase;

    /// <summary>The response headers.</summary>
    public HttpResponseHeaders Headers => _message.Headers;

    /// <summary>The body's headers (<c>Content-Type</c>...).</summary>
    public HttpContentHeaders ContentHeaders => _message.Content.Headers;

    /// <summary>The body; empty when there was none.</summary>
    public ReadOnlyMemory<byte> Body => _body.Memory;

    /// <summary>The first value of a response or content header, or <see langword="null"/>.</summary>
    /// <param name="name">The header's name, any case.</param>
    public string? Header(string name) => HeaderValues.First(_message, name);

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_owns)
        {
            return;
        }

        _body.Dispose();
        _body = default;
        _message.Dispose();
    }
}
