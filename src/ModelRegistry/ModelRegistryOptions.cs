namespace ModelRegistry;

/// <summary>Options of the registry, set through <c>AddModelRegistry(options => ...)</c>.</summary>
public sealed class ModelRegistryOptions
{
    /// <summary>
    /// The registry name used when a caller names none. When unset, the registry reads
    /// <c>ModelRegistry:DefaultModel</c>, then <c>DEFAULT_MODEL</c> from configuration, then the
    /// <c>DEFAULT_MODEL</c> environment variable; a registry of one entry defaults to it.
    /// </summary>
    public string? DefaultModel { get; set; }

    /// <summary>
    /// How long a loaded registry is trusted before the next call reloads it from its source;
    /// <see langword="null"/> (the default) loads once. Entries whose definition changed get a new client on
    /// their next call; a failed reload keeps the last good registry and logs a warning.
    /// </summary>
    public TimeSpan? RefreshInterval { get; set; }

    /// <summary>Defaults of the providers' HTTP retry policy; an entry's <c>resilience:*</c> settings override them.</summary>
    public ProviderResilienceOptions Resilience { get; } = new();
}
