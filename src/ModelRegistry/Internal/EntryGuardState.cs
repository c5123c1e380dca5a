using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;

namespace ModelRegistry.Internal;

/// <summary>
/// What an entry's guard knows that must outlive any one client of the entry: the calls in flight (for
/// <c>limits:max_concurrency</c>) and the circuit breaker. The registry keeps one per entry name, so a refresh that
/// rebuilds the entry's client keeps both. The rate buckets need nothing here: the store already keeps them by name.
/// </summary>
/// <remarks>
/// In-flight calls are counted by name whatever client version they started on, and each new call is checked against
/// the limit of the definition it runs on: lowering <c>max_concurrency</c> refuses new calls until fewer than the new
/// limit are in flight (the calls already running finish), raising it admits more at once. The breaker keeps its state
/// while the entry's <c>circuit_breaker:*</c> settings are unchanged; a change of them starts a new, closed breaker.
/// </remarks>
internal sealed class EntryGuardState(string name, TimeProvider time, ILogger logger, RegistryMetrics metrics)
{
    private readonly Lock _gate = new();
    private int _inFlight;
    private BreakerSlot? _breaker;

    /// <summary>Calls in flight on the entry now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>The breaker's state: closed when there is none, or none was built yet.</summary>
    public CircuitState CircuitState => Volatile.Read(ref _breaker)?.Breaker?.State ?? CircuitState.Closed;

    /// <summary>Takes a slot when fewer than <paramref name="limit"/> calls are in flight; release it with <see cref="Exit"/>.</summary>
    public bool TryEnter(int limit)
    {
        while (true)
        {
            var current = Volatile.Read(ref _inFlight);
            if (current >= limit)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _inFlight, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    /// <summary>Gives back a slot taken by <see cref="TryEnter"/>.</summary>
    public void Exit() => Interlocked.Decrement(ref _inFlight);

    /// <summary>The breaker for these settings: the entry's current one while its settings are the same, else a new one; <see langword="null"/> when disabled.</summary>
    public EntryBreaker? BreakerFor(EntryGuardOptions options)
    {
        var settings = BreakerSettings.From(options);
        var current = Volatile.Read(ref _breaker);
        if (current is not null && current.Settings == settings)
        {
            return current.Breaker;
        }

        lock (_gate)
        {
            if (_breaker is null || _breaker.Settings != settings)
            {
                _breaker = new BreakerSlot(settings, settings.Enabled
                    ? new EntryBreaker(settings.FailureRatio, settings.MinimumThroughput, settings.SamplingDuration, settings.BreakDuration, settings.MaxRetryAfter, name, time, logger, metrics)
                    : null);
            }

            return _breaker.Breaker;
        }
    }

    private sealed record BreakerSlot(BreakerSettings Settings, EntryBreaker? Breaker);

    private readonly record struct BreakerSettings(bool Enabled, double FailureRatio, int MinimumThroughput, TimeSpan SamplingDuration, TimeSpan BreakDuration, TimeSpan MaxRetryAfter)
    {
        public static BreakerSettings From(EntryGuardOptions options) =>
            new(options.BreakerEnabled, options.FailureRatio, options.MinimumThroughput, options.SamplingDuration, options.BreakDuration, options.MaxRetryAfter);
    }
}
