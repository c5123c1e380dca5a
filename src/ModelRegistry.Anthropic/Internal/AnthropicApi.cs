using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelRegistry.Providers;

namespace ModelRegistry.Anthropic.Internal;

/// <summary>
/// One configured way to reach the Messages API: the kit's transport, the endpoint (api.anthropic.com, Bedrock Mantle or
/// another), how the key is sent, the default output limit and the features the endpoint does not serve. Shared by the
/// chat clients and the model probe of one entry or one <see cref="AnthropicClient"/>.
/// </summary>
internal sealed class AnthropicApi
{
    private readonly ProviderApiKey _key;
    private readonly ProviderRequestParts _parts;

    private AnthropicApi(
        ProviderTransport transport, Uri endpoint, ProviderApiKey key, bool? bearer, long maxTokens, AnthropicFeature? unavailable, bool omitUnavailable)
    {
        Transport = transport;
        Endpoint = endpoint;
        IsMantle = AnthropicProtocol.IsMantle(endpoint);
        Base = WithoutVersion(endpoint);
        _key = key;
        var useBearer = bearer ?? IsMantle;
        _parts = new ProviderRequestParts(Base, transport, useBearer ? BearerHeaders : KeyHeaders);
        MaxTokens = maxTokens;
        Unavailable = unavailable ?? (IsMantle ? AnthropicFeature.All : AnthropicFeature.None);
        OmitUnavailable = omitUnavailable;
    }

    /// <summary>The transport every call goes through.</summary>
    public ProviderTransport Transport { get; }

    /// <summary>The configured endpoint, as given (for metadata).</summary>
    public Uri Endpoint { get; }

    /// <summary>Whether the endpoint is Bedrock Mantle.</summary>
    public bool IsMantle { get; }

    /// <summary>The endpoint without a trailing <c>/v1</c>, ending in <c>/</c>: <c>v1/messages</c> goes under it.</summary>
    public Uri Base { get; }

    /// <summary>The <c>max_tokens</c> sent when the call sets none.</summary>
    public long MaxTokens { get; }

    /// <summary>The features the endpoint does not serve.</summary>
    public AnthropicFeature Unavailable { get; }

    /// <summary>Whether an unavailable feature is left out (with a warning) rather than refused.</summary>
    public bool OmitUnavailable { get; }

    /// <summary>The API of a registry entry: its settings over the <c>AddAnthropic</c> defaults. Does no I/O.</summary>
    public static AnthropicApi ForEntry(ModelEntry entry, IServiceProvider services)
    {
        var defaults = services.GetService<IOptions<AnthropicClientOptions>>()?.Value ?? new AnthropicClientOptions();
        Uri endpoint;
        if (AnthropicProtocol.Endpoint.TryGetValue(entry, out var configured) || AnthropicProtocol.BaseUrl.TryGetValue(entry, out configured))
        {
            endpoint = configured;
        }
        else if (AnthropicProtocol.Region.TryGetValue(entry, out var region))
        {
            endpoint = AnthropicProtocol.MantleEndpoint(region);
        }
        else
        {
            endpoint = EndpointOf(defaults, "AnthropicClientOptions (set in AddAnthropic)");
        }

        var mantle = AnthropicProtocol.IsMantle(endpoint);
        var unavailable = AnthropicProtocol.UnavailableFeatures.TryGetValue(entry, out var text)
            ? Features(text, $"model registry entry '{entry.Name}'")
            : DefaultsFeatures(defaults);
        return new AnthropicApi(
            ProviderTransport.ForEntry(AnthropicProtocol.Transport, entry, services, defaults),
            endpoint,
            ProviderApiKey.ForEntry(
                entry, services, AnthropicProtocol.ApiKey, defaults, KeyVariables(mantle), mantle ? null : AnthropicProtocol.ApiKeyParameterVariable),
            AnthropicProtocol.Auth.TryGetValue(entry, out var bearer) ? bearer : defaults.UseBearerToken,
            AnthropicProtocol.MaxTokens.TryGetValue(entry, out var max) ? max : CheckMaxTokens(defaults.MaxOutputTokens),
            unavailable,
            AnthropicProtocol.OmitUnavailable.TryGetValue(entry, out var omit) ? omit : defaults.OmitUnavailableFeatures);
    }

    /// <summary>The API for direct use. Does no I/O.</summary>
    /// <exception cref="ArgumentException">The endpoint, region or unavailable features are invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The output limit is out of range.</exception>
    public static AnthropicApi ForClient(AnthropicClientOptions options)
    {
        var endpoint = EndpointOf(options, "AnthropicClientOptions");
        var mantle = AnthropicProtocol.IsMantle(endpoint);
        return new AnthropicApi(
            ProviderTransport.ForClient(AnthropicProtocol.Transport, options),
            endpoint,
            ProviderApiKey.ForClient(options, KeyVariables(mantle)),
            options.UseBearerToken,
            CheckMaxTokens(options.MaxOutputTokens),
            DefaultsFeatures(options),
            options.OmitUnavailableFeatures);
    }

