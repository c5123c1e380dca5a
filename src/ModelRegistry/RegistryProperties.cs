namespace ModelRegistry;

/// <summary>Keys the registry and every provider set on responses and usage, the same in every provider.</summary>
public static class RegistryProperties
{
    /// <summary>
    /// In <c>UsageDetails.AdditionalCounts</c>: the input tokens written to the provider's prompt cache (reads are
    /// MEAI's own <c>UsageDetails.CachedInputTokenCount</c>). Every provider that reports cache writes uses this key, and
    /// EMF's <c>CacheWriteTokens</c> metric reads it.
    /// </summary>
    public const string CacheWriteInputTokens = "CacheWriteInputTokens";

    /// <summary>
    /// The registry name of the entry that answered, set when the entry has fallbacks (on the response, or on the first
    /// update of a stream). Absent means the entry that was asked for answered.
    /// </summary>
    public const string ServedBy = "model_registry.served_by";

    /// <summary>
    /// On content of an answer that only the provider which produced it can send back (reasoning with its signature or
    /// encrypted data, records of tools the provider ran itself, blocks the client did not map) and on content types
    /// only one provider knows (Bedrock's cache point): that provider's registry name (<c>bedrock</c>, <c>mistral</c>).
    /// When fallback carries the conversation to another provider, that provider sends only what it can take of such
    /// content and never another provider's signature (see "Portable history" in the README).
    /// </summary>
    public const string Origin = "model_registry.origin";

    /// <summary>
    /// In <c>ChatOptions.AdditionalProperties</c>: the caller's roles for the entries' <c>allowed_roles</c>, as a
    /// <see cref="string"/> (one role) or an <see cref="IEnumerable{T}"/> of <see cref="string"/>. When present it decides
    /// alone, instead of <see cref="ModelRegistryCaller.Current"/>. Set it from what your application authenticated, never
    /// from what a user sent.
    /// </summary>
    public const string CallerRoles = "model_registry.roles";
}
