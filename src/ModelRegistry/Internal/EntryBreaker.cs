using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;

namespace ModelRegistry.Internal;

/// <summary>
/// An entry's circuit breaker, with the semantics of Polly's advanced circuit breaker, which it replaced because
/// Polly's pipeline cost ≈ 300 ns per call (a pooled context, two locks, delegate calls) and its builder a large part of
/// an entry's first call. Closed, it counts outcomes in a sampling window of ten rolling sub-windows and opens when, in
/// the window, at least <c>minimum_throughput</c> calls were made and at least <c>failure_ratio</c> of them failed. Open,
/// it refuses calls until the break ends (<see cref="BreakCooldown"/>: the break duration, or a longer Retry-After); the
/// first call after that tests the model (half-open; others are refused meanwhile): a success closes the breaker and
/// forgets the window, a failure opens it again.
/// </summary>
/// <remarks>
/// A success on a closed breaker, the common case, takes no lock: one read of the clock and one interlocked increment
/// of the current sub-window (a new sub-window, once per tenth of the sampling duration, is made under the lock).
/// Everything else happens under the lock. An outcome that <see cref="EntryGuardChatClient.CountsAgainstBreaker"/> does
/// not count (a bad request, a cancellation) counts as a success, as Polly counts an unhandled outcome.
/// </remarks>
internal sealed partial class EntryBreaker
{
    private const int Windows = 10;
    private const string RefusedMessage = "The circuit is now open and is not allowing calls.";

    private readonly Lock _gate = new();
    private readonly Queue<Window> _windows = new();
    private readonly BreakCooldown _cooldown;
    private readonly double _failureRatio;
    private readonly int _minimumThroughput;
    private readonly TimeSpan _samplingDuration;
    private readonly TimeSpan _windowDuration;
    private readonly TimeSpan _breakDuration;
    private readonly string _name;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RegistryMetrics _metrics;
    private volatile Window? _current;
    private volatile int _state; // a CircuitState
    private DateTimeOffset _blockedUntil;
    private Exception? _breakingException;

    public EntryBreaker(double failureRatio, int minimumThroughput, TimeSpan samplingDuration, TimeSpan breakDuration, TimeSpan maxRetryAfter,
        string name, TimeProvider time, ILogger logger, RegistryMetrics metrics)
    {
        _failureRatio = failureRatio;
        _minimumThroughput = minimumThroughput;
        _samplingDuration = samplingDuration;
        _windowDuration = TimeSpan.FromTicks(samplingDuration.Ticks / Windows);
        _breakDuration = breakDuration;
        _cooldown = new BreakCooldown(breakDuration, maxRetryAfter);
        _name = name;
        _time = time;
        _logger = logger;
        _metrics = metrics;
    }

    /// <summary>The breaker's state as it was last changed by a call (an open breaker whose break is over reads open until a call tests it).</summary>
    public CircuitState State => (CircuitState)_state;

    /// <summary>Lets a call through, or returns the exception that refuses it (the breaker is open, or half-open and testing).</summary>
    public BrokenCircuitException? TryEnter()
    {
        if (_state == (int)CircuitState.Closed)
        {
            return null;
        }

        var halfOpened = false;
        BrokenCircuitException? refused = null;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (_state == (int)CircuitState.Open && now >= _blockedUntil)
            {
                // The break is over: this call tests the model; the next test, if it never ends, after another break.
                _blockedUntil = now + _breakDuration;
                _state = (int)CircuitState.HalfOpen;
                halfOpened = true;
            }
            else if (_state != (int)CircuitState.Closed)
            {
                var retryAfter = _blockedUntil - now;
                refused = _breakingException is { } breaking
                    ? new BrokenCircuitException(RefusedMessage, retryAfter, breaking)
                    : new BrokenCircuitException(RefusedMessage, retryAfter);
            }
        }

        if (halfOpened)
        {
            Log.BreakerHalfOpened(_logger, _name);
            _metrics.RecordBreakerState(_name, "half_open");
        }

        return refused;
    }

    /// <summary>Records the outcome of a call <see cref="TryEnter"/> let through: <paramref name="exception"/> is <see langword="null"/> on success.</summary>
    public void Record(Exception? exception)
    {
        if (exception is null || !EntryGuardChatClient.CountsAgainstBreaker(exception))
        {
            RecordSuccess();
        }
        else
        {
            RecordFailure(exception);
        }
    }

    /// <summary>Records a call that succeeded (or failed in a way that does not count against the model).</summary>
    public void RecordSuccess()
    {
        if (_state == (int)CircuitState.Closed && _current is { } window && _time.GetUtcNow() - window.StartedAt < _windowDuration)
        {
            Interlocked.Increment(ref window.Successes);
            return;
        }

        var closed = false;
        lock (_gate)
        {
            Interlocked.Increment(ref CurrentWindow(_time.GetUtcNow()).Successes);
            if (_state == (int)CircuitState.HalfOpen)
            {
                _blockedUntil = DateTimeOffset.MinValue;
                _breakingException = null;
                _state = (int)CircuitState.Closed;
                _current = null;
                _windows.Clear();
                closed = true;
            }
        }

        if (closed)
        {
            Log.BreakerClosed(_logger, _name);
            _metrics.RecordBreakerState(_name, "closed");
        }
    }

    private void RecordFailure(Exception exception)
    {
        _cooldown.Observe(exception);
        TimeSpan? opened = null;
        lock (_gate)
        {
            _breakingException = exception;
            var now = _time.GetUtcNow();
            var open = _state == (int)CircuitState.HalfOpen;
            if (_state != (int)CircuitState.HalfOpen)
            {
                Interlocked.Increment(ref CurrentWindow(now).Failures);
            }

            if (_state == (int)CircuitState.Closed)
            {
                int successes = 0, failures = 0;
                foreach (var window in _windows)
                {
                    successes += Volatile.Read(ref window.Successes);
                    failures += window.Failures;
                }

                var throughput = successes + failures;
                open = throughput >= _minimumThroughput && (double)failures / throughput >= _failureRatio;
            }

            if (open)
            {
                var duration = _cooldown.Next();
                _blockedUntil = duration > DateTimeOffset.MaxValue - now ? DateTimeOffset.MaxValue : now + duration;
                _state = (int)CircuitState.Open;
                opened = duration;
            }
        }

        if (opened is { } breakDuration)
        {
            Log.BreakerOpened(_logger, _name, breakDuration.TotalSeconds);
            _metrics.RecordBreakerState(_name, "open");
        }
    }

    /// <summary>The sub-window counting at <paramref name="now"/>, after dropping those older than the sampling duration; under the lock.</summary>
    private Window CurrentWindow(DateTimeOffset now)
    {
        var current = _current;
        if (current is null || now - current.StartedAt >= _windowDuration)
        {
            current = new Window(now);
            _windows.Enqueue(current);
            _current = current;
        }

        while (now - _windows.Peek().StartedAt >= _samplingDuration)
        {
            _windows.Dequeue();
        }

        return current;
    }

    /// <summary>The outcomes counted in one tenth of the sampling duration, from the first call in it.</summary>
    private sealed class Window(DateTimeOffset startedAt)
    {
        public readonly DateTimeOffset StartedAt = startedAt;
        public int Successes;
        public int Failures;
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
