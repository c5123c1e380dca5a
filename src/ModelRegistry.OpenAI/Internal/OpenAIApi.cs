using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelRegistry.Providers;

namespace ModelRegistry.OpenAI.Internal;

/// <summary>
/// One configured way to reach a Chat Completions server: the kit's transport, the base URL, the flavour, the wire
/// choices and where the key comes from. Shared by the chat clients, the embedding generator and the probe of one entry
/// or one <see cref="OpenAIClient"/>.
/// </summary>
internal sealed class OpenAIApi
{
    private readonly ProviderRequestParts _parts;
    private readonly ProviderApiKey _key;
    private readonly bool? _reasoningEffortSupported;

    private OpenAIApi(ProviderTransport transport, Uri endpoint, OpenAIFlavour flavour, OpenAIWireApi wireApi, ProviderApiKey key, string? maxTokensField, bool? reasoningEffortSupported)
    {
        Transport = transport;
        Endpoint = endpoint;
        Flavour = flavour;
        WireApi = wireApi;
        _parts = new ProviderRequestParts(
            new Uri(endpoint.AbsoluteUri.EndsWith('/') ? endpoint.AbsoluteUri : endpoint.AbsoluteUri + "/"), transport, ProviderRequestParts.Bearer);
        _key = key;
        MaxTokensField = maxTokensField ?? (flavour == OpenAIFlavour.Generic ? "max_tokens" : "max_completion_tokens");
        _reasoningEffortSupported = reasoningEffortSupported;
    }

    /// <summary>The transport every call goes through.</summary>
    public ProviderTransport Transport { get; }

    /// <summary>The base URL (for metadata).</summary>
    public Uri Endpoint { get; }

    /// <summary>What kind of server the endpoint is.</summary>
    public OpenAIFlavour Flavour { get; }

    /// <summary>Which API the chat clients speak.</summary>
    public OpenAIWireApi WireApi { get; }

    /// <summary>The field that carries the output token limit.</summary>
    public string MaxTokensField { get; }

    /// <summary>The API of a registry entry: its settings over the <c>AddOpenAI</c> defaults. Does no I/O.</summary>
    public static OpenAIApi ForEntry(ModelEntry entry, IServiceProvider services)
    {
        var defaults = services.GetService<IOptions<OpenAIClientOptions>>()?.Value ?? new OpenAIClientOptions();
        var flavour = OpenAIProtocol.Flavour.GetValueOrDefault(entry, defaults.Flavour);
        var wireApi = OpenAIProtocol.Api.GetValueOrDefault(entry, defaults.Api);
        Uri endpoint;
        if (OpenAIProtocol.Endpoint.TryGetValue(entry, out var configured) || OpenAIProtocol.BaseUrl.TryGetValue(entry, out configured))
        {
            endpoint = configured;
        }
        else if (OpenAIProtocol.Region.TryGetValue(entry, out var region))
        {
            endpoint = OpenAIProtocol.MantleEndpoint(region, wireApi);
        }
        else
        {
            endpoint = ResolveEndpoint(defaults, wireApi, "OpenAIClientOptions (set in AddOpenAI)");
        }

        var maxTokensField = OpenAIProtocol.MaxTokensField.TryGetValue(entry, out var field) ? field : CheckMaxTokensField(defaults.MaxTokensField, "OpenAIClientOptions.MaxTokensField (set in AddOpenAI)");
        bool? reasoning = OpenAIProtocol.ReasoningEffortSupported.TryGetValue(entry, out var supported) ? supported : defaults.ReasoningEffortSupported;
        var (variables, parameter) = KeySources(endpoint, flavour);
        return new OpenAIApi(
            ProviderTransport.ForEntry(OpenAIProtocol.Transport, entry, services, defaults),
            endpoint,
            flavour,
            wireApi,
            ProviderApiKey.ForEntry(entry, services, OpenAIProtocol.ApiKey, defaults, variables, parameter),
            maxTokensField,
            reasoning);
    }

    /// <summary>The API for direct use. Does no I/O.</summary>
    /// <exception cref="ArgumentException">The endpoint, region or max tokens field is invalid.</exception>
    public static OpenAIApi ForClient(OpenAIClientOptions options)
    {
        var endpoint = ResolveEndpoint(options, options.Api, "OpenAIClientOptions");
        var (variables, _) = KeySources(endpoint, options.Flavour);
        return new OpenAIApi(
            ProviderTransport.ForClient(OpenAIProtocol.Transport, options),
            endpoint,
            options.Flavour,
            options.Api,
            ProviderApiKey.ForClient(options, variables),
            CheckMaxTokensField(options.MaxTokensField, "OpenAIClientOptions.MaxTokensField"),
            options.ReasoningEffortSupported);
    }

    /// <summary>A chat client for a model over the configured API.</summary>
    public IChatClient CreateChatClient(string modelId) =>
        WireApi == OpenAIWireApi.Responses ? new OpenAIResponsesChatClient(this, modelId) : new OpenAIChatClient(this, modelId);

