namespace ModelRegistry.Providers;

/// <summary>
/// What an HTTP API's calls repeat, kept between them: the URI of a path under the API's base (the last one built is
/// kept, as a client's calls mostly go to one path) and the headers that carry the key (built once per key; a rotated
/// key gets new ones and is added to the transport's secrets, so no error repeats it). Safe for concurrent calls.
/// </summary>
public sealed class ProviderRequestParts
{
    private readonly Uri _base;
    private readonly ProviderTransport _transport;
    private readonly Func<string, KeyValuePair<string, string>[]> _headers;
    private volatile PathUri? _lastUri;
    private volatile KeyHeaders? _lastHeaders;

    /// <summary>Creates the parts of one API.</summary>
    /// <param name="baseAddress">The API's base address; paths resolve against it (end it with <c>/</c> to keep its last segment).</param>
    /// <param name="transport">The transport whose secrets learn each key.</param>
    /// <param name="headers">The headers a key travels in, e.g. <see cref="Bearer"/>; called once per key.</param>
    public ProviderRequestParts(Uri baseAddress, ProviderTransport transport, Func<string, KeyValuePair<string, string>[]> headers)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(headers);
        _base = baseAddress;
        _transport = transport;
        _headers = headers;
    }

    /// <summary>The <c>Authorization: Bearer</c> header for a key.</summary>
    /// <param name="key">The key.</param>
    public static KeyValuePair<string, string>[] Bearer(string key) => [new("Authorization", "Bearer " + key)];

    /// <summary>The URI of a path under the base address (build paths from caller text with <see cref="ProviderRequest.PathSegment"/>).</summary>
    /// <param name="path">The relative path.</param>
    public Uri UriOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (_lastUri is { } last && string.Equals(last.Path, path, StringComparison.Ordinal))
        {
            return last.Uri;
        }

        var uri = new Uri(_base, path);
        _lastUri = new PathUri(path, uri);
        return uri;
    }

    /// <summary>The headers for a key, built once while the key stays the same.</summary>
    /// <param name="key">The key, as read from its <see cref="ProviderApiKey"/>.</param>
    public IReadOnlyList<KeyValuePair<string, string>> HeadersFor(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_lastHeaders is { } last && string.Equals(last.Key, key, StringComparison.Ordinal))
        {
            return last.Headers;
        }

        _transport.AddSecret(key);
        var headers = new KeyHeaders(key, _headers(key));
        _lastHeaders = headers;
        return headers.Headers;
    }

    private sealed record PathUri(string Path, Uri Uri);

    /// <summary>A key and its headers; never printed.</summary>
    private sealed record KeyHeaders(string Key, KeyValuePair<string, string>[] Headers)
    {
        public override string ToString() => "Key headers ***";
    }
}
