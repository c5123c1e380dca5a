namespace ModelRegistry.Anthropic;

/// <summary>
/// The <c>AdditionalProperties</c> keys the Anthropic client reads from <c>ChatOptions</c> (and, where noted, from tools
/// or content, or writes on content). Any other key is not sent.
/// </summary>
public static class AnthropicProperties
{
    /// <summary>A boolean: <c>strict</c> tool input schemas, for every function (MEAI's name; also per tool in <c>AITool.AdditionalProperties</c>).</summary>
    public const string Strict = "strict";

    /// <summary>
    /// <c>thinking</c>, as given (a JSON object such as <c>{"type":"enabled","budget_tokens":2048}</c> or
    /// <c>{"type":"adaptive","display":"summarized"}</c>); wins over <c>ChatOptions.Reasoning</c>.
    /// </summary>
    public const string Thinking = "thinking";

    /// <summary>An integer: the <c>budget_tokens</c> of extended thinking asked for by <c>ChatOptions.Reasoning</c>, instead of the effort's default.</summary>
    public const string ThinkingBudgetTokens = "thinking_budget_tokens";

    /// <summary><c>output_config</c>, as given (a JSON object: <c>effort</c>, <c>task_budget</c>); its <c>effort</c> wins over <c>ChatOptions.Reasoning</c>.</summary>
    public const string OutputConfig = "output_config";

    /// <summary><c>metadata</c>, as given (e.g. <c>{"user_id":"..."}</c>).</summary>
    public const string Metadata = "metadata";

    /// <summary><c>service_tier</c>, as given (<c>auto</c>, <c>standard_only</c>).</summary>
    public const string ServiceTier = "service_tier";

    /// <summary>
    /// The request's own <c>cache_control</c> (automatic prompt caching): <see langword="true"/> for the default time to
    /// live, or the time to live <c>5m</c> / <c>1h</c>. Breakpoints inside the prompt are <see cref="AnthropicCachePointContent"/>.
    /// </summary>
    public const string CacheControl = "cache_control";

    /// <summary>A cache breakpoint after the tool definitions: <see langword="true"/>, or the time to live <c>5m</c> / <c>1h</c>.</summary>
    public const string ToolsCacheControl = "tools_cache_control";

    /// <summary>On a <c>TextReasoningContent</c> the client returns: <see langword="true"/> when it is a <c>redacted_thinking</c> block, whose encrypted data is in <c>ProtectedData</c>.</summary>
    public const string RedactedThinking = "redacted_thinking";

    /// <summary>On a response: the API's <c>stop_sequence</c>, the stop sequence that ended the answer.</summary>
    public const string StopSequence = "stop_sequence";

    /// <summary>
    /// On a function (<c>AITool.AdditionalProperties</c>): <see langword="true"/> sends it with <c>defer_loading: true</c>,
    /// so the model sees it only once a tool search (a <c>HostedToolSearchTool</c>) or a <c>tool_reference</c> in a tool
    /// result loads it. A <c>HostedToolSearchTool</c>'s <c>DeferredTools</c> defers functions without this flag.
    /// </summary>
    public const string DeferLoading = "defer_loading";

    /// <summary>
    /// On a <c>HostedToolSearchTool</c> (<c>AITool.AdditionalProperties</c>): which tool search Anthropic runs,
    /// <c>bm25</c> (default: <c>tool_search_tool_bm25_20251119</c>, natural-language queries) or <c>regex</c>
    /// (<c>tool_search_tool_regex_20251119</c>, the model writes regular expressions).
    /// </summary>
    public const string ToolSearchKind = "tool_search_kind";

    /// <summary>On a <c>HostedWebSearchTool</c>: <c>max_uses</c>, the most searches in one request (a whole number).</summary>
    public const string MaxUses = "max_uses";

    /// <summary>On a <c>HostedWebSearchTool</c>: <c>allowed_domains</c>, the only domains searched (a list of strings or a JSON array).</summary>
    public const string AllowedDomains = "allowed_domains";

    /// <summary>On a <c>HostedWebSearchTool</c>: <c>blocked_domains</c>, domains never searched (a list of strings or a JSON array).</summary>
    public const string BlockedDomains = "blocked_domains";

    /// <summary>On a <c>HostedWebSearchTool</c>: <c>user_location</c>, as given (a JSON object such as <c>{"type":"approximate","city":"Paris","country":"FR"}</c>).</summary>
    public const string UserLocation = "user_location";

    /// <summary><c>container</c>, as given: the id of a code-execution container to reuse (from an earlier answer's raw <c>container.id</c>).</summary>
    public const string Container = "container";

    /// <summary><c>context_management</c>, as given (a JSON object, e.g. <c>{"edits":[{"type":"compact_20260112"}]}</c> for server-side compaction).</summary>
    public const string ContextManagement = "context_management";
}
