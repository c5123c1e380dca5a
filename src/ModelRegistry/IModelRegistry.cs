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

    /// <summary>Loads the registry if needed and returns its entries, in the source's order.</summary>
    /// <param name="cancellationToken">Cancels the load.</param>
    ValueTask<IReadOnlyList<ModelEntry>> GetEntriesAsync(CancellationToken cancellationToken = default);

    /// <summary>Loads the registry if needed and returns the entry for a name, or the default entry.</summary>
    /// <param name="name">The registry name, matched ignoring case; <see langword="null"/> for the default model.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <exception cref="ModelRegistryException">No entry has that name, or no default model is set.</exception>
    ValueTask<ModelEntry> GetEntryAsync(string? name = null, CancellationToken cancellationToken = default);
}
