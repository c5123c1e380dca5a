using ModelRegistry.Providers;

namespace ModelRegistry.OpenAI.Internal;

/// <summary>The identifier rules of the Chat Completions API: function names are 1 to 64 of <c>a-z A-Z 0-9 _ -</c>; model ids follow the kit's rule.</summary>
internal static class OpenAINames
{
    /// <summary>Throws a clear error for a function name the API would refuse.</summary>
    /// <param name="name">The name.</param>
    /// <param name="where">Where the name came from, e.g. <c>ChatOptions.Tools</c>.</param>
    public static string RequireValidFunctionName(string? name, string where)
    {
        if (name is not { Length: > 0 and <= 64 } || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            throw new ArgumentException(
                $"The function name '{name}' (in {where}) cannot be sent to OpenAI Chat Completions: a name must be 1 to 64 characters of " +
                "a-z, A-Z, 0-9, '_' or '-'. Rename the function, e.g. AIFunctionFactory.Create(method, name: \"get_weather\").",
                nameof(name));
        }

        return name;
    }

    /// <summary>
    /// The model a call asks for: the per-call id when one is set, else the client's; an id that could not name a model
    /// (<c>.</c>, <c>..</c>, blank, control characters) is refused before anything is sent, as every provider refuses it.
    /// </summary>
    /// <exception cref="ArgumentException">The per-call id is a dot segment, blank or holds control characters.</exception>
    public static string ModelFor(string? perCall, string own, string what) =>
        string.IsNullOrEmpty(perCall) ? own : RequireModelId(perCall, what);

    /// <summary>Refuses a model id that could not name one (the rule of <see cref="ProviderRequest.PathSegment"/>).</summary>
    /// <exception cref="ArgumentException">The id is a dot segment, blank or holds control characters.</exception>
    public static string RequireModelId(string id, string what)
    {
        _ = ProviderRequest.PathSegment(id, what);
        return id;
    }
}
