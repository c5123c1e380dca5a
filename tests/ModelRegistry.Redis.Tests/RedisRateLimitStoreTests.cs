using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Redis.Internal;
using ModelRegistry.Testing;

namespace ModelRegistry.Redis.Tests;

/// <summary>The Redis token bucket against a real redis-server: the same answers as the in-memory store, atomically.</summary>
public sealed class RedisRateLimitStoreTests
{
    private static readonly RateLimitBucket FivePerHour = new(5, TimeSpan.FromHours(1));

    /// <summary>
    /// Steps on a bucket of 5 per hour (one token every 12 minutes): "take N ok", "take N wait SECONDS" (refused, with
    /// that Retry-After) or "adjust N".
    /// </summary>
    private static IEnumerable<TestCaseData> Scenarios()
    {
        yield return new TestCaseData((object)new[] { "take 2 ok", "take 2 ok", "take 2 wait 720", "take 1 ok", "take 1 wait 720", "take 9 wait 3600" })
            .SetName("Takes until empty, then refuses with the time until enough tokens; a cost above capacity waits for a full bucket");
        yield return new TestCaseData((object)new[] { "take 50 ok", "take 1 wait 720" })
            .SetName("A cost above capacity is capped at capacity, so it passes a full bucket");
        yield return new TestCaseData((object)new[] { "take 0 ok", "take 4 ok", "take 0 wait 720" })
            .SetName("A cost below one counts as one");
        yield return new TestCaseData((object)new[] { "adjust 25", "take 1 wait 15120", "adjust -100", "take 5 ok", "take 1 wait 720" })
            .SetName("Adjust debits below zero so later calls wait, and credits never above capacity");
        yield return new TestCaseData((object)new[] { "adjust -3", "take 5 ok", "take 1 wait 720" })
            .SetName("Adjusting a bucket that does not exist yet starts from a full one");
    }

    [TestCaseSource(nameof(Scenarios))]
    public async Task Answers_like_the_in_memory_store(string[] steps)
    {
        var time = new FakeClock();
        await using var memoryServices = new ServiceCollection().AddSingleton<TimeProvider>(time).AddModelRegistry().Services.BuildServiceProvider();
        var memory = memoryServices.GetRequiredService<IRateLimitStore>();
        await using var redisServices = RedisTestServer.Services(RedisTestServer.Configuration, RedisTestServer.Isolated());
        var redis = redisServices.GetRequiredService<IRateLimitStore>();
        Assert.That(redis, Is.InstanceOf<RedisRateLimitStore>());

        var start = await RedisTestServer.ServerMicrosecondsAsync();
        var answers = new List<(string Step, RateLimitDecision Memory, RateLimitDecision Redis)>();
        foreach (var step in steps)
        {
            var words = step.Split(' ');
            var amount = long.Parse(words[1], CultureInfo.InvariantCulture);
            if (words[0] == "adjust")
            {
                await memory.AdjustAsync("m:tpm", FivePerHour, amount, CancellationToken.None);
                await redis.AdjustAsync("m:tpm", FivePerHour, amount, CancellationToken.None);
                continue;
            }

            answers.Add((step, await memory.TryTakeAsync("m:tpm", FivePerHour, amount, CancellationToken.None), await redis.TryTakeAsync("m:tpm", FivePerHour, amount, CancellationToken.None)));
        }

        // Redis's clock ran on during the steps, and refilled the bucket by at most that much time.
        var elapsed = TimeSpan.FromMicroseconds(await RedisTestServer.ServerMicrosecondsAsync() - start + 1);
        Assert.Multiple(() =>
        {
            foreach (var (step, fromMemory, fromRedis) in answers)
            {
                var words = step.Split(' ');
                var expected = words[2] == "ok"
                    ? new RateLimitDecision(true, TimeSpan.Zero)
                    : new RateLimitDecision(false, TimeSpan.FromSeconds(int.Parse(words[3], CultureInfo.InvariantCulture)));
                Assert.That(fromMemory, Is.EqualTo(expected), $"in memory: {step}");
                Assert.That(fromRedis.Allowed, Is.EqualTo(expected.Allowed), $"redis: {step}");
                Assert.That(fromRedis.RetryAfter, Is.InRange(expected.RetryAfter - elapsed, expected.RetryAfter), $"redis: {step}");
            }
        });
    }

