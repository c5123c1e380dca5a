namespace ModelRegistry.Mistral.Internal;

/// <summary>What a Conversations API call does.</summary>
internal enum ConversationCall
{
    /// <summary><c>POST /v1/conversations</c>: a new conversation from the messages given (which may be a whole history).</summary>
    Start,

    /// <summary><c>POST /v1/conversations/{id}</c>: the new messages, continuing a conversation.</summary>
    Append,

    /// <summary><c>POST /v1/conversations/{id}/restart</c>: a new conversation from an entry of an old one.</summary>
    Restart,
}
