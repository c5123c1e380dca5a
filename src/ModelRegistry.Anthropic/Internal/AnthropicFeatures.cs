namespace ModelRegistry.Anthropic.Internal;

/// <summary>Request features an endpoint may not serve (Bedrock Mantle serves none of them), named as the entry's <c>unavailable_features</c> names them.</summary>
[Flags]
internal enum AnthropicFeature
{
    None = 0,

    /// <summary>Extended thinking: <c>thinking</c> in the request.</summary>
    Thinking = 1 << 0,

    /// <summary>A task budget: <c>output_config.task_budget</c>.</summary>
    TaskBudget = 1 << 1,

    /// <summary>Server tools Anthropic runs itself (web search, code execution with its <c>container</c>, web fetch, the advisor, MCP servers).</summary>
    ServerTools = 1 << 2,

    /// <summary>Explicit <c>cache_control</c> breakpoints.</summary>
    CacheControl = 1 << 3,

    /// <summary>Tool search and deferred loading: a <c>HostedToolSearchTool</c>, <c>defer_loading</c> on functions.</summary>
    ToolSearch = 1 << 4,

    /// <summary>Server-side context management (compaction): <c>context_management</c>.</summary>
    ContextManagement = 1 << 5,

    All = Thinking | TaskBudget | ServerTools | CacheControl | ToolSearch | ContextManagement,
}

/// <summary>Reads and names <see cref="AnthropicFeature"/> sets.</summary>
internal static class AnthropicFeatures
{
    private static readonly (string Name, AnthropicFeature Feature)[] Known =
    [
        ("thinking", AnthropicFeature.Thinking),
        ("task_budget", AnthropicFeature.TaskBudget),
        ("server_tools", AnthropicFeature.ServerTools),
        ("cache_control", AnthropicFeature.CacheControl),
        ("tool_search", AnthropicFeature.ToolSearch),
        ("context_management", AnthropicFeature.ContextManagement),
    ];

    /// <summary>The names the setting takes.</summary>
    public static IEnumerable<string> Names => Known.Select(k => k.Name);

    /// <summary>Reads <c>thinking, cache_control</c> (any case, any spaces) or <c>none</c>.</summary>
    public static bool TryParse(string text, out AnthropicFeature features)
    {
        features = AnthropicFeature.None;
        if (string.Equals(text.Trim(), "none", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var match = Known.FirstOrDefault(k => string.Equals(k.Name, part, StringComparison.OrdinalIgnoreCase));
            if (match.Name is null)
            {
                return false;
            }

            features |= match.Feature;
        }

        return true;
    }

    /// <summary>The setting's name of one feature.</summary>
    public static string NameOf(AnthropicFeature feature) => Known.First(k => k.Feature == feature).Name;
}
