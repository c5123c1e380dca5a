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

    /// <summary>The version of the model last asked about: a client asks about its one model on every call, so the id is parsed once.</summary>
    private static volatile ModelVersion? s_last;

    private static bool AtLeast(string model, int major, int minor)
    {
        var version = s_last is { } last && string.Equals(last.Model, model, StringComparison.Ordinal) ? last : s_last = Parse(model);
        return version.Major > major || (version.Major == major && version.Minor >= minor);
    }

    /// <summary>The model's version; major -1 for an id without one (never at least any version).</summary>
    private static ModelVersion Parse(string model)
    {
        var match = Version().Match(model);
        if (!match.Success)
        {
            return new ModelVersion(model, -1, 0);
        }

        var modelMajor = int.Parse(match.Groups["major"].ValueSpan, CultureInfo.InvariantCulture);
        var modelMinor = match.Groups["minor"].Success ? int.Parse(match.Groups["minor"].ValueSpan, CultureInfo.InvariantCulture) : 0;
        return new ModelVersion(model, modelMajor, modelMinor);
    }

    // A minor version is one or two digits: an eight-digit group is a date (claude-sonnet-4-20250514).
    [GeneratedRegex(@"claude-[a-z]+-(?<major>\d{1,2})(?:-(?<minor>\d{1,2}))?(?![0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex Version();

    private sealed record ModelVersion(string Model, int Major, int Minor);
}
