namespace ModelRegistry.Mistral;

/// <summary>
/// What <c>GET /v1/models/{id}</c> says about a model: it exists and the key may use it (else the probe throws), and
/// whether it is deprecated. The probe costs no tokens.
/// </summary>
public sealed record MistralModelStatus
{
    /// <summary>The model id the API answered with (an alias such as <c>mistral-large-latest</c> resolves to a version).</summary>
    public required string ModelId { get; init; }

    /// <summary>Whether the model is deprecated: the response carried <c>x-model-deprecation-timestamp</c> or a <c>deprecation</c> date.</summary>
    public bool IsDeprecated { get; init; }

    /// <summary>When the model will be retired, when the API said so in a form that parses.</summary>
    public DateTimeOffset? DeprecationDate { get; init; }

    /// <summary>The model Mistral suggests instead, when it names one.</summary>
    public string? ReplacementModelId { get; init; }

    /// <summary>The model's context window in tokens, when the API says.</summary>
    public int? MaxContextLength { get; init; }
}
