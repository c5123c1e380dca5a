namespace ModelRegistry.Anthropic.Internal;

/// <summary>What a Messages API body is written for.</summary>
internal enum MessagesCall
{
    /// <summary><c>POST /v1/messages</c>, answered whole.</summary>
    Message,

    /// <summary><c>POST /v1/messages</c> with <c>stream: true</c>.</summary>
    Stream,

    /// <summary><c>POST /v1/messages/count_tokens</c>: the input only.</summary>
    CountTokens,
}
