using System.Globalization;

namespace ModelRegistry;

/// <summary>
/// The HTTP retry policy every provider applies to its calls: exponential backoff with jitter on 408, 429, 500,
/// 502, 503, 504, connection failures and attempt timeouts, honouring <c>Retry-After</c>. A stream is never retried
/// once its response headers arrived. Set defaults on <see cref="ModelRegistryOptions.Resilience"/>; an entry
/// overrides them with <c>resilience:max_retries</c>, <c>resilience:base_delay_ms</c>, <c>resilience:max_delay_ms</c>,
/// <c>resilience:attempt_timeout_ms</c> and <c>resilience:max_retry_after_ms</c>.
/// </summary>
public sealed class ProviderResilienceOptions
{
    /// <summary>Retries after the first attempt; 0 turns retrying off. Default 3.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first backoff delay, doubled on each retry. Default 1 second.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest backoff delay. Default 30 seconds.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one attempt may wait for the response headers; <see langword="null"/> for no limit. Default 100 seconds.</summary>
    public TimeSpan? AttemptTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// The longest <c>Retry-After</c> the policy waits out. A provider asking for a longer wait fails the call at once
    /// with <see cref="ModelProviderException.RetryAfter"/> set, so a fallback can answer instead. Default 60 seconds.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Whether backoff delays are randomised, so that many clients do not retry in step. Default true.</summary>
    public bool UseJitter { get; set; } = true;

    /// <summary>Returns a copy with the entry's <c>resilience:*</c> settings applied.</summary>
    /// <param name="entry">The registry entry.</param>
    /// <exception cref="ModelRegistryException">A setting is not a number in range; the message names the entry and the setting.</exception>
    public ProviderResilienceOptions ForEntry(ModelEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new ProviderResilienceOptions
        {
            MaxRetries = (int)(ReadNumber(entry, "resilience:max_retries", 0, 20) ?? MaxRetries),
            BaseDelay = ReadMilliseconds(entry, "resilience:base_delay_ms") ?? BaseDelay,
            MaxDelay = ReadMilliseconds(entry, "resilience:max_delay_ms") ?? MaxDelay,
            AttemptTimeout = ReadMilliseconds(entry, "resilience:attempt_timeout_ms") ?? AttemptTimeout,
            MaxRetryAfter = ReadMilliseconds(entry, "resilience:max_retry_after_ms") ?? MaxRetryAfter,
            UseJitter = UseJitter,
        };
    }

    private static TimeSpan? ReadMilliseconds(ModelEntry entry, string key) =>
        ReadNumber(entry, key, 0, int.MaxValue) is { } ms ? TimeSpan.FromMilliseconds(ms) : null;

    private static long? ReadNumber(ModelEntry entry, string key, long min, long max)
    {
        var text = entry.GetSetting(key);
        if (text is null)
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new ModelRegistryException(
                $"Model registry entry '{entry.Name}': setting '{key}' must be a whole number from {min} to {max}, but is '{text}'. Fix the entry's value in the registry.");
        }

        return value;
    }
}
