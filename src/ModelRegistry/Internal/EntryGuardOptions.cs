namespace ModelRegistry.Internal;

/// <summary>
/// An entry's circuit breaker and client-side limits, read from its settings:
/// <c>circuit_breaker:enabled|failure_ratio|minimum_throughput|sampling_duration_ms|break_duration_ms</c> and
/// <c>limits:max_concurrency|requests_per_minute|tokens_per_minute</c> (ranges in <see cref="CoreSettings"/>).
/// </summary>
internal sealed record EntryGuardOptions
{
    public bool BreakerEnabled { get; init; } = true;

    public double FailureRatio { get; init; } = 0.5;

    public int MinimumThroughput { get; init; } = 5;

    public TimeSpan SamplingDuration { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest a Retry-After keeps the breaker open beyond <see cref="BreakDuration"/> (<c>resilience:max_retry_after_ms</c>).</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(60);

    public int? MaxConcurrency { get; init; }

    public int? RequestsPerMinute { get; init; }

    public int? TokensPerMinute { get; init; }

    private static readonly EntryGuardOptions Defaults = new();

    /// <summary>Reads the entry's settings; throws naming the entry and the key when one is invalid.</summary>
    /// <param name="entry">The entry.</param>
    /// <param name="maxRetryAfter">The entry's <c>resilience:max_retry_after_ms</c>, the application's default applied.</param>
    public static EntryGuardOptions For(ModelEntry entry, TimeSpan maxRetryAfter)
    {
        var defaults = Defaults;
        return new EntryGuardOptions
        {
            BreakerEnabled = CoreSettings.BreakerEnabled.GetValueOrDefault(entry, defaults.BreakerEnabled),
            FailureRatio = CoreSettings.FailureRatio.GetValueOrDefault(entry, defaults.FailureRatio),
            MinimumThroughput = (int)CoreSettings.MinimumThroughput.GetValueOrDefault(entry, defaults.MinimumThroughput),
            SamplingDuration = CoreSettings.SamplingDuration.GetValueOrDefault(entry, defaults.SamplingDuration),
            BreakDuration = CoreSettings.BreakDuration.GetValueOrDefault(entry, defaults.BreakDuration),
            MaxRetryAfter = maxRetryAfter,
            MaxConcurrency = CoreSettings.MaxConcurrency.TryGetValue(entry, out var concurrency) ? (int)concurrency : null,
            RequestsPerMinute = CoreSettings.RequestsPerMinute.TryGetValue(entry, out var rpm) ? (int)rpm : null,
            TokensPerMinute = CoreSettings.TokensPerMinute.TryGetValue(entry, out var tpm) ? (int)tpm : null,
        };
    }
}
