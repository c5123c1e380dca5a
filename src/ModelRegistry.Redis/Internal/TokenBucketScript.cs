using System.Security.Cryptography;
using System.Text;

namespace ModelRegistry.Redis.Internal;

/// <summary>
/// The token bucket as one Lua script, so a read, refill, take and write happen atomically inside Redis whatever the
/// number of processes. Time is Redis's own (<c>TIME</c>), so the clocks of the processes do not matter.
/// </summary>
internal static class TokenBucketScript
{
    /// <summary>Milliseconds a bucket key outlives the time its bucket needs to refill fully.</summary>
    public const long ExpiryMarginMilliseconds = 1000;

    /// <summary>
    /// KEYS[1] = the bucket (a hash: <c>tokens</c>, <c>at</c> = Redis time in microseconds of the last refill).
    /// ARGV = capacity, period in microseconds, amount, mode (<c>1</c> take if enough, <c>0</c> adjust unchecked),
    /// expiry margin in milliseconds. A missing bucket is full. Returns <c>{1}</c> when taken or adjusted, else
    /// <c>{0, missing tokens}</c> (a string: Redis would truncate a Lua number to an integer).
    /// The key expires once the bucket would be full again, plus the margin, so idle buckets vanish.
    /// </summary>
    public const string Source = """
        local capacity = tonumber(ARGV[1])
        local period = tonumber(ARGV[2])
        local amount = tonumber(ARGV[3])
        local take = ARGV[4] == '1'
        local margin = tonumber(ARGV[5])
        local clock = redis.call('TIME')
        local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
        local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
        local tokens = tonumber(state[1])
        local at = tonumber(state[2])
        if tokens == nil or at == nil then
          tokens = capacity
          at = now
        else
          if now > at then
            tokens = tokens + (now - at) * capacity / period
            at = now
          end
          tokens = math.min(capacity, tokens)
        end
        if take then
          if tokens < amount then
            return {0, tostring(amount - tokens)}
          end
          tokens = tokens - amount
        else
          tokens = math.min(capacity, tokens - amount)
        end
        redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', at)
        redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) * period / capacity / 1000) + margin)
        return {1}
        """;

    /// <summary>The script's SHA-1, its name in Redis's script cache for <c>EVALSHA</c> (an identifier, not security).</summary>
#pragma warning disable CA5350 // Redis names cached scripts by their SHA-1; nothing here relies on its strength.
    public static readonly byte[] Hash = SHA1.HashData(Encoding.UTF8.GetBytes(Source));
#pragma warning restore CA5350
}
