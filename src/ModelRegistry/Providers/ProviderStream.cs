using System.Net.Http.Headers;
using ModelRegistry.Internal;

namespace ModelRegistry.Providers;

/// <summary>
/// A streaming response as <see cref="ProviderTransport.StreamAsync{T}"/> hands it to the provider's decoder: the
/// headers, and a body whose every read is bounded by the stream idle timeout. Decoders bound each event by
/// <see cref="MaxEventBytes"/> (<see cref="ServerSentEventReader"/> does) and throw what <see cref="EventTooLarge"/>
/// returns beyond it.
/// </summary>
public sealed class ProviderStream
{
    private readonly HttpResponseMessage? _message;

    /// <summary>Creates a stream over a body, for decoders used outside a transport (tests, fuzzing).</summary>
    /// <param name="body">The body.</param>
    /// <param name="maxEventBytes">The largest event a decoder may buffer.</param>
    public ProviderStream(Stream body, long maxEventBytes)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEventBytes, 1);
        Body = body;
        MaxEventBytes = maxEventBytes;
    }

    internal ProviderStream(HttpResponseMessage message, Stream body, long maxEventBytes)
        : this(body, maxEventBytes)
    {
        _message = message;
    }

    /// <summary>The body.</summary>
    public Stream Body { get; }

    /// <summary>The largest single event a decoder may buffer (<see cref="ProviderResilienceOptions.MaxEventBytes"/>).</summary>
    public long MaxEventBytes { get; }

    /// <summary>The first value of a response or content header, or <see langword="null"/>.</summary>
    /// <param name="name">The header's name, any case.</param>
    public string? Header(string name) => _message is null ? null : HeaderValues.First(_message, name);

    /// <summary>The response headers, when the stream came from a transport.</summary>
    public HttpResponseHeaders? Headers => _message?.Headers;

    /// <summary>The exception a decoder throws when one event would exceed <see cref="MaxEventBytes"/>; the transport reports it as <see cref="ProviderErrorCodes.ResponseTooLarge"/>.</summary>
    /// <param name="what">The event's kind, e.g. <c>an SSE line</c>.</param>
    /// <param name="size">The size it reached or declared.</param>
    public Exception EventTooLarge(string what, long size) =>
        new ResponseTooLargeException($"{what} of {size} bytes or more exceeds the limit of {MaxEventBytes} bytes (resilience:max_event_bytes)");
}
