namespace ModelRegistry.Mistral;

/// <summary>
/// The <c>AdditionalProperties</c> keys the Mistral clients read from <c>ChatOptions</c> (and, where noted, from tools,
/// content or <c>EmbeddingGenerationOptions</c>, or write on responses). Any other key is not sent: the API refuses unknown fields.
/// </summary>
public static class MistralProperties
{
    /// <summary>A boolean: strict JSON schemas for the response format and every function (MEAI's name; also per tool in <c>AITool.AdditionalProperties</c>).</summary>
    public const string Strict = "strict";

    /// <summary>A boolean: <c>safe_prompt</c>, sent only when true. Not sent to agents.</summary>
    public const string SafePrompt = "safe_prompt";

    /// <summary>Predicted output: a string (sent as <c>{"type":"content","content":...}</c>) or the JSON object itself.</summary>
    public const string Prediction = "prediction";

    /// <summary><c>prompt_cache_key</c>, as given.</summary>
    public const string PromptCacheKey = "prompt_cache_key";

    /// <summary><c>service_tier</c>, as given.</summary>
    public const string ServiceTier = "service_tier";

    /// <summary><c>guardrails</c>, as given, for an entry without <c>guardrail</c> (the entry's guardrail is not replaced per call).</summary>
    public const string Guardrails = "guardrails";

    /// <summary>
    /// On a response (or the one update of a stream) that Mistral's guardrail blocked, whose <c>FinishReason</c> is
    /// <c>ContentFilter</c>: Mistral's reason, as its HTTP 403 gave it (scrubbed of secrets, one line).
    /// </summary>
    public const string GuardrailBlock = "guardrail_block";

    /// <summary><c>metadata</c>, as given.</summary>
    public const string Metadata = "metadata";

    /// <summary><c>reasoning_effort</c>, as given; wins over <c>ChatOptions.Reasoning</c>.</summary>
    public const string ReasoningEffort = "reasoning_effort";

    /// <summary><c>prompt_mode</c> (e.g. <c>reasoning</c> for Magistral), as given; wins over <c>ChatOptions.Reasoning</c>.</summary>
    public const string PromptMode = "prompt_mode";

    /// <summary>On image content: the image <c>detail</c> level.</summary>
    public const string ImageDetail = "detail";

    /// <summary>On <c>EmbeddingGenerationOptions</c>: <c>output_dtype</c> (e.g. <c>float</c>, <c>int8</c>).</summary>
    public const string OutputDtype = "output_dtype";

    /// <summary>On a <c>HostedWebSearchTool</c>'s <c>AdditionalProperties</c>: true sends Mistral's <c>web_search_premium</c> connector instead of <c>web_search</c>.</summary>
    public const string WebSearchPremium = "web_search_premium";

    /// <summary>
    /// Conversations: a boolean, <c>store</c>: whether Mistral keeps the conversation's entries (its default is true; with
    /// false the answer's <c>ConversationId</c> cannot be continued).
    /// </summary>
    public const string Store = "store";

    /// <summary>Conversations: <c>handoff_execution</c>, <c>server</c> (Mistral's default) or <c>client</c>, for agents that hand off to other agents.</summary>
    public const string HandoffExecution = "handoff_execution";

    /// <summary>
    /// Conversations: the id of an entry of the conversation named by <c>ChatOptions.ConversationId</c> (an entry's
    /// <c>ChatMessage.MessageId</c>, from an answer or <c>MistralClient.GetConversationHistoryAsync</c>). The call restarts
    /// the conversation from that entry (<c>POST /v1/conversations/{id}/restart</c>) with the messages given; the answer's
    /// <c>ConversationId</c> is the new conversation Mistral makes.
    /// </summary>
    public const string FromEntryId = "from_entry_id";

    /// <summary>On a response's <c>UsageDetails.AdditionalCounts</c>: the tokens Mistral's connectors (web search, document library...) used in a conversation.</summary>
    public const string ConnectorTokens = "connector_tokens";
}
