namespace ModelRegistry;

/// <summary>Keys the registry sets in a response's <c>AdditionalProperties</c>.</summary>
public static class RegistryProperties
{
    /// <summary>
    /// The registry name of the entry that answered, set when the entry has fallbacks (on the response, or on the first
    /// update of a stream). Absent means the entry that was asked for answered.
    /// </summary>
    public const string ServedBy = "model_registry.served_by";
}
