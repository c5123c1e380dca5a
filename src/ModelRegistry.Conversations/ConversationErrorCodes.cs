using ModelRegistry.Providers;

namespace ModelRegistry.Conversations;

/// <summary>The <see cref="ConversationException.ErrorCode"/>s.</summary>
public static class ConversationErrorCodes
{
    /// <summary>
    /// No conversation (or agent) has this id, or it belongs to another owner and the caller is no admin: the two are
    /// not told apart, so a caller learns nothing about others' conversations. Not retryable.
    /// </summary>
    public const string NotFound = ProviderErrorCodes.ConversationNotFound;

    /// <summary>The caller's roles do not allow the operation, or no caller is set. Not retryable; nothing was written.</summary>
    public const string AccessDenied = "conversation_access_denied";

    /// <summary>The conversation is archived, so nothing can be appended. Not retryable.</summary>
    public const string Archived = "conversation_archived";

    /// <summary>
    /// Another call appended to the conversation meanwhile (in another process: calls in one process wait for each
    /// other), so this call's messages and answer were not stored. Retryable: the retry sees the other call's messages.
    /// </summary>
    public const string Conflict = "conversation_conflict";

    /// <summary>The stored history is longer than <see cref="ConversationOptions.MaxHistoryMessages"/> and no <c>IChatReducer</c> is registered. Not retryable.</summary>
    public const string HistoryTooLong = "conversation_history_too_long";

    /// <summary>The store failed (down, unreachable, refused): nothing was written. Retryable.</summary>
    public const string StoreUnavailable = "conversation_store_unavailable";
}
