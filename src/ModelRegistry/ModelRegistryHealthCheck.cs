using System.Collections.Concurrent;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelRegistry.Internal;
using Polly.CircuitBreaker;

namespace ModelRegistry;

/// <summary>
/// The registry's health: loads the registry (unhealthy when it cannot be loaded), runs each entry's token-free provider
/// probe (<see cref="IChatClientProvider.CheckHealthAsync"/>: credentials resolve, the provider reports the model
/// available) and reports each entry's circuit breaker. Healthy when every entry is; degraded when some entry is not or a
/// breaker is open; unhealthy when no entry is. The data holds one line per entry. A probe result is reused for a minute,
/// so a frequently polled endpoint does not hammer the providers. Register it with
/// <c>services.AddHealthChecks().AddModelRegistry()</c>.
/// </summary>
public sealed class ModelRegistryHealthCheck : IHealthCheck
{
    /// <summary>How long one entry's probe may take before it counts as unhealthy.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long a probe's result is reused.</summary>
    public static readonly TimeSpan ProbeCacheDuration = TimeSpan.FromMinutes(1);

    private readonly ModelRegistryService _registry;
    private readonly IServiceProvider _services;
    private readonly TimeProvider _time;
    private readonly IReadOnlyCollection<string>? _models;
    private readonly ConcurrentDictionary<string, (ModelEntry Entry, HealthCheckResult Result, DateTimeOffset At)> _probes = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates the check over the application's registry.</summary>
    /// <param name="registry">The registry, as <c>AddModelRegistry()</c> registered it.</param>
    /// <param name="services">The application's services, which the providers' probes use.</param>
    /// <param name="time">The clock for the probe cache.</param>
    /// <param name="models">The registry names to probe; <see langword="null"/> for every entry.</param>
    public ModelRegistryHealthCheck(IModelRegistry registry, IServiceProvider services, TimeProvider time, IReadOnlyCollection<string>? models = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(time);
        _registry = registry as ModelRegistryService
            ?? throw new ArgumentException("The health check reports on the registry that AddModelRegistry() registers.", nameof(registry));
        _services = services;
        _time = time;
        _models = models;
    }

    /// <summary>The status to report a failure with: the registration's, or unhealthy when run outside a registration.</summary>
    private static HealthStatus FailureStatus(HealthCheckContext? context) =>
        (HealthCheckRegistration?)context?.Registration is { } registration ? registration.FailureStatus : HealthStatus.Unhealthy;

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<ModelEntry> entries;
        try
        {
            entries = await _registry.GetEntriesAsync(cancellationToken).ConfigureAwait(false);
            if (_models is not null)
            {
                entries = [.. _models.Select(name => entries.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
                    ?? throw new ModelRegistryException($"The health check names model '{name}', which is not in the registry. Known models: {string.Join(", ", entries.Select(e => e.Name))}."))];
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Any failure to read the registry (invalid, unreachable source, denied) is the report, not an exception.
            return new HealthCheckResult(FailureStatus(context), "The model registry cannot be loaded.", ex);
        }

        var results = await Task.WhenAll(entries.Select(e => ProbeAsync(e, cancellationToken))).ConfigureAwait(false);
        var breakers = _registry.BuiltEntries.ToDictionary(b => b.Entry.Name, b => b.Guard.CircuitState, StringComparer.OrdinalIgnoreCase);
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var unhealthy = new List<string>();
        var open = new List<string>();
        for (var i = 0; i < entries.Count; i++)
        {
            var (entry, result) = (entries[i], results[i]);
            var breaker = breakers.TryGetValue(entry.Name, out var state) ? state : CircuitState.Closed;
            if (breaker is CircuitState.Open or CircuitState.Isolated)
            {
                open.Add(entry.Name);
            }

            if (result.Status != HealthStatus.Healthy)
            {
                unhealthy.Add(entry.Name);
            }

            data[entry.Name] = $"{result.Status}; circuit breaker {breaker}; {result.Description}";
        }

        if (entries.Count > 0 && unhealthy.Count == entries.Count)
        {
            return new HealthCheckResult(FailureStatus(context), $"No model is available: {string.Join(", ", unhealthy)}.", data: data);
        }

        if (unhealthy.Count > 0 || open.Count > 0)
        {
            var parts = new List<string>();
            if (unhealthy.Count > 0)
            {
                parts.Add($"not available: {string.Join(", ", unhealthy)}");
            }

            if (open.Count > 0)
            {
                parts.Add($"circuit breaker open: {string.Join(", ", open)}");
            }

            return HealthCheckResult.Degraded($"{entries.Count} models; {string.Join("; ", parts)}.", data: data);
        }

        return HealthCheckResult.Healthy($"{entries.Count} models available; no circuit breaker open.", data);
    }

    private async Task<HealthCheckResult> ProbeAsync(ModelEntry entry, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_probes.TryGetValue(entry.Name, out var cached) && cached.Entry.HasSameDefinition(entry) && now - cached.At < ProbeCacheDuration)
        {
            return cached.Result;
        }

        HealthCheckResult result;
        using var timeout = new CancellationTokenSource(ProbeTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            result = await _registry.ProviderOf(entry).CheckHealthAsync(entry, _services, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            result = HealthCheckResult.Unhealthy($"The probe did not finish within {ProbeTimeout.TotalSeconds:0} s.");
        }
        catch (Exception ex) when (ex is ModelRegistryException or ModelProviderException)
        {
            result = HealthCheckResult.Unhealthy(ex.Message, ex);
        }

        _probes[entry.Name] = (entry, result, now);
        return result;
    }
}
