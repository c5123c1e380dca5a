using ModelRegistry.Internal;

namespace ModelRegistry;

/// <summary>
/// How every provider sends its calls: exponential backoff with jitter on 408, 429, 500, 502, 503, 504, lost
/// connections and attempt timeouts, honouring <c>Retry-After</c>; a time limit per attempt (headers and a non-streaming
/// body) and between a stream's chunks; and the largest answer it reads. A stream is never retried once its headers
/// arrived. Set defaults on <see cref="ModelRegistryOptions.Resilience"/>; an entry overrides each with its
/// <c>resilience:*</c> setting (named on each property).
/// </summary>
public sealed class ProviderResilienceOptions
{
    /// <summary>The smallest size limit allowed: 1 KiB.</summary>
    public const long MinimumByteLimit = 1024;

    /// <summary>The largest size limit allowed: 1 GiB.</summary>
    public const long MaximumByteLimit = 1L << 30;

    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    /// <summary>Retries after the first attempt, 0 to 20; 0 turns retrying off. Default 3. Entry key <c>resilience:max_retries</c>.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first backoff delay, doubled on each retry, up to a day. Default 1 second. Entry key <c>resilience:base_delay_ms</c>.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest backoff delay, up to a day. Default 30 seconds. Entry key <c>resilience:max_delay_ms</c>.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long one attempt may take to receive the response headers and, when not streaming, the whole body: 10 ms to a
    /// day, or <see langword="null"/> for no limit. Default 100 seconds. Entry key <c>resilience:attempt_timeout_ms</c>.
    /// </summary>
    public TimeSpan? AttemptTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>
    /// The longest <c>Retry-After</c> the policy waits out, up to a day. A provider asking for a longer wait fails the call
    /// at once with <see cref="ModelProviderException.RetryAfter"/> set, so a fallback can answer instead. Default 60 seconds.
    /// Entry key <c>resilience:max_retry_after_ms</c>.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long a stream may send nothing between two chunks before it is ended with
    /// <see cref="Providers.ProviderErrorCodes.StreamIdleTimeout"/> (retryable, so the registry may fall back): 10 ms to a
    /// day, or <see langword="null"/> for no limit. Default 60 seconds. Entry key <c>resilience:stream_idle_timeout_ms</c>.
    /// </summary>
    public TimeSpan? StreamIdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The largest non-streaming body (and error body) read, 1 KiB to 1 GiB; a larger one fails with
    /// <see cref="Providers.ProviderErrorCodes.ResponseTooLarge"/> before it is read. Default 64 MiB.
    /// Entry key <c>resilience:max_response_bytes</c>.
    /// </summary>
    public long MaxResponseBytes { get; set; } = 64L << 20;

    /// <summary>
    /// The largest single event of a stream (an SSE event, an event-stream message), 1 KiB to 1 GiB. Default 16 MiB, the
    /// event-stream protocol's own limit. Entry key <c>resilience:max_event_bytes</c>.
    /// </summary>
    public long MaxEventBytes { get; set; } = 16L << 20;

    /// <summary>Whether backoff delays are randomised, so that many clients do not retry in step. Default true.</summary>
    public bool UseJitter { get; set; } = true;

    /// <summary>Returns a copy with the entry's <c>resilience:*</c> settings applied.</summary>
    /// <param name="entry">The registry entry.</param>
    /// <exception cref="ModelRegistryException">A setting is out of range; the message names the entry, the key and the range.</exception>
    public ProviderResilienceOptions ForEntry(ModelEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var options = new ProviderResilienceOptions
        {
            MaxRetries = (int)CoreSettings.MaxRetries.GetValueOrDefault(entry, MaxRetries),
            BaseDelay = CoreSettings.BaseDelay.GetValueOrDefault(entry, BaseDelay),
            MaxDelay = CoreSettings.MaxDelay.GetValueOrDefault(entry, MaxDelay),
            AttemptTimeout = CoreSettings.AttemptTimeout.TryGetValue(entry, out var timeout) ? timeout : AttemptTimeout,
            MaxRetryAfter = CoreSettings.MaxRetryAfter.GetValueOrDefault(entry, MaxRetryAfter),
            StreamIdleTimeout = CoreSettings.StreamIdleTimeout.TryGetValue(entry, out var idle) ? idle : StreamIdleTimeout,
            MaxResponseBytes = CoreSettings.MaxResponseBytes.GetValueOrDefault(entry, MaxResponseBytes),
            MaxEventBytes = CoreSettings.MaxEventBytes.GetValueOrDefault(entry, MaxEventBytes),
            UseJitter = UseJitter,
        };
        options.Validate();
        return options;
    }

    /// <summary>Checks every value against the range the runtime accepts.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names the property and the range.</exception>
    public void Validate()
    {
        Check(MaxRetries is >= 0 and <= 20, nameof(MaxRetries), MaxRetries, "0 to 20");
        Check(BaseDelay >= TimeSpan.Zero && BaseDelay <= Day, nameof(BaseDelay), BaseDelay, "0 to 1 day");
        Check(MaxDelay >= TimeSpan.Zero && MaxDelay <= Day, nameof(MaxDelay), MaxDelay, "0 to 1 day");
        Check(AttemptTimeout is null || (AttemptTimeout >= TimeSpan.FromMilliseconds(10) && AttemptTimeout <= Day), nameof(AttemptTimeout), AttemptTimeout, "10 ms to 1 day, or null");
        Check(MaxRetryAfter >= TimeSpan.Zero && MaxRetryAfter <= Day, nameof(MaxRetryAfter), MaxRetryAfter, "0 to 1 day");
        Check(StreamIdleTimeout is null || (StreamIdleTimeout >= TimeSpan.FromMilliseconds(10) && StreamIdleTimeout <= Day), nameof(StreamIdleTimeout), StreamIdleTimeout, "10 ms to 1 day, or null");
        Check(MaxResponseBytes is >= MinimumByteLimit and <= MaximumByteLimit, nameof(MaxResponseBytes), MaxResponseBytes, "1024 to 1073741824");
        Check(MaxEventBytes is >= MinimumByteLimit and <= MaximumByteLimit, nameof(MaxEventBytes), MaxEventBytes, "1024 to 1073741824");
    }

    // Generic, so a valid value is never boxed: every entry's client build validates.
    private static void Check<T>(bool valid, string name, T value, string range)
    {
        if (!valid)
        {
            object? boxed = value;
            throw new ArgumentOutOfRangeException(
                $"ProviderResilienceOptions.{name}", boxed, $"ProviderResilienceOptions.{name} must be {range}, but is {boxed ?? "null"}.");
        }
    }
}
