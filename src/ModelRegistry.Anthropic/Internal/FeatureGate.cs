#pragma warning disable MEAI001 // HostedToolSearchTool is experimental in MEAI 10.11; it is the type apps name tool search with, so the client maps it.
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.Anthropic.Internal;

/// <summary>
/// Keeps features the endpoint does not serve (Bedrock Mantle: extended thinking, task budgets, server tools, explicit
/// <c>cache_control</c>, tool search, context management) from reaching it: a request that asks for one is refused before it is sent
/// (<see cref="ProviderErrorCodes.CapabilityMismatch"/>, on which the registry falls back), or, when the entry says
/// <c>unavailable_feature_action: omit</c>, sent without it and a warning logged.
/// </summary>
internal static class FeatureGate
{
    /// <summary>The features the request may carry.</summary>
    /// <exception cref="ModelProviderException">The request asks for an unavailable feature and the entry refuses such requests.</exception>
    public static AnthropicFeature Allowed(IReadOnlyList<ChatMessage> messages, ChatOptions? options, JsonObject? raw, AnthropicApi api)
    {
        if (api.Unavailable == AnthropicFeature.None)
        {
            return AnthropicFeature.All;
        }

        var asked = Asked(messages, options, raw) & api.Unavailable;
        if (asked != AnthropicFeature.None)
        {
            var names = Enum.GetValues<AnthropicFeature>().Where(f => f is not (AnthropicFeature.None or AnthropicFeature.All) && asked.HasFlag(f)).ToList();
            if (!api.OmitUnavailable)
            {
                var where = api.IsMantle ? "Bedrock Mantle" : "this endpoint";
                throw api.Transport.Failure(
                    ProviderErrorCodes.CapabilityMismatch,
                    $"the request asks for {string.Join(", ", names.Select(Describe))}, which {where} does not serve (unavailable_features: " +
                    $"{string.Join(", ", names.Select(AnthropicFeatures.NameOf))}). Call it without, call an entry that serves it (api.anthropic.com, " +
                    "or Bedrock Converse), or set the entry's unavailable_feature_action to omit to send the request without it.",
                    isRetryable: false);
            }

            foreach (var feature in names)
            {
                api.ReportOmitted(feature);
            }
        }

        return AnthropicFeature.All & ~api.Unavailable;
    }

    /// <summary>The features of <see cref="AnthropicFeature.All"/> the request asks for.</summary>
    private static AnthropicFeature Asked(IReadOnlyList<ChatMessage> messages, ChatOptions? options, JsonObject? raw)
    {
        var asked = AnthropicFeature.None;
        var extra = options?.AdditionalProperties;
        if (raw?.ContainsKey("thinking") == true || extra?.ContainsKey(AnthropicProperties.Thinking) == true
            || options?.Reasoning?.Effort is { } effort && effort != ReasoningEffort.None)
        {
            asked |= AnthropicFeature.Thinking;
        }

        if (HasTaskBudget(raw?["output_config"]) || (extra is not null && extra.TryGetValue(AnthropicProperties.OutputConfig, out var config) && HasTaskBudget(config)))
        {
            asked |= AnthropicFeature.TaskBudget;
        }

        if (options?.Tools?.Any(t => t is not (AIFunctionDeclaration or HostedToolSearchTool)) == true
            || raw?.ContainsKey("mcp_servers") == true || raw?.ContainsKey("container") == true
            || extra?.ContainsKey(AnthropicProperties.Container) == true)
        {
            asked |= AnthropicFeature.ServerTools;
        }

        if (options?.Tools?.Any(t => t is HostedToolSearchTool || MessagesRequestWriter.DefersLoading(t)) == true)
        {
            asked |= AnthropicFeature.ToolSearch;
        }

        if (raw?.ContainsKey("context_management") == true || extra?.ContainsKey(AnthropicProperties.ContextManagement) == true)
        {
            asked |= AnthropicFeature.ContextManagement;
        }

        if (MessagesRequestWriter.CacheTtl(extra, AnthropicProperties.CacheControl) is not null
            || MessagesRequestWriter.CacheTtl(extra, AnthropicProperties.ToolsCacheControl) is not null
            || raw?.ContainsKey("cache_control") == true
            || messages.Any(m => m.Contents.Any(c => c is AnthropicCachePointContent)))
        {
            asked |= AnthropicFeature.CacheControl;
        }

        return asked;
    }

    private static bool HasTaskBudget(object? config) => config switch
    {
        JsonObject node => node.ContainsKey("task_budget"),
        JsonElement { ValueKind: JsonValueKind.Object } element => element.TryGetProperty("task_budget", out _),
        string text => JsonNode.Parse(text) is JsonObject parsed && parsed.ContainsKey("task_budget"),
        _ => false,
    };

    private static string Describe(AnthropicFeature feature) => feature switch
    {
        AnthropicFeature.Thinking => "extended thinking (ChatOptions.Reasoning or the thinking property)",
        AnthropicFeature.TaskBudget => "a task budget (output_config.task_budget)",
        AnthropicFeature.ServerTools => "server tools (a hosted tool such as HostedWebSearchTool, HostedCodeInterpreterTool, HostedMcpServerTool or AnthropicServerTool in ChatOptions.Tools, or a code-execution container)",
        AnthropicFeature.ToolSearch => "tool search or deferred tool loading (a HostedToolSearchTool, or defer_loading on a function)",
        AnthropicFeature.ContextManagement => "server-side context management (context_management)",
        _ => "explicit prompt caching (cache_control)",
    };
}