    /// <summary>
    /// Describes a call to a path under the endpoint (e.g. <c>v1/messages</c>) with the key (read on the first call) and
    /// <c>anthropic-version</c>. Build paths from caller text with <see cref="ProviderRequest.PathSegment"/>.
    /// </summary>
    /// <param name="method">The HTTP method.</param>
    /// <param name="path">The path, relative to the endpoint.</param>
    /// <param name="body">The JSON body, if any.</param>
    /// <param name="streaming">Whether an event stream is asked for.</param>
    /// <param name="cancellationToken">Cancels reading the key.</param>
    /// <param name="root">Resolve the path against the host's root rather than the endpoint (Mantle's model catalogue).</param>
    /// <exception cref="ModelRegistryException">No key is configured anywhere; the message names every place one may be set.</exception>
    public async ValueTask<ProviderRequest> RequestAsync(
        HttpMethod method, string path, ReadOnlyMemory<byte>? body, bool streaming, CancellationToken cancellationToken, bool root = false)
    {
        var key = await _key.GetAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new ModelRegistryException(MissingKeyMessage());
        return new ProviderRequest
        {
            Method = method,
            Uri = root ? new Uri(new Uri(Base.GetLeftPart(UriPartial.Authority) + "/"), path) : _parts.UriOf(path),
            Body = body,
            Accept = streaming ? "text/event-stream" : "application/json",
            Headers = _parts.HeadersFor(key),
        };
    }

    /// <summary>Logs that a feature was left out of a request.</summary>
    public void ReportOmitted(AnthropicFeature feature) =>
        Log.FeatureOmitted(Transport.Logger, Transport.EntryName ?? "(direct client)", AnthropicFeatures.NameOf(feature));

    private static KeyValuePair<string, string>[] BearerHeaders(string key) => [new("Authorization", "Bearer " + key), new("anthropic-version", AnthropicProtocol.ApiVersion)];

    private static KeyValuePair<string, string>[] KeyHeaders(string key) => [new("x-api-key", key), new("anthropic-version", AnthropicProtocol.ApiVersion)];

    private static IReadOnlyList<string> KeyVariables(bool mantle) =>
        mantle ? [AnthropicProtocol.BedrockKeyVariable] : [AnthropicProtocol.ApiKeyVariable];

    private static Uri EndpointOf(AnthropicClientOptions options, string where)
    {
        if (options.Endpoint is { } endpoint)
        {
            if (!AnthropicProtocol.Endpoint.TryParse(endpoint.OriginalString, out var valid))
            {
                throw new ArgumentException($"{where}: Endpoint must be {AnthropicProtocol.Endpoint.Expected}, but is '{endpoint.OriginalString}'.", nameof(options));
            }

            return valid;
        }

        if (options.Region is { } region)
        {
            if (!AnthropicProtocol.Region.TryParse(region, out var valid))
            {
                throw new ArgumentException($"{where}: Region must be {AnthropicProtocol.Region.Expected}, but is '{region}'.", nameof(options));
            }

            return AnthropicProtocol.MantleEndpoint(valid);
        }

        return AnthropicProtocol.DefaultEndpoint;
    }

    private static AnthropicFeature? DefaultsFeatures(AnthropicClientOptions options) =>
        options.UnavailableFeatures is { } text ? Features(text, "AnthropicClientOptions.UnavailableFeatures") : null;

    private static AnthropicFeature Features(string text, string where) =>
        AnthropicFeatures.TryParse(text, out var features)
            ? features
            : throw new ArgumentException($"{where}: unavailable_features must be {AnthropicProtocol.UnavailableFeatures.Expected}, but is '{text}'.");

    private static long CheckMaxTokens(int value)
    {
        if (value is < 1 or > 1_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "AnthropicClientOptions.MaxOutputTokens must be a whole number from 1 to 1000000.");
        }

        return value;
    }

    private string MissingKeyMessage()
    {
        var entryName = Transport.EntryName;
        var variable = IsMantle ? AnthropicProtocol.BedrockKeyVariable : AnthropicProtocol.ApiKeyVariable;
        return (entryName is null ? "The Anthropic client has no API key. " : $"Model registry entry '{entryName}' (provider anthropic) has no API key. ")
            + "Give the entry an \"api_key\" setting with a secret reference such as \"env:MY_ANTHROPIC_KEY\" or \"ssm:/prod/anthropic/api-key\", "
            + $"or set AnthropicClientOptions.ApiKey, or set the {variable} environment variable"
            + (IsMantle ? " (Bedrock Mantle takes a Bedrock API key)." : $", or set {AnthropicProtocol.ApiKeyParameterVariable} to the name of the SSM SecureString parameter that holds the key (registry entries).");
    }

    /// <summary>The endpoint ending in <c>/</c>, without a trailing <c>v1/</c> (both <c>https://api.anthropic.com</c> and <c>.../v1</c> work).</summary>
    private static Uri WithoutVersion(Uri endpoint)
    {
        var text = endpoint.AbsoluteUri;
        if (!text.EndsWith('/'))
        {
            text += "/";
        }

        if (text.EndsWith("/v1/", StringComparison.OrdinalIgnoreCase))
        {
            text = text[..^3];
        }

        return new Uri(text);
    }
}
