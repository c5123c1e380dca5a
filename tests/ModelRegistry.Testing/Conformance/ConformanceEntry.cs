namespace ModelRegistry.Testing;

/// <summary>
/// The registry entry the conformance suite calls, as a provider's subclass describes it: provider name, model id and
/// the provider's own settings (at least the one that points it at the suite's replay server). The suite adds its own
/// <c>resilience</c> settings and, in the secrets case, the API key reference.
/// </summary>
/// <param name="Provider">The provider name, e.g. <c>mistral</c>.</param>
/// <param name="ModelId">The chat model id.</param>
public sealed record ConformanceEntry(string Provider, string ModelId)
{
    /// <summary>Provider settings, flat, as an entry of the registry JSON holds them (<c>endpoint</c>, <c>region</c>...).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>The model id of the embeddings entry, when the provider declares embeddings; default <see cref="ModelId"/>.</summary>
    public string? EmbeddingModelId { get; init; }
}
