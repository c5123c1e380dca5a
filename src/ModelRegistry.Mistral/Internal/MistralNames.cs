using ModelRegistry.Providers;

namespace ModelRegistry.Mistral.Internal;

/// <summary>
/// The identifier rules the hosted API enforces: tool call ids are exactly nine ASCII letters or digits, and
/// function names are 1 to 64 of <c>a-z A-Z 0-9 _ -</c>; and the rule every provider applies to model ids.
/// </summary>
internal static class MistralNames
{
    private const int ToolCallIdLength = 9;

    /// <summary>Whether Mistral accepts the id as it is.</summary>
    public static bool IsValidToolCallId(string? id) =>
        id is { Length: ToolCallIdLength } && id.All(char.IsAsciiLetterOrDigit);

    /// <summary>
    /// The id to send for a call id: a conforming id unchanged, any other (a Bedrock <c>tooluse_...</c>, an OpenAI
    /// <c>call_...</c>, an Anthropic <c>toolu_...</c>, a MEAI-generated one) as nine base62 characters derived from its
    /// SHA-256 (<see cref="PortableHistory.StableId"/>), so the same id always maps to the same value and an assistant's
    /// tool call and the tool message answering it stay paired.
    /// </summary>
    public static string ToToolCallId(string? id) =>
        IsValidToolCallId(id) ? id! : PortableHistory.StableId(id, ToolCallIdLength);

    /// <summary>Whether Mistral accepts the function name.</summary>
    public static bool IsValidFunctionName(string? name) =>
        name is { Length: > 0 and <= 64 } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    /// <summary>Throws a clear error for a function name Mistral would refuse.</summary>
    /// <param name="name">The name.</param>
    /// <param name="where">Where the name came from, e.g. <c>ChatOptions.Tools</c>.</param>
    public static string RequireValidFunctionName(string? name, string where)
    {
        if (!IsValidFunctionName(name))
        {
            throw new ArgumentException(
                $"The function name '{name}' (in {where}) cannot be sent to Mistral: a name must be 1 to 64 characters of " +
                "a-z, A-Z, 0-9, '_' or '-'. Rename the function, e.g. AIFunctionFactory.Create(method, name: \"get_weather\").",
                nameof(name));
        }

        return name!;
    }

    /// <summary>
    /// The model a call asks for: the per-call id when one is set, else the client's. A model id that could not name a
    /// model (<c>.</c>, <c>..</c>, blank, control characters) is refused before anything is sent, as every provider
    /// refuses it, although Mistral carries the id in the body rather than in a path.
    /// </summary>
    /// <param name="perCall">The per-call id (<c>ChatOptions.ModelId</c>, <c>EmbeddingGenerationOptions.ModelId</c>); empty means none.</param>
    /// <param name="own">The client's model id.</param>
    /// <param name="what">What the per-call id is, for the error.</param>
    /// <exception cref="ArgumentException">The per-call id is a dot segment, blank or holds control characters.</exception>
    public static string ModelFor(string? perCall, string own, string what) =>
        string.IsNullOrEmpty(perCall) ? own : RequireModelId(perCall, what);

    /// <summary>Refuses a model or agent id that could not name one (the rule of <see cref="ProviderRequest.PathSegment"/>).</summary>
    /// <param name="id">The id.</param>
    /// <param name="what">What the id is, for the error.</param>
    /// <exception cref="ArgumentException">The id is a dot segment, blank or holds control characters.</exception>
    public static string RequireModelId(string id, string what)
    {
        _ = ProviderRequest.PathSegment(id, what);
        return id;
    }
}