    [Test]
    public async Task A_bucket_refills_by_Redis_time_between_a_take_and_a_refusal()
    {
        await using var services = RedisTestServer.Services(RedisTestServer.Configuration, RedisTestServer.Isolated());
        var store = services.GetRequiredService<IRateLimitStore>();
        var bucket = new RateLimitBucket(10_000, TimeSpan.FromSeconds(10)); // one token a millisecond

        var beforeDrain = await RedisTestServer.ServerMicrosecondsAsync();
        Assert.That((await store.TryTakeAsync("m:rpm", bucket, 10_000, CancellationToken.None)).Allowed, Is.True);
        var afterDrain = await RedisTestServer.ServerMicrosecondsAsync();
        await Task.Delay(50);
        var beforeCheck = await RedisTestServer.ServerMicrosecondsAsync();
        var refused = await store.TryTakeAsync("m:rpm", bucket, 10_000, CancellationToken.None);
        var afterCheck = await RedisTestServer.ServerMicrosecondsAsync();

        // Emptied at some instant in [beforeDrain, afterDrain], asked for a full bucket at some instant in
        // [beforeCheck, afterCheck]: the wait for it is the period less the time in between, by Redis's clock.
        Assert.That(refused.Allowed, Is.False);
        Assert.That(
            refused.RetryAfter,
            Is.InRange(
                bucket.Period - TimeSpan.FromMicroseconds(afterCheck - beforeDrain + 1),
                bucket.Period - TimeSpan.FromMicroseconds(beforeCheck - afterDrain - 1)));
        Assert.That(refused.RetryAfter, Is.LessThan(bucket.Period - TimeSpan.FromMilliseconds(50)), "the 50 ms slept refilled 50 tokens at least");
    }

    [Test]
    public async Task Tokens_taken_come_back_once_Redis_time_has_passed()
    {
        await using var services = RedisTestServer.Services(RedisTestServer.Configuration, RedisTestServer.Isolated());
        var store = services.GetRequiredService<IRateLimitStore>();
        var bucket = new RateLimitBucket(1_000, TimeSpan.FromSeconds(10)); // one token every 10 ms

        Assert.That((await store.TryTakeAsync("m:rpm", bucket, 1_000, CancellationToken.None)).Allowed, Is.True);
        var drained = await RedisTestServer.ServerMicrosecondsAsync();
        Assert.That((await store.TryTakeAsync("m:rpm", bucket, 500, CancellationToken.None)).Allowed, Is.False, "500 tokens take 5 s to come back");

        await RedisTestServer.WaitUntilAsync(async () => await RedisTestServer.ServerMicrosecondsAsync() - drained > 300_000, "300 ms passed on Redis's clock");

        Assert.That((await store.TryTakeAsync("m:rpm", bucket, 25, CancellationToken.None)).Allowed, Is.True, "30 tokens came back in 300 ms");
    }

    [Test]
    public async Task Keys_are_prefixed_and_expire_once_the_bucket_would_be_full_again()
    {
        var prefix = RedisTestServer.UniquePrefix();
        await using var services = RedisTestServer.Services(RedisTestServer.Configuration, RedisTestServer.Isolated(prefix));
        var store = services.GetRequiredService<IRateLimitStore>();
        var redis = await RedisTestServer.InspectAsync();
        var bucket = new RateLimitBucket(10, TimeSpan.FromMinutes(1)); // one token every 6 s
        var margin = TokenBucketScript.ExpiryMarginMilliseconds;

        var start = await RedisTestServer.ServerMicrosecondsAsync();
        await store.TryTakeAsync("haiku:rpm", bucket, 1, CancellationToken.None);
        var afterTake = await redis.KeyTimeToLiveAsync(prefix + "haiku:rpm");
        Assert.That(await redis.KeyExistsAsync("haiku:rpm"), Is.False, "never unprefixed");

        await store.AdjustAsync("haiku:rpm", bucket, 30, CancellationToken.None); // 9 - 30 = -21 tokens: 31 to refill
        var afterDebit = await redis.KeyTimeToLiveAsync(prefix + "haiku:rpm");

        await store.AdjustAsync("haiku:rpm", bucket, -100, CancellationToken.None); // full again
        var whenFull = await redis.KeyTimeToLiveAsync(prefix + "haiku:rpm");

        // A TTL counts down, and the bucket refills a little, while the test runs: allow twice the time it took.
        var slack = TimeSpan.FromMicroseconds(2 * (await RedisTestServer.ServerMicrosecondsAsync() - start)) + TimeSpan.FromMilliseconds(1);
        Assert.Multiple(() =>
        {
            Assert.That(afterTake, Is.InRange(TimeSpan.FromMilliseconds(6_000 + margin) - slack, TimeSpan.FromMilliseconds(6_000 + margin)), "one token refills in 6 s");
            Assert.That(afterDebit, Is.InRange(TimeSpan.FromMilliseconds(186_000 + margin) - slack, TimeSpan.FromMilliseconds(186_000 + margin)), "31 tokens refill in 186 s");
            Assert.That(whenFull, Is.InRange(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(margin)), "a full bucket lives only for the margin");
        });

        await RedisTestServer.WaitUntilAsync(async () => !await redis.KeyExistsAsync(prefix + "haiku:rpm"), "the idle, full bucket's key expired");
    }

