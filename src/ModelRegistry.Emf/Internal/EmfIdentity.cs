using System.Text.Json;

namespace ModelRegistry.Emf.Internal;

/// <summary>
/// What a client reports every call under: the Model and Provider values, the entry's model id and prices, and the
/// dimension sets those values can fill. A set naming a value CloudWatch would reject is left out (with
/// <see cref="Problem"/> saying why), so the line still carries the other sets and every property.
/// </summary>
internal sealed class EmfIdentity
{
    public EmfIdentity(EmfSettings settings, string model, string provider, string? defaultModelId, ModelPricing? pricing)
    {
        Model = EmfNames.Encode(model);
        Provider = EmfNames.Encode(provider);
        DefaultModelId = defaultModelId;
        Pricing = pricing;

        var modelProblem = EmfRules.CheckDimensionValue(model);
        var providerProblem = EmfRules.CheckDimensionValue(provider);
        Sets = [.. settings.DimensionSets
            .Where(s => !(s.UsesModel && modelProblem is not null) && !(s.UsesProvider && providerProblem is not null))
            .Select(s => s.Keys)];
        if (Sets.Length < settings.DimensionSets.Length)
        {
            Problem = modelProblem is not null
                ? $"the Model dimension value '{Truncate(model)}' is invalid ({modelProblem})"
                : $"the Provider dimension value '{Truncate(provider)}' is invalid ({providerProblem})";
        }
    }

    public JsonEncodedText Model { get; }

    public JsonEncodedText Provider { get; }

    /// <summary>The provider model id reported when neither the response nor the options name one.</summary>
    public string? DefaultModelId { get; }

    public ModelPricing? Pricing { get; }

    /// <summary>The dimension sets written on each line; empty when none can be filled (the line then carries no metrics).</summary>
    public JsonEncodedText[][] Sets { get; }

    /// <summary>
    /// The constant middle of this client's lines (EMF metadata, Model, Provider, default dimensions), built on first
    /// use: [0] without the time-to-first-token metric (responses), [1] with it (streams).
    /// </summary>
    public byte[]?[] LineTemplates { get; } = new byte[]?[2];

    /// <summary>Why some dimension sets are left out; <see langword="null"/> when none is.</summary>
    public string? Problem { get; }

    private static string Truncate(string value) => value.Length <= 64 ? value : string.Concat(value.AsSpan(0, 64), "...");
}
