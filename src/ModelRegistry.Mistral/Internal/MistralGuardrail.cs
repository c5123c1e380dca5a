using System.Text.Json.Nodes;
using ModelRegistry.Providers;

namespace ModelRegistry.Mistral.Internal;

/// <summary>
/// An entry's guardrail: Mistral's request field <c>guardrails</c>, one <c>GuardrailConfig</c> built from the entry keys
/// <c>guardrail</c> (<c>moderation_llm_v2</c> or <c>moderation_llm_v1</c>), <c>guardrail_action</c>,
/// <c>guardrail_block_on_error</c>, <c>guardrail_ignore_other_categories</c> and <c>guardrail_thresholds:&lt;category&gt;</c>.
/// Mistral's guardrails screen the input before the model sees it and block the request (an HTTP 403).
/// </summary>
internal static class MistralGuardrail
{
    /// <summary>The categories of <c>ModerationLLMV1CategoryThresholds</c> (model mistral-moderation-2411).</summary>
    private static readonly string[] V1Categories =
        ["sexual", "hate_and_discrimination", "violence_and_threats", "dangerous_and_criminal_content", "selfharm", "health", "financial", "law", "pii"];

    /// <summary>The categories of <c>ModerationLLMV2CategoryThresholds</c> (model mistral-moderation-2603).</summary>
    private static readonly string[] V2Categories =
        ["sexual", "hate_and_discrimination", "violence_and_threats", "dangerous", "criminal", "selfharm", "health", "financial", "law", "pii", "jailbreaking"];

    /// <summary>Entry key <c>guardrail</c>: which moderation guardrail screens the entry's input.</summary>
    public static readonly EntrySetting<string> Kind = EntrySettings.Choice("guardrail", ("moderation_llm_v2", "moderation_llm_v2"), ("moderation_llm_v1", "moderation_llm_v1"));

    /// <summary>Entry key <c>guardrail_action</c>: <c>block</c> (the default here) or <c>none</c> (score only).</summary>
    public static readonly EntrySetting<string> Action = EntrySettings.Choice("guardrail_action", ("block", "block"), ("none", "none"));

    /// <summary>Entry key <c>guardrail_block_on_error</c>: block the request when the moderation itself fails.</summary>
    public static readonly EntrySetting<bool> BlockOnError = EntrySettings.Boolean("guardrail_block_on_error");

    /// <summary>Entry key <c>guardrail_ignore_other_categories</c>: judge only the categories given thresholds.</summary>
    public static readonly EntrySetting<bool> IgnoreOtherCategories = EntrySettings.Boolean("guardrail_ignore_other_categories");

    /// <summary>Entry keys <c>guardrail_thresholds:&lt;category&gt;</c>: a score above which the category blocks.</summary>
    public static readonly IReadOnlyList<EntrySetting<double>> Thresholds =
        [.. V1Categories.Union(V2Categories).Select(c => EntrySettings.Ratio("guardrail_thresholds:" + c))];

    /// <summary>Every entry key of the guardrail.</summary>
    public static readonly IReadOnlyList<EntrySetting> Settings = [Kind, Action, BlockOnError, IgnoreOtherCategories, .. Thresholds];

    /// <summary>The request's <c>guardrails</c> for the entry, or <see langword="null"/> when it names none.</summary>
    /// <exception cref="ModelRegistryException">A <c>guardrail_*</c> key without <c>guardrail</c>, or a category the chosen guardrail does not have.</exception>
    public static JsonArray? ForEntry(ModelEntry entry)
    {
        var at = $"Model registry entry '{entry.Name}' (mistral)";
        var thresholds = Thresholds.Where(t => entry.Settings.ContainsKey(t.Key)).ToList();
        if (!Kind.TryGetValue(entry, out var kind))
        {
            var stray = Settings.FirstOrDefault(s => s != Kind && entry.Settings.ContainsKey(s.Key));
            return stray is null ? null : throw new ModelRegistryException(
                $"{at}: '{stray.Key}' applies to a guardrail, but 'guardrail' is not set. Set it to moderation_llm_v2 (or moderation_llm_v1), or remove the guardrail_* keys.");
        }

        var categories = kind == "moderation_llm_v1" ? V1Categories : V2Categories;
        var moderation = new JsonObject { ["action"] = Action.GetValueOrDefault(entry, "block") };
        if (thresholds.Count > 0)
        {
            var custom = new JsonObject();
            foreach (var threshold in thresholds)
            {
                var category = threshold.Key["guardrail_thresholds:".Length..];
                if (!categories.Contains(category))
                {
                    throw new ModelRegistryException(
                        $"{at}: '{threshold.Key}' is not a category of {kind}. Its categories: {string.Join(", ", categories)}.");
                }

                custom[category] = threshold.GetValueOrDefault(entry, 1);
            }

            moderation["custom_category_thresholds"] = custom;
        }

        if (IgnoreOtherCategories.TryGetValue(entry, out var ignore))
        {
            moderation["ignore_other_categories"] = ignore;
        }

        var config = new JsonObject();
        if (BlockOnError.TryGetValue(entry, out var blockOnError))
        {
            config["block_on_error"] = blockOnError;
        }

        config[kind] = moderation;
        return new JsonArray(config);
    }
}
