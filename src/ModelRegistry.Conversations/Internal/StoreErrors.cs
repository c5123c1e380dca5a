namespace ModelRegistry.Conversations.Internal;

/// <summary>The errors every store raises alike.</summary>
internal static class StoreErrors
{
    /// <summary>Throws unless messages may be appended to the conversation at the version the caller read.</summary>
    public static void CheckAppendable(Conversation conversation, int expectedMessageCount)
    {
        if (conversation.IsArchived)
        {
            throw new ConversationException(
                $"Conversation '{conversation.Id}' is archived, so nothing can be appended to it; start a new conversation.",
                ConversationErrorCodes.Archived,
                conversation.Id);
        }

        if (conversation.MessageCount != expectedMessageCount)
        {
            throw new ConversationException(
                $"Conversation '{conversation.Id}' changed meanwhile: another call appended to it ({conversation.MessageCount} messages, this call read {expectedMessageCount}), " +
                "so this call's messages were not stored. Send the call again: it will see the other call's messages.",
                ConversationErrorCodes.Conflict,
                conversation.Id);
        }
    }
}
