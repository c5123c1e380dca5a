using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelRegistry.Internal;
using Polly.CircuitBreaker;

namespace ModelRegistry;

/// <summary>
/// Reports the registry's health without calling any model: unhealthy when the registry cannot be loaded, degraded
/// while an entry's circuit breaker is open (naming the entries), healthy otherwise. Register it with
/// <c>services.AddHealthChecks().AddCheck&lt;ModelRegistryHealthCheck&gt;("models")</c>.
/// </summary>
public sealed class ModelRegistryHealthCheck : IHealthCheck
{
    private readonly ModelRegistryService _registry;

    /// <summary>Creates the check over the application's registry.</summary>
    /// <param name="registry">The registry, as <c>AddModelRegistry()</c> registered it.</param>
    public ModelRegistryHealthCheck(IModelRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry as ModelRegistryService
            ?? throw new ArgumentException("The health check reports on the registry that AddModelRegistry() registers.", nameof(registry));
    }

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<ModelEntry> entries;
        try
        {
            entries = await _registry.GetEntriesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ModelRegistryException ex)
        {
            return HealthCheckResult.Unhealthy("The model registry cannot be loaded.", ex);
        }

        var states = _registry.BuiltEntries.ToDictionary(b => b.Entry.Name, b => b.Guard.CircuitState.ToString(), StringComparer.Ordinal);
        var open = _registry.BuiltEntries
            .Where(b => b.Guard.CircuitState is CircuitState.Open or CircuitState.Isolated)
            .Select(b => b.Entry.Name)
            .Order(StringComparer.Ordinal)
            .ToList();
        var data = states.ToDictionary(s => s.Key, s => (object)s.Value, StringComparer.Ordinal);
        return open.Count == 0
            ? HealthCheckResult.Healthy($"{entries.Count} models registered; no circuit breaker open.", data)
            : HealthCheckResult.Degraded($"Circuit breaker open for: {string.Join(", ", open)}.", data: data);
    }
}
