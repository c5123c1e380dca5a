using Microsoft.Extensions.AI;

namespace ModelRegistry.Anthropic;

/// <summary>
/// A prompt-cache breakpoint: the client puts <c>cache_control</c> on the block just before it in the same message (in a
/// system message, on the system prompt's text before it), so that the prompt up to there may be cached. Put it in a
/// message's contents right after the content to cache. To cache the tool definitions, set
/// <c>ChatOptions.AdditionalProperties[<see cref="AnthropicProperties.ToolsCacheControl"/>] = true</c>. A breakpoint is
/// marked as Anthropic's (<see cref="RegistryProperties.Origin"/>): another provider given the conversation (a fallback
/// entry) leaves it out. Bedrock Mantle serves no explicit breakpoints (see the entry's <c>unavailable_features</c>).
/// </summary>
public sealed class AnthropicCachePointContent : AIContent
{
    /// <summary>Creates a breakpoint with the API's default time to live (5 minutes).</summary>
    public AnthropicCachePointContent()
    {
        AdditionalProperties = new() { [RegistryProperties.Origin] = Internal.AnthropicProtocol.ProviderName };
    }

    /// <summary>Creates a breakpoint with a time to live.</summary>
    /// <param name="ttl">The time to live the API accepts: <c>5m</c> or <c>1h</c>.</param>
    public AnthropicCachePointContent(string? ttl)
        : this()
    {
        Ttl = ttl;
    }

    /// <summary>The time to live, <c>5m</c> or <c>1h</c>; <see langword="null"/> for the default.</summary>
    public string? Ttl { get; init; }
}
