using ModelRegistry.Providers;

namespace ModelRegistry.OpenAI.Internal;

/// <summary>What the kit needs to know of the Chat Completions wire: names, the entry keys the provider reads, and how errors read.</summary>
internal static class OpenAIProtocol
{
    /// <summary>The provider name registry entries use.</summary>
    public const string ProviderName = "openai";

    /// <summary>The provider name in telemetry (OpenTelemetry GenAI <c>gen_ai.provider.name</c>).</summary>
    public const string TelemetryProviderName = "openai";

    /// <summary>The variable holding an OpenAI key.</summary>
    public const string ApiKeyVariable = "OPENAI_API_KEY";

    /// <summary>The variable naming the SSM parameter that holds an OpenAI key (registry entries only).</summary>
    public const string ApiKeyParameterVariable = "OPENAI_API_KEY_PARAMETER";

    /// <summary>The variable holding a Bedrock API key, Mantle's bearer token.</summary>
    public const string BedrockKeyVariable = "AWS_BEARER_TOKEN_BEDROCK";

    /// <summary>OpenAI's public API.</summary>
    public static readonly Uri DefaultEndpoint = new("https://api.openai.com/v1");

    /// <summary>The transport description: the named HttpClient is <c>ModelRegistry.OpenAI</c>.</summary>
    public static readonly ProviderTransportOptions Transport = new()
    {
        ProviderName = ProviderName,
        DisplayName = "OpenAI",
        ParseError = OpenAIErrors.Parse,
    };

    /// <summary>Entry key <c>api_key</c>: a secret reference to the key.</summary>
    public static readonly EntrySetting<string> ApiKey = EntrySettings.SecretReference("api_key");

    /// <summary>Entry key <c>endpoint</c>: the API's base URL, with its version segment.</summary>
    public static readonly EntrySetting<Uri> Endpoint = EntrySettings.Url("endpoint", "https://api.openai.com/v1");

    /// <summary>Entry key <c>base_url</c>: another name of <c>endpoint</c>, which wins when both are set.</summary>
    public static readonly EntrySetting<Uri> BaseUrl = EntrySettings.Url("base_url", "https://api.openai.com/v1");

    /// <summary>Entry key <c>region</c>: with no endpoint, Bedrock Mantle's endpoint in this region.</summary>
    public static readonly EntrySetting<string> Region = EntrySettings.AwsRegion("region");

    /// <summary>Entry key <c>flavour</c>: <c>openai</c> or <c>generic</c>.</summary>
    public static readonly EntrySetting<OpenAIFlavour> Flavour =
        EntrySettings.Choice("flavour", ("openai", OpenAIFlavour.OpenAI), ("generic", OpenAIFlavour.Generic));

    /// <summary>Entry key <c>api</c>: <c>chat_completions</c> (the default) or <c>responses</c>.</summary>
    public static readonly EntrySetting<OpenAIWireApi> Api =
        EntrySettings.Choice("api", ("chat_completions", OpenAIWireApi.ChatCompletions), ("responses", OpenAIWireApi.Responses));

    /// <summary>Entry key <c>max_tokens_field</c>: which field carries <c>ChatOptions.MaxOutputTokens</c>.</summary>
    public static readonly EntrySetting<string> MaxTokensField =
        EntrySettings.Choice("max_tokens_field", ("max_completion_tokens", "max_completion_tokens"), ("max_tokens", "max_tokens"));

    /// <summary>Entry key <c>reasoning_effort_supported</c>: whether the model takes <c>reasoning_effort</c>, over the model-name rule.</summary>
    public static readonly EntrySetting<bool> ReasoningEffortSupported = EntrySettings.Boolean("reasoning_effort_supported");

    /// <summary>Every entry key the provider reads.</summary>
    public static readonly IReadOnlyList<EntrySetting> Settings = [ApiKey, Endpoint, BaseUrl, Region, Flavour, Api, MaxTokensField, ReasoningEffortSupported];

    /// <summary>
    /// Bedrock Mantle's OpenAI-compatible endpoint in a region for an API: <c>{region root}/v1</c> for Chat Completions,
    /// <c>{region root}/openai/v1</c> for the Responses API (where Mantle serves OpenAI's models; the recorded gpt-5.x
    /// Responses calls go there).
    /// </summary>
    public static Uri MantleEndpoint(string region, OpenAIWireApi api) =>
        new(api == OpenAIWireApi.Responses ? $"https://bedrock-mantle.{region}.api.aws/openai/v1" : $"https://bedrock-mantle.{region}.api.aws/v1");

    /// <summary>Whether an endpoint is Bedrock Mantle's (<c>bedrock-mantle.{region}.api.aws</c>), whose key is a Bedrock API key.</summary>
    public static bool IsMantle(Uri endpoint) =>
        endpoint.Host.StartsWith("bedrock-mantle.", StringComparison.OrdinalIgnoreCase)
        && endpoint.Host.EndsWith(".api.aws", StringComparison.OrdinalIgnoreCase);
}
