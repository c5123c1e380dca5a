using ModelRegistry.Providers;

namespace ModelRegistry.Anthropic.Internal;

/// <summary>What the kit needs to know of the Messages API: names, the entry keys the provider reads, and how errors read.</summary>
internal static class AnthropicProtocol
{
    /// <summary>The provider name registry entries use.</summary>
    public const string ProviderName = "anthropic";

    /// <summary>The provider name in telemetry (OpenTelemetry GenAI <c>gen_ai.provider.name</c>).</summary>
    public const string TelemetryProviderName = "anthropic";

    /// <summary>The variable holding a key for api.anthropic.com (and any other endpoint but Mantle).</summary>
    public const string ApiKeyVariable = "ANTHROPIC_API_KEY";

    /// <summary>The variable naming the SSM parameter that holds the key (registry entries only).</summary>
    public const string ApiKeyParameterVariable = "ANTHROPIC_API_KEY_PARAMETER";

    /// <summary>The variable holding a Bedrock API key, read for Mantle endpoints instead of <see cref="ApiKeyVariable"/>.</summary>
    public const string BedrockKeyVariable = "AWS_BEARER_TOKEN_BEDROCK";

    /// <summary>The API version every request names (<c>anthropic-version</c>).</summary>
    public const string ApiVersion = "2023-06-01";

    /// <summary>The output limit sent as <c>max_tokens</c> (which the API requires) when neither the call nor the entry sets one.</summary>
    public const int DefaultMaxTokens = 4096;

    /// <summary>The public API's address.</summary>
    public static readonly Uri DefaultEndpoint = new("https://api.anthropic.com/");

    /// <summary>The transport description: the named HttpClient is <c>ModelRegistry.Anthropic</c>.</summary>
    public static readonly ProviderTransportOptions Transport = new()
    {
        ProviderName = ProviderName,
        DisplayName = "Anthropic",
        ParseError = AnthropicErrors.Parse,
    };

    /// <summary>Entry key <c>api_key</c>: a secret reference to the key (an Anthropic key, or a Bedrock API key for Mantle).</summary>
    public static readonly EntrySetting<string> ApiKey = EntrySettings.SecretReference("api_key");

    /// <summary>Entry key <c>endpoint</c>: the API's address (the part before <c>/v1/messages</c>).</summary>
    public static readonly EntrySetting<Uri> Endpoint = EntrySettings.Url("endpoint", "https://api.anthropic.com");

    /// <summary>Entry key <c>base_url</c>: another name of <c>endpoint</c> (<c>endpoint</c> wins when both are set).</summary>
    public static readonly EntrySetting<Uri> BaseUrl = EntrySettings.Url("base_url", "https://api.anthropic.com");

    /// <summary>Entry key <c>region</c>: the entry calls Bedrock Mantle in this region (unless it sets an endpoint).</summary>
    public static readonly EntrySetting<string> Region = EntrySettings.AwsRegion("region");

    /// <summary>Entry key <c>auth</c>: how the key is sent; default <c>bearer</c> for Mantle, <c>x-api-key</c> otherwise.</summary>
    public static readonly EntrySetting<bool> Auth = EntrySettings.Choice("auth", ("x-api-key", false), ("bearer", true));

    /// <summary>Entry key <c>max_tokens</c>: the output limit sent when the call sets no <c>ChatOptions.MaxOutputTokens</c>.</summary>
    public static readonly EntrySetting<long> MaxTokens = EntrySettings.WholeNumber("max_tokens", 1, 1_000_000);

    /// <summary>Entry key <c>unavailable_features</c>: what the endpoint does not serve; default all of them for Mantle, none otherwise.</summary>
    public static readonly EntrySetting<string> UnavailableFeatures = EntrySettings.Text(
        "unavailable_features",
        $"a comma-separated list of {string.Join(", ", AnthropicFeatures.Names)}, or none",
        text => AnthropicFeatures.TryParse(text, out _));

    /// <summary>Entry key <c>unavailable_feature_action</c>: refuse a request that asks for an unavailable feature (default), or leave the feature out with a warning.</summary>
    public static readonly EntrySetting<bool> OmitUnavailable = EntrySettings.Choice("unavailable_feature_action", ("refuse", false), ("omit", true));

    /// <summary>Every entry key the provider reads.</summary>
    public static readonly IReadOnlyList<EntrySetting> Settings = [ApiKey, Endpoint, BaseUrl, Region, Auth, MaxTokens, UnavailableFeatures, OmitUnavailable];

    /// <summary>Whether an endpoint is Bedrock Mantle (<c>bedrock-mantle.{region}.api.aws</c>).</summary>
    public static bool IsMantle(Uri endpoint) =>
        endpoint.Host.StartsWith("bedrock-mantle.", StringComparison.OrdinalIgnoreCase) && endpoint.Host.EndsWith(".api.aws", StringComparison.OrdinalIgnoreCase);

    /// <summary>The Mantle endpoint of the Messages API in a region.</summary>
    public static Uri MantleEndpoint(string region) => new($"https://bedrock-mantle.{region}.api.aws/anthropic/");
}
