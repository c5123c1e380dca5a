using System.Collections.Concurrent;

namespace ModelRegistry.Internal;

/// <summary>
/// Resolves <c>scheme:name</c> references through the registered <see cref="ISecretSource"/>s, once per reference
/// (concurrent first reads share one read). Failed reads are forgotten so the next call tries again.
/// </summary>
internal sealed class SecretResolver(IEnumerable<ISecretSource> sources) : ISecretResolver
{
    private readonly Dictionary<string, ISecretSource> _sources = sources
        .GroupBy(s => s.Scheme, StringComparer.OrdinalIgnoreCase)
        .ToDictionary(g => g.Key, g => g.Last(), StringComparer.OrdinalIgnoreCase);

    private readonly ConcurrentDictionary<string, Task<string>> _cache = new(StringComparer.Ordinal);

    public async ValueTask<string> ResolveAsync(string reference, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        var read = _cache.GetOrAdd(reference, ReadAsync);
        try
        {
            return await read.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (read.IsFaulted || read.IsCanceled)
        {
            _cache.TryRemove(new KeyValuePair<string, Task<string>>(reference, read));
            throw;
        }
    }

    private async Task<string> ReadAsync(string reference)
    {
        var (scheme, name) = Split(reference);
        if (!_sources.TryGetValue(scheme, out var source))
        {
            throw new ModelRegistryException(
                $"The secret reference '{reference}' uses the scheme '{scheme}', which no secret source serves. " +
                $"Known schemes: {string.Join(", ", _sources.Keys.Order(StringComparer.Ordinal))}. " +
                (scheme == "ssm" ? "Add the ModelRegistry.ParameterStore package and call .AddParameterStore() on AddModelRegistry()." : "Use env:NAME for an environment variable."));
        }

        var secret = await source.GetSecretAsync(name, CancellationToken.None).ConfigureAwait(false);
        if (string.IsNullOrEmpty(secret))
        {
            throw new ModelRegistryException(scheme == "env"
                ? $"The secret '{reference}' is not set: the environment variable {name} is empty or missing. Set it, or point the setting at another secret."
                : $"The secret '{reference}' was not found by the '{scheme}' source. Create it, or point the setting at another secret.");
        }

        return secret;
    }

    private (string Scheme, string Name) Split(string reference)
    {
        var colon = reference.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0)
        {
            var scheme = reference[..colon];
            if (_sources.ContainsKey(scheme) || scheme.All(char.IsAsciiLetterLower))
            {
                return (scheme, reference[(colon + 1)..]);
            }
        }

        return ("env", reference);
    }
}
