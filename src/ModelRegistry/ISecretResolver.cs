namespace ModelRegistry;

/// <summary>
/// Turns a secret reference into the secret, cached in memory. Provider packages use it for API keys.
/// A reference is <c>scheme:name</c>: <c>env:MISTRAL_API_KEY</c> reads an environment variable, and the
/// ParameterStore package adds <c>ssm:/path/to/parameter</c>. A reference without a scheme is an environment variable.
/// </summary>
/// <remarks>Secrets never appear in logs, exception messages, metrics or traces; references may.</remarks>
public interface ISecretResolver
{
    /// <summary>Resolves a reference; a failed read is not cached, so the next call tries again.</summary>
    /// <param name="reference">The reference, e.g. <c>env:MISTRAL_API_KEY</c>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="ModelRegistryException">The reference names no secret, or its scheme has no source.</exception>
    ValueTask<string> ResolveAsync(string reference, CancellationToken cancellationToken = default);
}