    /// <summary>
    /// Whether to send <c>reasoning_effort</c> for a model: the entry's <c>reasoning_effort_supported</c> (or the option)
    /// when set, else every model of a generic server and OpenAI's reasoning families (<c>o1</c>, <c>o3</c>, <c>o4</c>,
    /// <c>gpt-5</c>, <c>gpt-oss</c>; a Mantle-style <c>openai.</c> prefix is ignored).
    /// </summary>
    public bool TakesReasoningEffort(string model)
    {
        if (_reasoningEffortSupported is { } supported)
        {
            return supported;
        }

        if (Flavour == OpenAIFlavour.Generic)
        {
            return true;
        }

        var name = model.StartsWith("openai.", StringComparison.OrdinalIgnoreCase) ? model["openai.".Length..] : model;
        return name.StartsWith("o1", StringComparison.OrdinalIgnoreCase) || name.StartsWith("o3", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("o4", StringComparison.OrdinalIgnoreCase) || name.StartsWith("gpt-5", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("gpt-oss", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Describes a call to a path under the base URL with the key (read on the first call, then cached by its source) as
    /// bearer token. A generic server without a key gets no <c>Authorization</c> header.
    /// </summary>
    /// <exception cref="ModelRegistryException">Flavour openai and no key is configured anywhere; the message names every place one may be set.</exception>
    public async ValueTask<ProviderRequest> RequestAsync(HttpMethod method, string path, ReadOnlyMemory<byte>? body, bool streaming, CancellationToken cancellationToken)
    {
        var key = await _key.GetAsync(cancellationToken).ConfigureAwait(false);
        if (key is null && Flavour != OpenAIFlavour.Generic)
        {
            throw new ModelRegistryException(MissingKeyMessage(Transport.EntryName));
        }

        return new ProviderRequest
        {
            Method = method,
            Uri = _parts.UriOf(path),
            Body = body,
            Accept = streaming ? "text/event-stream" : "application/json",
            Headers = key is null ? [] : _parts.HeadersFor(key),
        };
    }

    /// <summary>
    /// Where a key may come from besides the entry and the options: a Mantle endpoint takes the Bedrock API key
    /// (<c>AWS_BEARER_TOKEN_BEDROCK</c>) only, any other endpoint of flavour openai the OpenAI key (<c>OPENAI_API_KEY</c>,
    /// or the SSM parameter named by <c>OPENAI_API_KEY_PARAMETER</c>), and a generic server nothing from the environment.
    /// A key is never offered to a party it was not made for.
    /// </summary>
    private static (string[] Variables, string? Parameter) KeySources(Uri endpoint, OpenAIFlavour flavour) =>
        flavour == OpenAIFlavour.Generic ? ([], null)
        : OpenAIProtocol.IsMantle(endpoint) ? ([OpenAIProtocol.BedrockKeyVariable], null)
        : ([OpenAIProtocol.ApiKeyVariable], OpenAIProtocol.ApiKeyParameterVariable);

    private static Uri ResolveEndpoint(OpenAIClientOptions options, OpenAIWireApi wireApi, string what)
    {
        if (options.Endpoint is { } endpoint)
        {
            if (!OpenAIProtocol.Endpoint.TryParse(endpoint.OriginalString, out var valid))
            {
                throw new ArgumentException($"{what}.Endpoint must be {OpenAIProtocol.Endpoint.Expected}, but is '{endpoint.OriginalString}'.", nameof(options));
            }

            return valid;
        }

        if (options.Region is { } region)
        {
            if (!OpenAIProtocol.Region.TryParse(region, out var valid))
            {
                throw new ArgumentException($"{what}.Region must be {OpenAIProtocol.Region.Expected}, but is '{region}'.", nameof(options));
            }

            return OpenAIProtocol.MantleEndpoint(valid, wireApi);
        }

        return OpenAIProtocol.DefaultEndpoint;
    }

    private static string? CheckMaxTokensField(string? field, string what)
    {
        if (field is null)
        {
            return null;
        }

        if (!OpenAIProtocol.MaxTokensField.TryParse(field, out var valid))
        {
            throw new ArgumentException($"{what} must be {OpenAIProtocol.MaxTokensField.Expected}, but is '{field}'.", nameof(field));
        }

        return valid;
    }

    private string MissingKeyMessage(string? entryName)
    {
        var mantle = OpenAIProtocol.IsMantle(Endpoint);
        var variable = mantle ? OpenAIProtocol.BedrockKeyVariable : OpenAIProtocol.ApiKeyVariable;
        return (entryName is null ? "The OpenAI client has no API key" : $"Model registry entry '{entryName}' (provider openai) has no API key")
            + (mantle ? $" for Bedrock Mantle ({Endpoint.Host}), which takes a Bedrock API key as bearer token. " : ". ")
            + "Give the entry an \"api_key\" setting with a secret reference such as \"env:MY_KEY\" or \"ssm:/prod/openai/api-key\", "
            + $"or set OpenAIClientOptions.ApiKey, or set the {variable} environment variable"
            + (mantle || entryName is null ? "." : $", or set {OpenAIProtocol.ApiKeyParameterVariable} to the name of the SSM SecureString parameter that holds the key.")
            + " A self-hosted server that needs no key takes \"flavour\": \"generic\".";
    }
}
