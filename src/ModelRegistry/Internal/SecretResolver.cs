using System.Collections.Concurrent;

namespace ModelRegistry.Internal;

/// <summary>
/// Resolves secret references through the registered <see cref="ISecretSource"/>s, once per reference (concurrent first
/// reads share one read), and tells the redactor every value it returns. Failed reads are forgotten so the next call
/// tries again. A value that is not a reference is refused without being repeated: it is most likely the secret itself.
/// </summary>
internal sealed class SecretResolver(IEnumerable<ISecretSource> sources, SecretRedactor redactor) : ISecretResolver
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
        if (!SecretReferences.TryParse(reference, out var scheme, out var name))
        {
            throw new ModelRegistryException(
                "A secret reference must be \"scheme:name\" (\"env:MY_API_KEY\", \"ssm:/prod/api-key\") or an environment variable name in capitals, " +
                "but the value given is neither; it is not shown, as it may be the secret itself. Put the secret in a store and reference it.");
        }

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

        redactor.Add(secret);
        return secret;
    }
}
