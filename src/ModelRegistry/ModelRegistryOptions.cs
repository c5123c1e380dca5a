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
    /// their next call (calls in flight finish on the old client, which is disposed when the last one ends); unchanged
    /// entries keep their clients, and every entry keeps its limits and breaker state. A failed reload keeps the last
    /// good registry and logs a warning.
    /// </summary>
    public TimeSpan? RefreshInterval { get; set; }

    /// <summary>
    /// Whether <c>ChatOptions.ModelId</c> may name a model that has no registry entry, as <c>provider:model-id</c>
    /// (<c>mistral:mistral-small-latest</c>, <c>bedrock:amazon.nova-micro-v1:0</c>) or, for the provider of the entry
    /// called, <c>provider.model-id</c> (<c>bedrock.amazon.nova-micro-v1:0</c>). Such a call goes to an ad-hoc entry with
    /// the provider's defaults (no settings, no fallbacks), validated like any entry and kept per model id (at most 100),
    /// with its own limits state, breaker and metrics. Default <see langword="false"/>: the registry is also an
    /// allow-list, and such a model id fails the call with a <see cref="ModelRegistryException"/> naming this option.
    /// </summary>
    public bool AllowAdHocModels { get; set; }

    /// <summary>Defaults of the providers' HTTP retry policy; an entry's <c>resilience:*</c> settings override them.</summary>
    public ProviderResilienceOptions Resilience { get; } = new();
}
