namespace ModelRegistry;

/// <summary>
/// Where the token buckets behind an entry's <c>limits:requests_per_minute</c> and <c>limits:tokens_per_minute</c>
/// live. The default keeps them in process memory; the ModelRegistry.Redis package shares them between processes.
/// Implementations must take tokens atomically (no read-then-write races between callers or processes).
/// </summary>
public interface IRateLimitStore
{
    /// <summary>
    /// Takes <paramref name="cost"/> tokens from the bucket when it holds at least that many (a cost above the
    /// capacity is capped at the capacity, so one large call can still pass a full bucket).
    /// </summary>
    /// <param name="key">The bucket's key, e.g. <c>haiku:rpm</c>.</param>
    /// <param name="bucket">The bucket's size and refill period.</param>
    /// <param name="cost">Tokens to take, 1 or more.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether the tokens were taken, and if not, when enough will be there.</returns>
    ValueTask<RateLimitDecision> TryTakeAsync(string key, RateLimitBucket bucket, long cost, CancellationToken cancellationToken);

    /// <summary>
    /// Adjusts a bucket after the fact without a check: a positive amount takes tokens (the balance may go below zero,
    /// so later calls wait), a negative one gives tokens back (never above the capacity). Used to settle a token
    /// estimate against the usage the provider reported.
    /// </summary>
    /// <param name="key">The bucket's key.</param>
    /// <param name="bucket">The bucket's size and refill period.</param>
    /// <param name="amount">Tokens to take (positive) or give back (negative).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    ValueTask AdjustAsync(string key, RateLimitBucket bucket, long amount, CancellationToken cancellationToken);
}
