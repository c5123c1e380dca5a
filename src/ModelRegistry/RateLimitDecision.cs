namespace ModelRegistry;

/// <summary>The answer of <see cref="IRateLimitStore.TryTakeAsync"/>.</summary>
/// <param name="Allowed">Whether the tokens were taken.</param>
/// <param name="RetryAfter">When refused, how long until the bucket holds enough; zero when allowed.</param>
public readonly record struct RateLimitDecision(bool Allowed, TimeSpan RetryAfter);
