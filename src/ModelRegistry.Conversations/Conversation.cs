namespace ModelRegistry.Conversations;

/// <summary>A stored conversation: who owns it, its state and its version (the message count).</summary>
public sealed record Conversation
{
    /// <summary>The conversation's id, which calls pass as <c>ChatOptions.ConversationId</c>.</summary>
    public required string Id { get; init; }

    /// <summary>The owner's id (see <see cref="ConversationOptions.OwnerClaimTypes"/>); <see langword="null"/> for none.</summary>
    public string? OwnerId { get; init; }

    /// <summary>The agent the conversation is held with (<see cref="ConversationAgent.Id"/>), or <see langword="null"/>.</summary>
    public string? AgentId { get; init; }

    /// <summary>Whether the conversation is archived: readable, no longer appendable.</summary>
    public bool IsArchived { get; init; }

    /// <summary>How many messages it holds; the version appends check.</summary>
    public int MessageCount { get; init; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it was last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The application's own data about the conversation (a title, a channel).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>
    /// The middleware's record of server-side conversations that stateful providers keep for it (which entry holds which
    /// provider conversation, valid through which message). Opaque JSON; a store keeps it as given.
    /// </summary>
    public string? ProviderState { get; init; }
}
