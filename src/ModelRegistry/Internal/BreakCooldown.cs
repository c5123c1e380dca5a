namespace ModelRegistry.Internal;

/// <summary>
/// How long an entry's breaker stays open: its <c>circuit_breaker:break_duration_ms</c>, or longer when the failure
/// that opened it carried a <c>Retry-After</c> (a 429 or 503 that says when to come back), up to the entry's
/// <c>resilience:max_retry_after_ms</c>. A fixed break would try the model again while it still asks to be left alone;
/// adding the two would keep it away longer than needed.
/// </summary>
internal sealed class BreakCooldown(TimeSpan breakDuration, TimeSpan maxRetryAfter)
{
    private long _retryAfterTicks;

    /// <summary>Remembers the Retry-After of the latest failure the breaker counted (none clears it).</summary>
    public void Observe(Exception exception) =>
        Interlocked.Exchange(ref _retryAfterTicks, exception is ModelProviderException { RetryAfter: { } wait } && wait > TimeSpan.Zero ? wait.Ticks : 0);

    /// <summary>The break for the opening the latest failure caused.</summary>
    public TimeSpan Next()
    {
        var retryAfter = TimeSpan.FromTicks(Interlocked.Exchange(ref _retryAfterTicks, 0));
        var wait = retryAfter < maxRetryAfter ? retryAfter : maxRetryAfter;
        return wait > breakDuration ? wait : breakDuration;
    }
}
