namespace ModelRegistry.Internal;

/// <summary>Token buckets in process memory, refilled lazily from <see cref="TimeProvider"/> on each use.</summary>
internal sealed class InMemoryRateLimitStore(TimeProvider time) : IRateLimitStore
{
    private readonly Dictionary<string, State> _buckets = new(StringComparer.Ordinal);

    public ValueTask<RateLimitDecision> TryTakeAsync(string key, RateLimitBucket bucket, long cost, CancellationToken cancellationToken)
    {
        cost = Math.Clamp(cost, 1, bucket.Capacity);
        lock (_buckets)
        {
            var state = Refill(key, bucket);
            if (state.Tokens >= cost)
            {
                state.Tokens -= cost;
                return ValueTask.FromResult(new RateLimitDecision(true, TimeSpan.Zero));
            }

            var missing = cost - state.Tokens;
            return ValueTask.FromResult(new RateLimitDecision(false, TimeSpan.FromTicks((long)Math.Ceiling(missing * bucket.Period.Ticks / bucket.Capacity))));
        }
    }

    public ValueTask AdjustAsync(string key, RateLimitBucket bucket, long amount, CancellationToken cancellationToken)
    {
        lock (_buckets)
        {
            var state = Refill(key, bucket);
            state.Tokens = Math.Min(bucket.Capacity, state.Tokens - amount);
        }

        return ValueTask.CompletedTask;
    }

    private State Refill(string key, RateLimitBucket bucket)
    {
        var now = time.GetUtcNow();
        if (!_buckets.TryGetValue(key, out var state))
        {
            state = new State { Tokens = bucket.Capacity, At = now };
            _buckets.Add(key, state);
            return state;
        }

        var elapsed = now - state.At;
        if (elapsed > TimeSpan.Zero)
        {
            state.Tokens = Math.Min(bucket.Capacity, state.Tokens + (elapsed.Ticks * (double)bucket.Capacity / bucket.Period.Ticks));
            state.At = now;
        }

        return state;
    }

    private sealed class State
    {
        public double Tokens { get; set; }

        public DateTimeOffset At { get; set; }
    }
}