    [Test]
    public async Task Two_hundred_parallel_takes_on_a_capacity_of_fifty_allow_exactly_fifty()
    {
        await using var services = RedisTestServer.Services(RedisTestServer.Configuration, RedisTestServer.Isolated());
        var store = services.GetRequiredService<IRateLimitStore>();
        var bucket = new RateLimitBucket(50, TimeSpan.FromDays(1)); // refills a token every half hour: none during the test

        var decisions = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => store.TryTakeAsync("m:rpm", bucket, 1, CancellationToken.None).AsTask()));

        Assert.That(decisions.Count(d => d.Allowed), Is.EqualTo(50));
        Assert.That(decisions.Where(d => !d.Allowed).Select(d => d.RetryAfter), Is.All.GreaterThan(TimeSpan.FromMinutes(28)));
    }

    [Test]
    public async Task The_script_runs_by_its_hash_and_is_sent_again_when_Redis_forgot_it()
    {
        await using var services = RedisTestServer.Services(RedisTestServer.Configuration, RedisTestServer.Isolated());
        var store = services.GetRequiredService<IRateLimitStore>();
        var redis = await RedisTestServer.InspectAsync();
        var bucket = new RateLimitBucket(10, TimeSpan.FromHours(1));
        await store.TryTakeAsync("m:rpm", bucket, 1, CancellationToken.None);

        await redis.ExecuteAsync("SCRIPT", "FLUSH"); // as after a restart or a failover
        await redis.ExecuteAsync("CONFIG", "RESETSTAT");
        for (var i = 0; i < 3; i++)
        {
            Assert.That((await store.TryTakeAsync("m:rpm", bucket, 1, CancellationToken.None)).Allowed, Is.True);
        }

        var stats = CommandStats((string)(await redis.ExecuteAsync("INFO", "commandstats"))!);
        Assert.Multiple(() =>
        {
            Assert.That(stats.GetValueOrDefault("eval"), Is.EqualTo((Calls: 1L, Failed: 0L)), "the full script is sent once, after NOSCRIPT");
            Assert.That(stats.GetValueOrDefault("evalsha"), Is.EqualTo((Calls: 3L, Failed: 1L)), "every call goes by hash; the first finds no script");
        });
        Assert.That((await store.TryTakeAsync("m:rpm", bucket, 7, CancellationToken.None)).Allowed, Is.False, "1 + 3 taken, 6 left");
    }

    /// <summary>Reads <c>cmdstat_NAME:calls=N,...,failed_calls=N</c> lines of <c>INFO commandstats</c>.</summary>
    private static Dictionary<string, (long Calls, long Failed)> CommandStats(string info)
    {
        var stats = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        foreach (var line in info.Split('\n', StringSplitOptions.TrimEntries))
        {
            if (!line.StartsWith("cmdstat_", StringComparison.Ordinal))
            {
                continue;
            }

            var name = line["cmdstat_".Length..line.IndexOf(':', StringComparison.Ordinal)];
            var fields = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Split(',').Select(f => f.Split('=')).ToDictionary(f => f[0], f => f[1]);
            stats[name] = (long.Parse(fields["calls"], CultureInfo.InvariantCulture), long.Parse(fields.GetValueOrDefault("failed_calls", "0"), CultureInfo.InvariantCulture));
        }

        return stats;
    }
}
