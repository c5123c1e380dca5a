using Microsoft.Extensions.Logging;
using Polly;
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
internal sealed partial class EntryGuardState(string name, TimeProvider time, ILogger logger, RegistryMetrics metrics)
{
    private readonly Lock _gate = new();
    private int _inFlight;
    private Breaker? _breaker;

    /// <summary>Calls in flight on the entry now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>The breaker's state: closed when there is none, or none was built yet.</summary>
    public CircuitState CircuitState => Volatile.Read(ref _breaker) is { Pipeline: not null } breaker ? breaker.State.CircuitState : CircuitState.Closed;

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

    /// <summary>The breaker for these settings: the entry's current one while its settings are the same, else a new one.</summary>
    public ResiliencePipeline? BreakerFor(EntryGuardOptions options)
    {
        var settings = BreakerSettings.From(options);
        var current = Volatile.Read(ref _breaker);
        if (current is not null && current.Settings == settings)
        {
            return current.Pipeline;
        }

        lock (_gate)
        {
            if (_breaker is null || _breaker.Settings != settings)
            {
                _breaker = Create(settings);
            }

            return _breaker.Pipeline;
        }
    }

    private Breaker Create(BreakerSettings settings)
    {
        var state = new CircuitBreakerStateProvider();
        if (!settings.Enabled)
        {
            return new Breaker(settings, null, state);
        }

        var cooldown = new BreakCooldown(settings.BreakDuration, settings.MaxRetryAfter);
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = settings.FailureRatio,
                MinimumThroughput = settings.MinimumThroughput,
                SamplingDuration = settings.SamplingDuration,
                BreakDurationGenerator = cooldown.NextAsync,
                StateProvider = state,
                ShouldHandle = args =>
                {
                    var counts = args.Outcome.Exception is { } ex && EntryGuardChatClient.CountsAgainstBreaker(ex);
                    if (counts)
                    {
                        cooldown.Observe(args.Outcome.Exception!);
                    }

                    return ValueTask.FromResult(counts);
                },
                OnOpened = args =>
                {
                    Log.BreakerOpened(logger, name, args.BreakDuration.TotalSeconds);
                    metrics.RecordBreakerState(name, "open");
                    return ValueTask.CompletedTask;
                },
                OnHalfOpened = _ =>
                {
                    Log.BreakerHalfOpened(logger, name);
                    metrics.RecordBreakerState(name, "half_open");
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    Log.BreakerClosed(logger, name);
                    metrics.RecordBreakerState(name, "closed");
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        return new Breaker(settings, pipeline, state);
    }

    private sealed record Breaker(BreakerSettings Settings, ResiliencePipeline? Pipeline, CircuitBreakerStateProvider State);

    private readonly record struct BreakerSettings(bool Enabled, double FailureRatio, int MinimumThroughput, TimeSpan SamplingDuration, TimeSpan BreakDuration, TimeSpan MaxRetryAfter)
    {
        public static BreakerSettings From(EntryGuardOptions options) =>
            new(options.BreakerEnabled, options.FailureRatio, options.MinimumThroughput, options.SamplingDuration, options.BreakDuration, options.MaxRetryAfter);
    }

    private static partial class Log
    {
        [LoggerMessage(20, LogLevel.Warning, "Circuit breaker of model {Model} opened for {Seconds} s after repeated failures.")]
        public static partial void BreakerOpened(ILogger logger, string model, double seconds);

        [LoggerMessage(21, LogLevel.Information, "Circuit breaker of model {Model} is half-open: the next call tests the model.")]
        public static partial void BreakerHalfOpened(ILogger logger, string model);

        [LoggerMessage(22, LogLevel.Information, "Circuit breaker of model {Model} closed: the model answers again.")]
        public static partial void BreakerClosed(ILogger logger, string model);
    }
}
