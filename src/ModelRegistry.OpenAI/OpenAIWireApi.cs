namespace ModelRegistry.OpenAI;

/// <summary>Which OpenAI API the chat clients speak (entry key <c>api</c>).</summary>
public enum OpenAIWireApi
{
    /// <summary>Chat Completions, <c>POST {base}/chat/completions</c> (entry value <c>chat_completions</c>, the default): what every OpenAI-compatible server serves.</summary>
    ChatCompletions = 0,

    /// <summary>
    /// The Responses API, <c>POST {base}/responses</c> (entry value <c>responses</c>): OpenAI, Bedrock Mantle and
    /// servers that follow it (OpenRouter). Hosted tools, encrypted reasoning round trips and server-side conversation
    /// state (<c>ChatResponse.ConversationId</c>) need it.
    /// </summary>
    Responses = 1,
}
