using System.Text.Json;

namespace ModelRegistry.Emf.Internal;

/// <summary>Validated, immutable options: what every line of a <c>UseEmfMetrics</c> call shares.</summary>
internal sealed class EmfSettings
{
    private EmfSettings(
        JsonEncodedText metricNamespace,
        DimensionSet[] dimensionSets,
        (JsonEncodedText Key, JsonEncodedText Value)[] defaultDimensions,
        bool highResolution,
        string? model,
        EmfSink? sink,
        Providers.EnvironmentProvider environment)
    {
        Environment = environment;
        Namespace = metricNamespace;
        DimensionSets = dimensionSets;
        DefaultDimensions = defaultDimensions;
        HighResolution = highResolution;
        Model = model;
        Sink = sink;
    }

    public JsonEncodedText Namespace { get; }

    /// <summary>The sets as written: default dimension keys first, then the set's own keys.</summary>
    public DimensionSet[] DimensionSets { get; }

    public (JsonEncodedText Key, JsonEncodedText Value)[] DefaultDimensions { get; }

    public bool HighResolution { get; }

    public string? Model { get; }

    public EmfSink? Sink { get; }

    public Providers.EnvironmentProvider Environment { get; }

    /// <summary>Validates the options; throws a <see cref="ModelRegistryException"/> naming the first invalid option.</summary>
    public static EmfSettings Create(EmfMetricsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string Env = "(set in code, or from POWERTOOLS_METRICS_NAMESPACE / METRICS_NAMESPACE)";
        if (EmfRules.CheckNamespace(options.Namespace) is { } namespaceProblem)
        {
            throw Invalid($"EmfMetricsOptions.Namespace '{options.Namespace}' {Env} is not a valid CloudWatch namespace: {namespaceProblem}.");
        }

        var defaults = new List<(JsonEncodedText, JsonEncodedText)>();
        var defaultKeys = new List<string>();
        foreach (var (key, value) in options.DefaultDimensions.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            if (EmfRules.CheckDimensionName(key) is { } keyProblem)
            {
                throw Invalid($"EmfMetricsOptions.DefaultDimensions has an invalid key '{key}': {keyProblem}.");
            }

            if (EmfNames.Reserved.Contains(key))
            {
                throw Invalid($"EmfMetricsOptions.DefaultDimensions has the key '{key}', which the metrics line already uses for a metric, a property or the EMF metadata. Rename it.");
            }

            if (EmfRules.CheckDimensionValue(value) is { } valueProblem)
            {
                var from = key == EmfMetricsOptions.ServiceDimension ? " (from POWERTOOLS_SERVICE_NAME unless set in code)" : string.Empty;
                throw Invalid($"EmfMetricsOptions.DefaultDimensions['{key}']{from} is not a valid dimension value: {valueProblem}.");
            }

            defaults.Add((EmfNames.Encode(key), EmfNames.Encode(value)));
            defaultKeys.Add(key);
        }

        if (options.DimensionSets is not { Count: > 0 } sets)
        {
            throw Invalid("EmfMetricsOptions.DimensionSets is empty: give at least one set, e.g. [[\"Model\"]], or [[]] to publish the metrics without dimensions.");
        }

        var built = new DimensionSet[sets.Count];
        for (var i = 0; i < sets.Count; i++)
        {
            var keys = new List<string>(defaultKeys);
            foreach (var key in sets[i] ?? throw Invalid($"EmfMetricsOptions.DimensionSets[{i}] is null; use [] for a set without dimensions."))
            {
                var known = key is EmfMetricsOptions.ModelDimension or EmfMetricsOptions.ProviderDimension || defaultKeys.Contains(key, StringComparer.Ordinal);
                if (!known)
                {
                    throw Invalid(
                        $"EmfMetricsOptions.DimensionSets[{i}] names the dimension '{key}', which has no value: use \"Model\", \"Provider\" " +
                        "or a key of EmfMetricsOptions.DefaultDimensions" + (defaultKeys.Count == 0 ? " (there are none)." : $" ({string.Join(", ", defaultKeys)})."));
                }

                if (!keys.Contains(key, StringComparer.Ordinal))
                {
                    keys.Add(key);
                }
            }

            if (keys.Count > EmfRules.MaxDimensionsPerSet)
            {
                throw Invalid(
                    $"EmfMetricsOptions.DimensionSets[{i}] has {keys.Count} dimensions (default dimensions included), more than the {EmfRules.MaxDimensionsPerSet} CloudWatch allows.");
            }

            built[i] = new DimensionSet(
                [.. keys.Select(EmfNames.Encode)],
                keys.Contains(EmfMetricsOptions.ModelDimension, StringComparer.Ordinal),
                keys.Contains(EmfMetricsOptions.ProviderDimension, StringComparer.Ordinal));
        }

        if (options.StorageResolution is not (1 or 60))
        {
            throw Invalid($"EmfMetricsOptions.StorageResolution is {options.StorageResolution}: use 60 (standard) or 1 (high resolution).");
        }

        if (options.Model is { } model && EmfRules.CheckDimensionValue(model) is { } modelProblem)
        {
            throw Invalid($"EmfMetricsOptions.Model '{model}' is not a valid dimension value: {modelProblem}.");
        }

        return new EmfSettings(EmfNames.Encode(options.Namespace), built, [.. defaults], options.StorageResolution == 1, options.Model, options.Sink, options.Environment);
    }

    private static ModelRegistryException Invalid(string message) => new(message);

    /// <summary>One dimension set, and whether it needs the per-client Model and Provider values.</summary>
    internal sealed record DimensionSet(JsonEncodedText[] Keys, bool UsesModel, bool UsesProvider);
}
