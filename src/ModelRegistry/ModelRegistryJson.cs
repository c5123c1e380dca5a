using ModelRegistry.Internal;

namespace ModelRegistry;

/// <summary>
/// The registry's JSON format, for packages that read registry JSON from their own store (an SSM parameter, a file):
/// an object mapping model names to entries, as Terraform's <c>jsonencode</c> writes the seed map.
/// </summary>
public static class ModelRegistryJson
{
    /// <summary>Parses registry JSON into entries, in the document's order.</summary>
    /// <param name="json">The registry JSON, e.g. <c>{"mistral-large":{"provider":"mistral","model_id":"mistral-large-latest"}}</c>.</param>
    /// <param name="sourceDescription">Where the JSON came from, for errors, e.g. <c>SSM parameter '/llm/models'</c>. Never a secret.</param>
    /// <returns>The entries; names are unique ignoring case.</returns>
    /// <exception cref="ModelRegistryException">
    /// The JSON is malformed or an entry is invalid; the message names the source, the JSON path (<c>$.haiku.model_id</c>) and the fix.
    /// </exception>
    public static IReadOnlyList<ModelEntry> Parse(string json, string sourceDescription)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentException.ThrowIfNullOrWhiteSpace(sourceDescription);
        return RegistryParser.Parse(json, sourceDescription);
    }
}
