namespace ModelRegistry;

/// <summary>
/// One kind of secret store behind <see cref="ISecretResolver"/>, chosen by the reference's scheme.
/// Register implementations as <c>ISecretSource</c> singletons; the resolver caches what they return.
/// </summary>
public interface ISecretSource
{
    /// <summary>The scheme this source serves, without the colon, e.g. <c>env</c> or <c>ssm</c>.</summary>
    string Scheme { get; }

    /// <summary>Reads a secret; <see langword="null"/> when the store has no secret of that name.</summary>
    /// <param name="name">The reference without its scheme.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    ValueTask<string?> GetSecretAsync(string name, CancellationToken cancellationToken);
}
