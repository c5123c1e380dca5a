using Microsoft.Extensions.AI;

namespace ModelRegistry;

/// <summary>
/// The registry of named models. Resolve it from DI to pick a model per request; resolve <see cref="IChatClient"/>
/// (the default model) or a keyed <see cref="IChatClient"/> (any registry name) when the name is fixed.
/// </summary>
public interface IModelRegistry
{
    /// <summary>
    /// Returns the client for a registry name, or for the default model when <paramref name="name"/> is
    /// <see langword="null"/>. Does no I/O: the registry is loaded and the client built on its first call,
    /// where an unknown name fails with a <see cref="ModelRegistryException"/> listing the known names.
    /// </summary>
    /// <param name="name">The registry name; <see langword="null"/> for the default model.</param>
    IChatClient GetChatClient(string? name = null);

    /// <summary>
    /// Returns the embedding generator of a registry entry whose provider generates embeddings (e.g. an entry with
    /// <c>mistral-embed</c> or <c>amazon.titan-embed-text-v2:0</c>). Does no I/O: the registry is loaded and the generator
    /// built on its first call, where an unknown name, or an entry whose provider or model does not embed, fails with a
    /// <see cref="ModelRegistryException"/>. Also resolvable as a keyed <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c>.
    /// </summary>
    /// <param name="name">The registry name.</param>
    IEmbeddingGenerator<string, Embedding<float>> GetEmbeddingGenerator(string name);

    /// <summary>Loads the registry if needed and returns its entries, in the source's order.</summary>
    /// <param name="cancellationToken">Cancels the load.</param>
    ValueTask<IReadOnlyList<ModelEntry>> GetEntriesAsync(CancellationToken cancellationToken = default);

    /// <summary>Loads the registry if needed and returns the entry for a name, or the default entry.</summary>
    /// <param name="name">The registry name, matched ignoring case; <see langword="null"/> for the default model.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <exception cref="ModelRegistryException">No entry has that name, or no default model is set.</exception>
    ValueTask<ModelEntry> GetEntryAsync(string? name = null, CancellationToken cancellationToken = default);
}
