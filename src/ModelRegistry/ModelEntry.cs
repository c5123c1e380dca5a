namespace ModelRegistry;

/// <summary>
/// One named model of the registry: which provider serves it, the provider's model id, and the
/// provider settings that came with it (flat on the entry, as Terraform's <c>jsonencode</c> writes them).
/// </summary>
/// <remarks>
/// Settings keep every key of the entry that the registry itself does not own, as text: strings as they are,
/// numbers and booleans as their JSON text, nested objects flattened with <c>:</c> (<c>resilience:max_retries</c>).
/// Keys are compared ordinally, ignoring case, like configuration keys.
/// </remarks>
public sealed class ModelEntry
{
    /// <summary>Creates an entry.</summary>
    /// <param name="name">The registry name callers use (<c>mistral-large</c>).</param>
    /// <param name="provider">The provider name (<c>bedrock</c>, <c>mistral</c>).</param>
    /// <param name="modelId">The provider's model id (<c>mistral-large-latest</c>).</param>
    /// <param name="settings">Provider settings; <see langword="null"/> for none.</param>
    public ModelEntry(string name, string provider, string modelId, IReadOnlyDictionary<string, string>? settings = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        Name = name;
        Provider = provider;
        ModelId = modelId;
        Settings = settings is null
            ? EmptySettings
            : new Dictionary<string, string>(settings, StringComparer.OrdinalIgnoreCase);
    }

    private static readonly IReadOnlyDictionary<string, string> EmptySettings =
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The registry name callers use.</summary>
    public string Name { get; }

    /// <summary>The provider name, lower case by convention (<c>bedrock</c>).</summary>
    public string Provider { get; }

    /// <summary>The provider's model id.</summary>
    public string ModelId { get; }

    /// <summary>Provider settings: every key of the entry the registry does not own, as text.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>What the model can do, when the registry says so.</summary>
    public ModelCapabilities? Capabilities { get; init; }

    /// <summary>Prices per million tokens, when the registry says so.</summary>
    public ModelPricing? Pricing { get; init; }

    /// <summary>Registry names to try, in order, when this entry fails in a way retrying cannot fix.</summary>
    public IReadOnlyList<string> Fallbacks
    {
        get => _fallbacks;
        init => _fallbacks = value ?? [];
    }

    private readonly IReadOnlyList<string> _fallbacks = [];

    /// <summary>Returns a setting's value, or <see langword="null"/> when the entry does not have it.</summary>
    /// <param name="key">The setting's key, e.g. <c>region</c>.</param>
    public string? GetSetting(string key) => Settings.TryGetValue(key, out var value) ? value : null;

    /// <summary>
    /// Whether <paramref name="other"/> defines the same model: same provider, model id, settings,
    /// capabilities, prices and fallbacks. A refreshed registry keeps the clients of entries that did not change.
    /// </summary>
    /// <param name="other">The entry to compare with.</param>
    public bool HasSameDefinition(ModelEntry other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return string.Equals(Name, other.Name, StringComparison.Ordinal)
            && string.Equals(Provider, other.Provider, StringComparison.Ordinal)
            && string.Equals(ModelId, other.ModelId, StringComparison.Ordinal)
            && Equals(Capabilities, other.Capabilities)
            && Equals(Pricing, other.Pricing)
            && Fallbacks.SequenceEqual(other.Fallbacks, StringComparer.Ordinal)
            && Settings.Count == other.Settings.Count
            && Settings.All(s => other.Settings.TryGetValue(s.Key, out var v) && string.Equals(v, s.Value, StringComparison.Ordinal));
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Provider}: {ModelId})";
}
