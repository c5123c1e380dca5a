using Microsoft.Extensions.AI;

namespace ModelRegistry.Bedrock;

/// <summary>
/// A prompt-cache checkpoint: everything before it in the request (system prompt, messages) may be cached by Bedrock.
/// Put it in a message's contents where the <c>cachePoint</c> block belongs; in a system message it marks the system
/// prompt. To cache the tool definitions, set <c>ChatOptions.AdditionalProperties[<see cref="BedrockProperties.ToolsCachePoint"/>] = true</c>.
/// A checkpoint is marked as Bedrock's (<see cref="RegistryProperties.Origin"/>): another provider given the conversation
/// (a fallback entry) leaves it out.
/// </summary>
public sealed class BedrockCachePointContent : AIContent
{
    /// <summary>Creates a checkpoint with Bedrock's default time to live.</summary>
    public BedrockCachePointContent()
    {
        AdditionalProperties = new() { [RegistryProperties.Origin] = Internal.BedrockChatClientProvider.RegistryName };
    }

    /// <summary>Creates a checkpoint with a time to live.</summary>
    /// <param name="ttl">The time to live Bedrock accepts: <c>5m</c> or <c>1h</c>.</param>
    public BedrockCachePointContent(string? ttl)
        : this()
    {
        Ttl = ttl;
    }

    /// <summary>The time to live, <c>5m</c> or <c>1h</c>; <see langword="null"/> for the model's default.</summary>
    public string? Ttl { get; init; }
}
