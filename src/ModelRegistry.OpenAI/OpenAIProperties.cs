namespace ModelRegistry.OpenAI;

/// <summary>
/// The <c>AdditionalProperties</c> keys the OpenAI clients read from <c>ChatOptions</c> (and, where noted, from tools or
/// content). Any other key is not sent: OpenAI refuses unknown request fields.
/// </summary>
public static class OpenAIProperties
{
    /// <summary>A boolean: strict JSON schemas for the response format and every function (MEAI's name; also per tool in <c>AITool.AdditionalProperties</c>).</summary>
    public const string Strict = "strict";

    /// <summary><c>reasoning_effort</c> (Responses API: <c>reasoning.effort</c>), as given (e.g. <c>minimal</c>); wins over <c>ChatOptions.Reasoning</c> and is sent whatever the model.</summary>
    public const string ReasoningEffort = "reasoning_effort";

    /// <summary><c>service_tier</c>, as given.</summary>
    public const string ServiceTier = "service_tier";

    /// <summary><c>prompt_cache_key</c>, as given.</summary>
    public const string PromptCacheKey = "prompt_cache_key";

    /// <summary><c>safety_identifier</c>, as given.</summary>
    public const string SafetyIdentifier = "safety_identifier";

    /// <summary><c>user</c>, as given.</summary>
    public const string User = "user";

    /// <summary><c>metadata</c>, as given.</summary>
    public const string Metadata = "metadata";

    /// <summary><c>store</c>, as given.</summary>
    public const string Store = "store";

    /// <summary><c>verbosity</c>, as given.</summary>
    public const string Verbosity = "verbosity";

    /// <summary><c>web_search_options</c>, as given (search models such as <c>gpt-4o-search-preview</c>).</summary>
    public const string WebSearchOptions = "web_search_options";

    /// <summary><c>logit_bias</c>, as given.</summary>
    public const string LogitBias = "logit_bias";

    /// <summary>On image content: the image <c>detail</c> level (<c>low</c>, <c>high</c>, <c>auto</c>).</summary>
    public const string ImageDetail = "detail";

    /// <summary>Responses API: <c>include</c>, a list of strings as given (e.g. <c>reasoning.encrypted_content</c>, <c>message.output_text.logprobs</c>).</summary>
    public const string Include = "include";

    /// <summary>Responses API: <c>top_logprobs</c>, as given (log probabilities come back only with <c>include</c> <c>message.output_text.logprobs</c>).</summary>
    public const string TopLogprobs = "top_logprobs";

    /// <summary>Responses API: <c>reasoning.summary</c> (<c>auto</c>, <c>concise</c>, <c>detailed</c>), as given; wins over <c>ChatOptions.Reasoning.Output</c>.</summary>
    public const string ReasoningSummary = "reasoning_summary";

    /// <summary>
    /// Responses API, on an assistant <c>ChatMessage</c>: the output message's <c>phase</c> (<c>commentary</c>,
    /// <c>final_answer</c>), read from the answer and sent back with the message, as OpenAI asks for models that set it.
    /// A stream puts it on the message's updates, which <c>ToChatResponse</c> scopes to the message.
    /// </summary>
    public const string Phase = "phase";

    /// <summary>
    /// Responses API, on a <c>FunctionCallContent</c> or <c>TextReasoningContent</c>: the id of the output item it came
    /// from (<c>fc_...</c>, <c>rs_...</c>), sent back with it so the API can pair reasoning with the call that followed it.
    /// </summary>
    public const string ItemId = "openai.item_id";

    /// <summary>
    /// On a response or update whose <c>FinishReason</c> is <c>ContentFilter</c> or whose message the model refused:
    /// the model's <c>refusal</c> text.
    /// </summary>
    public const string Refusal = "refusal";
}
