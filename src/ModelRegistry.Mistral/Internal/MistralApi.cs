using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelRegistry.Providers;

namespace ModelRegistry.Mistral.Internal;

/// <summary>
/// One configured way to reach the Mistral API: the kit's transport, the <c>/v1/</c> base address and where the key comes
/// from. Shared by the chat clients, the embedding generator and the model probe of one entry or one <see cref="MistralClient"/>.
/// </summary>
internal sealed class MistralApi
{
    /// <summary>The header by which the API flags a deprecated model, with its retirement date.</summary>
    public const string DeprecationHeader = "x-model-deprecation-timestamp";

    private readonly ProviderApiKey _key;
    private readonly ProviderRequestParts _parts;

    private MistralApi(ProviderTransport transport, Uri endpoint, ProviderApiKey key)
    {
        Transport = transport;
        Endpoint = endpoint;
        _key = key;
        _parts = new ProviderRequestParts(ApiBase(endpoint), transport, ProviderRequestParts.Bearer);
    }

    /// <summary>The transport every call goes through.</summary>
    public ProviderTransport Transport { get; }

    /// <summary>The configured endpoint, as given (for metadata).</summary>
    public Uri Endpoint { get; }

    /// <summary>The API of a registry entry: its <c>endpoint</c> (or <c>base_url</c>) and <c>api_key</c> over the <c>AddMistral</c> defaults. Does no I/O.</summary>
    public static MistralApi ForEntry(ModelEntry entry, IServiceProvider services)
    {
        var defaults = services.GetService<IOptions<MistralClientOptions>>()?.Value ?? new MistralClientOptions();
        var endpoint = MistralProtocol.Endpoint.TryGetValue(entry, out var configured) || MistralProtocol.BaseUrl.TryGetValue(entry, out configured)
            ? configured
            : CheckEndpoint(defaults.Endpoint, "MistralClientOptions.Endpoint (set in AddMistral)");
        return new MistralApi(
            ProviderTransport.ForEntry(MistralProtocol.Transport, entry, services, defaults),
            endpoint,
            ProviderApiKey.ForEntry(entry, services, MistralProtocol.ApiKey, defaults, [MistralProtocol.ApiKeyVariable], MistralProtocol.ApiKeyParameterVariable));
    }

    /// <summary>The API for direct use. Does no I/O.</summary>
    /// <exception cref="ArgumentException">The endpoint is not an absolute http(s) URL.</exception>
    public static MistralApi ForClient(MistralClientOptions options) => new(
        ProviderTransport.ForClient(MistralProtocol.Transport, options),
        CheckEndpoint(options.Endpoint, "MistralClientOptions.Endpoint"),
        ProviderApiKey.ForClient(options, [MistralProtocol.ApiKeyVariable]));

    /// <summary>
    /// Describes a call to a path under <c>/v1/</c>, with the key (read on the first call, then cached by its source) as bearer token.
    /// Build paths from caller text with <see cref="ProviderRequest.PathSegment"/>.
    /// </summary>
    /// <exception cref="ModelRegistryException">No key is configured anywhere; the message names every place one may be set.</exception>
    public async ValueTask<ProviderRequest> RequestAsync(HttpMethod method, string path, ReadOnlyMemory<byte>? body, bool streaming, CancellationToken cancellationToken)
    {
        var key = await _key.GetAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new ModelRegistryException(MissingKeyMessage(Transport.EntryName));
        return new ProviderRequest
        {
            Method = method,
            Uri = _parts.UriOf(path),
            Body = body,
            Accept = streaming ? "text/event-stream" : "application/json",
            Headers = _parts.HeadersFor(key),
        };
    }

    /// <summary>Logs the deprecation warning a response's <c>x-model-deprecation-timestamp</c> header carries, if any.</summary>
    public void ReportDeprecation(string? timestamp, string modelId)
    {
        if (!string.IsNullOrWhiteSpace(timestamp))
        {
            Log.ModelDeprecated(Transport.Logger, modelId, timestamp);
        }
    }

    private static Uri CheckEndpoint(Uri? endpoint, string what)
    {
        if (endpoint is null)
        {
            return MistralProtocol.DefaultEndpoint;
        }

        if (!MistralProtocol.Endpoint.TryParse(endpoint.OriginalString, out var valid))
        {
            throw new ArgumentException($"{what} must be {MistralProtocol.Endpoint.Expected}, but is '{endpoint.OriginalString}'.", nameof(endpoint));
        }

        return valid;
    }

    private static string MissingKeyMessage(string? entryName) =>
        (entryName is null ? "The Mistral client has no API key. " : $"Model registry entry '{entryName}' (provider mistral) has no API key. ")
        + "Give the entry an \"api_key\" setting with a secret reference such as \"env:MY_MISTRAL_KEY\" or \"ssm:/prod/mistral/api-key\", "
        + $"or set MistralClientOptions.ApiKey, or set the {MistralProtocol.ApiKeyVariable} environment variable, "
        + $"or set {MistralProtocol.ApiKeyParameterVariable} to the name of the SSM SecureString parameter that holds the key"
        + (entryName is null ? " (the api_key setting and MISTRAL_API_KEY_PARAMETER apply to registry entries)." : ". Entries of other providers (such as Bedrock) keep working without it.");

    /// <summary>
    /// The base for API paths: the endpoint with <c>v1/</c> appended, unless it already ends in <c>/v1</c>
    /// (both <c>https://api.mistral.ai</c> and <c>https://api.mistral.ai/v1</c> work).
    /// </summary>
    private static Uri ApiBase(Uri endpoint)
    {
        var text = endpoint.AbsoluteUri;
        if (!text.EndsWith('/'))
        {
            text += "/";
        }

        if (!text.EndsWith("/v1/", StringComparison.OrdinalIgnoreCase))
        {
            text += "v1/";
        }

        return new Uri(text);
    }
}
