using System.Text.Json;

namespace ModelRegistry.Conversations.Internal;

/// <summary>
/// A server-side conversation a stateful provider keeps for one entry: its id, and the stored message count it is
/// valid through. Valid only while the stored conversation still has exactly that many messages (nobody appended since).
/// </summary>
internal sealed record ProviderConversation(string Id, int Through)
{
    /// <summary>Reads a conversation's <see cref="Conversation.ProviderState"/> (entry name → provider conversation).</summary>
    public static Dictionary<string, ProviderConversation> Parse(string? state)
    {
        if (string.IsNullOrEmpty(state))
        {
            return new(StringComparer.Ordinal);
        }

        try
        {
            return new(JsonSerializer.Deserialize(state, ConversationJsonContext.Default.DictionaryStringProviderConversation) ?? [], StringComparer.Ordinal);
        }
        catch (JsonException)
        {
            return new(StringComparer.Ordinal); // unreadable state only costs a full-history call
        }
    }

    /// <summary>The state after an entry answered: its provider conversation (or none), the others' kept as they are.</summary>
    public static string? With(Dictionary<string, ProviderConversation> state, string entry, string? providerConversationId, int through)
    {
        if (providerConversationId is null)
        {
            state.Remove(entry);
        }
        else
        {
            state[entry] = new ProviderConversation(providerConversationId, through);
        }

        // Mappings that can never be valid again (another entry appended since) are dropped.
        foreach (var stale in state.Where(p => p.Value.Through != through).Select(p => p.Key).ToList())
        {
            state.Remove(stale);
        }

        return state.Count == 0 ? null : JsonSerializer.Serialize(state, ConversationJsonContext.Default.DictionaryStringProviderConversation);
    }
}
