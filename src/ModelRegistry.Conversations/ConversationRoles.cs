namespace ModelRegistry.Conversations;

/// <summary>
/// The roles of seed 001, read with <c>ClaimsPrincipal.IsInRole</c> or from <see cref="RegistryProperties.CallerRoles"/>:
/// <see cref="ReadOnly"/> lists and reads, <see cref="User"/> also starts, appends to and archives, <see cref="Admin"/>
/// also deletes conversations, manages agents, and reaches every owner's conversations. Other callers reach only their own.
/// </summary>
public static class ConversationRoles
{
    /// <summary>Lists and reads.</summary>
    public const string ReadOnly = "read_only";

    /// <summary>Lists, reads, starts, appends to and archives conversations.</summary>
    public const string User = "user";

    /// <summary>Everything, on every owner's conversations, and manages agents.</summary>
    public const string Admin = "admin";
}
