using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;

namespace ModelRegistry.Conversations.Internal;

/// <summary>
/// The JSON the stores write: a message with MEAI's own contract (<see cref="AIJsonUtilities.DefaultOptions"/>, source
/// generated, so tool calls and results, reasoning with its protected data, and additional properties such as
/// <see cref="RegistryProperties.Origin"/> round-trip), and the package's own small types.
/// </summary>
internal static class ConversationJson
{
    private static readonly JsonTypeInfo<ChatMessage> MessageInfo = (JsonTypeInfo<ChatMessage>)AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatMessage));

    // PostgreSQL's jsonb reorders an object's keys, so a content's "$type" need not come first when read back.
    private static readonly JsonTypeInfo<ChatMessage> StoredMessageInfo = (JsonTypeInfo<ChatMessage>)new JsonSerializerOptions(AIJsonUtilities.DefaultOptions)
    {
        AllowOutOfOrderMetadataProperties = true,
    }.GetTypeInfo(typeof(ChatMessage));

    public static string Serialize(ChatMessage message) => JsonSerializer.Serialize(message, MessageInfo);

    public static ChatMessage DeserializeMessage(string json) =>
        JsonSerializer.Deserialize(json, StoredMessageInfo) ?? throw new JsonException("A stored message is JSON null.");

    public static string? Serialize(IReadOnlyDictionary<string, string>? metadata) =>
        metadata is null ? null : JsonSerializer.Serialize(new Dictionary<string, string>(metadata), ConversationJsonContext.Default.DictionaryStringString);

    public static IReadOnlyDictionary<string, string>? DeserializeMetadata(string? json) =>
        json is null ? null : JsonSerializer.Deserialize(json, ConversationJsonContext.Default.DictionaryStringString);
}

/// <summary>The source-generated contract of the package's own JSON.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, ProviderConversation>))]
internal sealed partial class ConversationJsonContext : JsonSerializerContext;
