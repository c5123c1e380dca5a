namespace ModelRegistry;

/// <summary>
/// Where the registry's entries come from: configuration, JSON text, an SSM parameter.
/// The registry calls <see cref="LoadAsync"/> on first use and again on each refresh, never at start-up.
/// </summary>
public interface IModelRegistrySource
{
    /// <summary>A short description for errors and logs, e.g. <c>configuration section 'ModelRegistry:Models'</c>. Never a secret.</summary>
    string Description { get; }

    /// <summary>Reads and parses the entries.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The entries; names are unique ignoring case.</returns>
    /// <exception cref="ModelRegistryException">The source cannot be read or holds an invalid registry.</exception>
    ValueTask<IReadOnlyList<ModelEntry>> LoadAsync(CancellationToken cancellationToken);
}
