using System.Globalization;
using System.Net;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace ModelRegistry;

/// <summary>
/// The one HTTP retry policy shared by every provider package, so Bedrock and Mistral retry alike.
/// Providers run each attempt through the pipeline, building (and signing) a fresh request per attempt.
/// </summary>
public static class ProviderResilience
{
    /// <summary>
    /// Creates the pipeline: retries with exponential backoff and jitter (or the provider's <c>Retry-After</c>),
    /// inside which each attempt has <see cref="ProviderResilienceOptions.AttemptTimeout"/> to receive its headers.
    /// Responses that are retried are disposed by the pipeline.
    /// </summary>
    /// <param name="options">The policy, usually <see cref="ProviderResilienceOptions.ForEntry"/> of the entry.</param>
    /// <param name="timeProvider">The clock for delays and timeouts.</param>
    /// <param name="isRetryable">Decides whether a response is worth retrying; defaults to <see cref="IsTransient(HttpResponseMessage)"/>.</param>
    public static ResiliencePipeline<HttpResponseMessage> CreatePipeline(
        ProviderResilienceOptions options,
        TimeProvider timeProvider,
        Func<HttpResponseMessage, bool>? isRetryable = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var retryable = isRetryable ?? IsTransient;
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = timeProvider };
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetries,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = options.UseJitter,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                {
                    { Exception: HttpRequestException or TimeoutRejectedException } => true,
                    { Result: { } response } => retryable(response)
                        && (GetRetryAfter(response, timeProvider) is not { } wait || wait <= options.MaxRetryAfter),
                    _ => false,
                }),
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Result is { } response ? GetRetryAfter(response, timeProvider) : null),
            });
        }

        if (options.AttemptTimeout is { } timeout)
        {
            builder.AddTimeout(timeout);
        }

        return builder.Build();
    }

    /// <summary>Whether a status is worth retrying: 408, 429, 500, 502, 503 and 504.</summary>
    /// <param name="response">The response.</param>
    public static bool IsTransient(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return IsTransient(response.StatusCode);
    }

    /// <summary>Whether a status is worth retrying: 408, 429, 500, 502, 503 and 504.</summary>
    /// <param name="status">The status.</param>
    public static bool IsTransient(HttpStatusCode status) => status is HttpStatusCode.RequestTimeout
        or HttpStatusCode.TooManyRequests
        or HttpStatusCode.InternalServerError
        or HttpStatusCode.BadGateway
        or HttpStatusCode.ServiceUnavailable
        or HttpStatusCode.GatewayTimeout;

    /// <summary>
    /// How long the response asks callers to wait: <c>retry-after-ms</c>, else <c>Retry-After</c> in seconds or as an
    /// HTTP date; <see langword="null"/> when it says nothing usable.
    /// </summary>
    /// <param name="response">The response.</param>
    /// <param name="timeProvider">The clock that turns an HTTP date into a wait.</param>
    public static TimeSpan? GetRetryAfter(HttpResponseMessage response, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (response.Headers.TryGetValues("retry-after-ms", out var msValues)
            && double.TryParse(msValues.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms)
            && ms >= 0)
        {
            return TimeSpan.FromMilliseconds(ms);
        }

        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (retryAfter?.Date is { } date)
        {
            var wait = date - timeProvider.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }
}
