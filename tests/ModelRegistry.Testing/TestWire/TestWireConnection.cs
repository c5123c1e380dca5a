using ModelRegistry.Providers;

namespace ModelRegistry.Testing.TestWire;

/// <summary>
/// Where and how a testwire client sends: the kit's transport, the endpoint and the API key, the same for a registry
/// entry and for direct use. Every path is built here, the model id as one encoded segment.
/// </summary>
internal sealed class TestWireConnection
{
    public static readonly ProviderTransportOptions Protocol = new()
    {
        ProviderName = TestWireProvider.ProviderName,
        DisplayName = "TestWire",
        HttpClientName = "ModelRegistry.TestWire",
        ParseError = response => ProviderError.Read(response).WithContextWindowCode(),
    };

    /// <summary>Where an entry without <c>endpoint</c> sends: a name that never resolves, so a forgotten endpoint fails fast.</summary>
    public static readonly Uri DefaultEndpoint = new("http://testwire.invalid/");

    /// <summary>The environment variable holding the key when neither the entry nor the options name one.</summary>
    public const string ApiKeyVariable = "TESTWIRE_API_KEY";

    private readonly ProviderApiKey _key;

    private TestWireConnection(ProviderTransport transport, Uri endpoint, ProviderApiKey key)
    {
        Transport = transport;
        Endpoint = endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
        _key = key;
    }

    public ProviderTransport Transport { get; }

    public Uri Endpoint { get; }

    public static TestWireConnection ForEntry(ModelEntry entry, IServiceProvider services, TestWireClientOptions? defaults) => new(
        ProviderTransport.ForEntry(Protocol, entry, services, defaults),
        TestWireSettings.Endpoint.TryGetValue(entry, out var endpoint) ? endpoint : defaults?.Endpoint ?? DefaultEndpoint,
        ProviderApiKey.ForEntry(entry, services, TestWireSettings.ApiKey, defaults, [ApiKeyVariable]));

    public static TestWireConnection ForClient(TestWireClientOptions options) => new(
        ProviderTransport.ForClient(Protocol, options),
        options.Endpoint ?? DefaultEndpoint,
        ProviderApiKey.ForClient(options, [ApiKeyVariable]));

    /// <summary><c>{endpoint}v1/models/{model}</c>, with <c>/{action}</c> when given.</summary>
    /// <exception cref="ArgumentException">The model id is empty, <c>.</c>, <c>..</c> or holds control characters.</exception>
    public Uri ModelUri(string modelId, string what, string? action = null) =>
        new(Endpoint, $"v1/models/{ProviderRequest.PathSegment(modelId, what)}{(action is null ? string.Empty : "/" + action)}");

    /// <summary>A request with the key as a bearer token when one is configured (none is fine for a test server).</summary>
    public async ValueTask<ProviderRequest> CreateRequestAsync(HttpMethod method, Uri uri, byte[]? body, bool stream, CancellationToken cancellationToken)
    {
        var key = await _key.GetAsync(cancellationToken).ConfigureAwait(false);
        Transport.AddSecret(key);
        return new ProviderRequest
        {
            Method = method,
            Uri = uri,
            Body = body,
            Accept = stream ? "text/event-stream" : "application/json",
            Headers = key is null ? [] : [new("Authorization", "Bearer " + key)],
        };
    }
}
