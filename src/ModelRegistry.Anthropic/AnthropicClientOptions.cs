using ModelRegistry.Providers;

namespace ModelRegistry.Anthropic;

/// <summary>
/// Options of the Anthropic clients. For direct use, pass them to <see cref="AnthropicClient"/>; with the registry, set
/// them in <c>AddAnthropic(options => ...)</c> as defaults for every <c>anthropic</c> entry (an entry's own settings win).
/// <see cref="ProviderClientOptions.Endpoint"/> unset means <c>https://api.anthropic.com</c>, or Bedrock Mantle when
/// <see cref="Region"/> is set. When <see cref="ProviderClientOptions.ApiKey"/> is unset, the key comes from
/// <c>ANTHROPIC_API_KEY</c> (from <c>AWS_BEARER_TOKEN_BEDROCK</c> for Mantle; for registry entries also from the SSM
/// parameter named by <c>ANTHROPIC_API_KEY_PARAMETER</c>).
/// </summary>
public sealed class AnthropicClientOptions : ProviderClientOptions
{
    /// <summary>
    /// An AWS region such as <c>us-east-1</c>: the client calls Bedrock Mantle there
    /// (<c>https://bedrock-mantle.{region}.api.aws/anthropic</c>) unless <see cref="ProviderClientOptions.Endpoint"/> is set.
    /// </summary>
    public string? Region { get; set; }

    /// <summary>
    /// Whether the key goes as <c>Authorization: Bearer</c> (a Bedrock API key for Mantle) rather than <c>x-api-key</c>
    /// (api.anthropic.com). <see langword="null"/> (the default): bearer for Mantle endpoints, <c>x-api-key</c> otherwise.
    /// </summary>
    public bool? UseBearerToken { get; set; }

    /// <summary>The <c>max_tokens</c> sent (the API requires one) when a call sets no <c>ChatOptions.MaxOutputTokens</c>; 1 to 1,000,000, default 4096.</summary>
    public int MaxOutputTokens { get; set; } = Internal.AnthropicProtocol.DefaultMaxTokens;

    /// <summary>
    /// The request features the endpoint does not serve, comma-separated: <c>thinking</c>, <c>task_budget</c>,
    /// <c>server_tools</c>, <c>cache_control</c>, <c>tool_search</c>, <c>context_management</c>, or <c>none</c>. <see langword="null"/> (the default): all of them for
    /// Mantle, none otherwise. A request asking for one is refused before it is sent, or sent without it when
    /// <see cref="OmitUnavailableFeatures"/> is true.
    /// </summary>
    public string? UnavailableFeatures { get; set; }

    /// <summary>Whether a request asking for an unavailable feature is sent without it (with a logged warning) rather than refused. Default false: refused.</summary>
    public bool OmitUnavailableFeatures { get; set; }
}
