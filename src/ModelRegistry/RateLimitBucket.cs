namespace ModelRegistry;

/// <summary>A token bucket: holds up to <see cref="Capacity"/> tokens and refills that many, evenly, every <see cref="Period"/>.</summary>
/// <param name="Capacity">The most tokens the bucket holds, e.g. 60 requests.</param>
/// <param name="Period">The time to refill from empty to full, e.g. one minute.</param>
public readonly record struct RateLimitBucket(long Capacity, TimeSpan Period);
