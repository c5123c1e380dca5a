namespace ModelRegistry.Providers;

/// <summary>
/// One call a provider sends through <see cref="ProviderTransport"/>. The transport builds a fresh
/// <see cref="HttpRequestMessage"/> from it for every attempt (and <see cref="Authorize"/> signs each one), so the
/// description must not change once sent.
/// </summary>
public sealed class ProviderRequest
{
    /// <summary>The HTTP method.</summary>
    public required HttpMethod Method { get; init; }

    /// <summary>The absolute URL. Build paths with <see cref="PathSegment"/>, never by concatenating caller text.</summary>
    public required Uri Uri { get; init; }

    /// <summary>The body, or <see langword="null"/> for none.</summary>
    public ReadOnlyMemory<byte>? Body { get; init; }

    /// <summary>The body's media type. Default <c>application/json</c>.</summary>
    public string ContentType { get; init; } = "application/json";

    /// <summary>The <c>Accept</c> header. Default <c>application/json</c>.</summary>
    public string Accept { get; init; } = "application/json";

    /// <summary>More headers, sent on every attempt. Values of credential headers are scrubbed from every error.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>Authorises each attempt's request (e.g. signs it with SigV4), after the headers and body are set.</summary>
    public Func<HttpRequestMessage, CancellationToken, ValueTask>? Authorize { get; init; }

    /// <summary>
    /// Percent-encodes caller or registry text (a model id, an agent id) as exactly one path segment: <c>/</c>, <c>:</c>,
    /// <c>?</c>, <c>#</c> and everything outside <c>A-Z a-z 0-9 - _ . ~</c> are encoded, and the dot segments <c>.</c> and
    /// <c>..</c> (which a URL would resolve away) are refused.
    /// </summary>
    /// <param name="value">The text.</param>
    /// <param name="what">What it is, for the error, e.g. <c>ChatOptions.ModelId</c>.</param>
    /// <exception cref="ArgumentException">The text is empty, a dot segment or holds control characters.</exception>
    public static string PathSegment(string value, string what)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (string.IsNullOrWhiteSpace(value) || value is "." or ".." || HasControl(value))
        {
            throw new ArgumentException(
                $"{what} must be a model or resource id, but is empty, '.' or '..', or holds control characters. Name the model, e.g. \"mistral-large-latest\".",
                nameof(value));
        }

        return Uri.EscapeDataString(value);
    }

    /// <summary>Whether text holds a control character (as <see cref="char.IsControl(char)"/>: U+0000–U+001F, U+007F–U+009F).</summary>
    private static bool HasControl(string value) =>
        value.AsSpan().IndexOfAnyInRange('\u0000', '\u001f') >= 0 || value.AsSpan().IndexOfAnyInRange('\u007f', '\u009f') >= 0;
}
