namespace ModelRegistry.Conversations;

/// <summary>An agent conversations can be held with (seed 001's <c>agents</c> table); only admins manage them.</summary>
public sealed record ConversationAgent
{
    /// <summary>The agent's id.</summary>
    public required string Id { get; init; }

    /// <summary>Its display name.</summary>
    public required string Name { get; init; }

    /// <summary>The registry entry that serves it, or <see langword="null"/>.</summary>
    public string? Model { get; init; }

    /// <summary>Its instructions, or <see langword="null"/>.</summary>
    public string? Instructions { get; init; }

    /// <summary>When it was created (set by the store).</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it was last changed (set by the store).</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The application's own data about the agent.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
