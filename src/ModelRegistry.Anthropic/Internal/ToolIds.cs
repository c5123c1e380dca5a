using ModelRegistry.Providers;

namespace ModelRegistry.Anthropic.Internal;

/// <summary>The API's rule for <c>tool_use</c> ids: 1 or more of <c>a-z A-Z 0-9 _ -</c>.</summary>
internal static class ToolIds
{
    private const int MappedLength = 24;

    /// <summary>
    /// The id to send: a conforming id unchanged (Anthropic's <c>toolu_...</c>, Bedrock's <c>tooluse_...</c>, OpenAI's
    /// <c>call_...</c>), any other as <c>toolu_</c> and 24 base62 characters of its SHA-256
    /// (<see cref="PortableHistory.StableId"/>), so a call and the result answering it stay paired.
    /// </summary>
    public static string ToWire(string? id) =>
        id is { Length: > 0 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')
            ? id
            : "toolu_" + PortableHistory.StableId(id, MappedLength);
}
