namespace ModelRegistry.Redis;

/// <summary>How <see cref="RedisModelRegistryBuilderExtensions.UseRedisRateLimits(ModelRegistryBuilder, string, Action{RedisRateLimitOptions}?)"/> keeps the registry's rate limits in Redis.</summary>
public sealed class RedisRateLimitOptions
{
    /// <summary>
    /// Prepended to every bucket key (<c>&lt;entry&gt;:rpm</c>, <c>&lt;entry&gt;:tpm</c>). Processes that share a prefix and a
    /// Redis share their limits; give each application or environment its own. Default <c>modelregistry:ratelimit:</c>.
    /// </summary>
    public string KeyPrefix { get; set; } = "modelregistry:ratelimit:";

    /// <summary>
    /// What a limited call gets while Redis cannot be reached or fails: <see langword="true"/> (the default) lets it
    /// through unlimited, <see langword="false"/> refuses it like a limit rejection with a Retry-After of one second.
    /// Either way a warning is logged once when Redis becomes unavailable, and the limits apply again as soon as it answers.
    /// </summary>
    public bool FailOpen { get; set; } = true;

    /// <summary>
    /// How long the first connection attempt may take before a call goes on without Redis (see <see cref="FailOpen"/>);
    /// the connection keeps retrying in the background. Default 5 seconds. Applies to the connection the package creates
    /// from a configuration string (it replaces the string's <c>connectTimeout</c>), not to a multiplexer you supply.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long one bucket operation may wait for Redis before it counts as unavailable. Default 2 seconds. Applies to
    /// the connection the package creates from a configuration string (it replaces the string's <c>asyncTimeout</c> and
    /// <c>syncTimeout</c>), not to a multiplexer you supply.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(2);
}
