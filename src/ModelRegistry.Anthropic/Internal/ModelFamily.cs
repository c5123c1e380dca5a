using System.Globalization;
using System.Text.RegularExpressions;

namespace ModelRegistry.Anthropic.Internal;

/// <summary>What the client needs to know of a Claude model from its id, wherever it is served (<c>claude-opus-4-7</c>, <c>anthropic.claude-opus-4-7</c>, <c>us.anthropic.claude-sonnet-4-6</c>).</summary>
internal static partial class ModelFamily
{
    /// <summary>
    /// Whether the model takes adaptive thinking (<c>thinking: {"type":"adaptive"}</c> with <c>output_config.effort</c>):
    /// Claude 4.6 and later, named <c>claude-{family}-{major}-{minor}</c> or <c>claude-{family}-{major}</c> from 5 on.
    /// Older models (<c>claude-sonnet-4-5-20250929</c>, <c>claude-3-7-sonnet-20250219</c>) take a thinking budget.
    /// </summary>
    public static bool TakesAdaptiveThinking(string model) => AtLeast(model, 4, 6);

    /// <summary>
    /// Whether the model takes <c>role: "system"</c> messages inside the conversation: Claude 4.8 and later (recorded:
    /// <c>claude-opus-4-8</c> and <c>claude-fable-5</c> take them; <c>claude-sonnet-4-6</c> needs the instruction in a
    /// user turn).
    /// </summary>
    public static bool TakesInlineSystem(string model) => AtLeast(model, 4, 8);

    private static bool AtLeast(string model, int major, int minor)
    {
        var match = Version().Match(model);
        if (!match.Success)
        {
            return false;
        }

        var modelMajor = int.Parse(match.Groups["major"].Value, CultureInfo.InvariantCulture);
        var modelMinor = match.Groups["minor"].Success ? int.Parse(match.Groups["minor"].Value, CultureInfo.InvariantCulture) : 0;
        return modelMajor > major || (modelMajor == major && modelMinor >= minor);
    }

    // A minor version is one or two digits: an eight-digit group is a date (claude-sonnet-4-20250514).
    [GeneratedRegex(@"claude-[a-z]+-(?<major>\d{1,2})(?:-(?<minor>\d{1,2}))?(?![0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex Version();
}
