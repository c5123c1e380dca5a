using ModelRegistry.Providers;

namespace ModelRegistry.Internal;

/// <summary>
/// The entry keys the registry itself owns, besides <c>provider</c>, <c>model_id</c>, <c>fallbacks</c>,
/// <c>capabilities</c> and <c>pricing</c>: retry and transport (<c>resilience:*</c>), circuit breaker
/// (<c>circuit_breaker:*</c>), client-side limits (<c>limits:*</c>), how the capability gate counts input
/// (<c>token_count</c>), which answers fall back (<c>fallback_on:*</c>) and access (<c>allowed_roles</c>). The ranges
/// are those the runtime accepts.
/// </summary>
internal static class CoreSettings
{
    private const long Day = 24L * 60 * 60 * 1000;

    public static readonly EntrySetting<long> MaxRetries = EntrySettings.WholeNumber("resilience:max_retries", 0, 20);
    public static readonly EntrySetting<TimeSpan> BaseDelay = EntrySettings.Milliseconds("resilience:base_delay_ms", 0, Day);
    public static readonly EntrySetting<TimeSpan> MaxDelay = EntrySettings.Milliseconds("resilience:max_delay_ms", 0, Day);
    public static readonly EntrySetting<TimeSpan> AttemptTimeout = EntrySettings.Milliseconds("resilience:attempt_timeout_ms", 10, Day);
    public static readonly EntrySetting<TimeSpan> MaxRetryAfter = EntrySettings.Milliseconds("resilience:max_retry_after_ms", 0, Day);
    public static readonly EntrySetting<TimeSpan> StreamIdleTimeout = EntrySettings.Milliseconds("resilience:stream_idle_timeout_ms", 10, Day);
    public static readonly EntrySetting<long> MaxResponseBytes = EntrySettings.WholeNumber("resilience:max_response_bytes", ProviderResilienceOptions.MinimumByteLimit, ProviderResilienceOptions.MaximumByteLimit);
    public static readonly EntrySetting<long> MaxEventBytes = EntrySettings.WholeNumber("resilience:max_event_bytes", ProviderResilienceOptions.MinimumByteLimit, ProviderResilienceOptions.MaximumByteLimit);

    public static readonly EntrySetting<bool> BreakerEnabled = EntrySettings.Boolean("circuit_breaker:enabled");
    public static readonly EntrySetting<double> FailureRatio = EntrySettings.Ratio("circuit_breaker:failure_ratio");
    public static readonly EntrySetting<long> MinimumThroughput = EntrySettings.WholeNumber("circuit_breaker:minimum_throughput", 2, 10_000);
    public static readonly EntrySetting<TimeSpan> SamplingDuration = EntrySettings.Milliseconds("circuit_breaker:sampling_duration_ms", 500, Day);
    public static readonly EntrySetting<TimeSpan> BreakDuration = EntrySettings.Milliseconds("circuit_breaker:break_duration_ms", 500, Day);

    public static readonly EntrySetting<long> MaxConcurrency = EntrySettings.WholeNumber("limits:max_concurrency", 1, 100_000);
    public static readonly EntrySetting<long> RequestsPerMinute = EntrySettings.WholeNumber("limits:requests_per_minute", 1, 10_000_000);
    public static readonly EntrySetting<long> TokensPerMinute = EntrySettings.WholeNumber("limits:tokens_per_minute", 1, int.MaxValue);

    /// <summary><c>estimate</c> (the default: no network) or <c>exact</c> (the provider counts the input before every call that has a context window to check).</summary>
    public static readonly EntrySetting<bool> ExactTokenCount = EntrySettings.Choice("token_count", ("estimate", false), ("exact", true));

    /// <summary>Whether a context-window error falls back to a fallback with a larger window. Default true.</summary>
    public static readonly EntrySetting<bool> FallbackOnContextWindow = EntrySettings.Boolean("fallback_on:context_window");

    /// <summary>Whether an answer the provider's content filter or guardrail stopped falls back. Default false.</summary>
    public static readonly EntrySetting<bool> FallbackOnContentFilter = EntrySettings.Boolean("fallback_on:content_filter");

    /// <summary>
    /// The roles allowed to call the entry: a list (<c>["admin", "user"]</c>, flattened to <c>allowed_roles:0</c>...) or
    /// one comma-separated text. Absent: every caller may.
    /// </summary>
    public static readonly EntrySetting<string> AllowedRoles = EntrySettings.Text(
        "allowed_roles",
        "a list of role names such as [\"admin\", \"user\"]",
        text => text.Split(',').All(role => role.Trim().Length > 0));

    /// <summary>Every key above, for validation and suggestions.</summary>
    public static readonly IReadOnlyList<EntrySetting> All =
    [
        MaxRetries, BaseDelay, MaxDelay, AttemptTimeout, MaxRetryAfter, StreamIdleTimeout, MaxResponseBytes, MaxEventBytes,
        BreakerEnabled, FailureRatio, MinimumThroughput, SamplingDuration, BreakDuration,
        MaxConcurrency, RequestsPerMinute, TokensPerMinute,
        ExactTokenCount, FallbackOnContextWindow, FallbackOnContentFilter,
        AllowedRoles,
    ];

    /// <summary>The groups whose keys are all declared here: any other key inside them is a typo.</summary>
    public static readonly IReadOnlyList<string> Groups = ["resilience", "circuit_breaker", "limits", "fallback_on"];
}
