using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ModelRegistry.Testing;
using StackExchange.Redis;

namespace ModelRegistry.Redis.Tests;

/// <summary>What limited calls get while Redis is stopped or unreachable: the documented FailOpen behaviour.</summary>
public sealed class UnavailableRedisTests
{
    private const string FakePassword = "sk-fake-redis-password";
    private static readonly RateLimitBucket TwoPerHour = new(2, TimeSpan.FromHours(1));

    /// <summary>A configuration naming a loopback port the test holds, which refuses every connection.</summary>
    private static string Unreachable(ReservedPort port) => $"127.0.0.1:{port.Port},password={FakePassword}";

    private static List<FakeLogRecord> Warnings(FakeLogCollector logs) =>
        [.. logs.GetSnapshot().Where(r => r.Category == "ModelRegistry.Redis" && r.Level == LogLevel.Warning)];

    [Test]
    public async Task Failing_open_lets_calls_through_and_warns_once_without_the_password()
    {
        using var port = ReservedPort.Create();
        var logs = new FakeLogCollector();
        await using var services = RedisTestServer.Services(Unreachable(port), o => o.ConnectTimeout = TimeSpan.FromMilliseconds(300), logs);
        var store = services.GetRequiredService<IRateLimitStore>();

        var decisions = new List<RateLimitDecision>();
        for (var i = 0; i < 4; i++)
        {
            decisions.Add(await store.TryTakeAsync("m:rpm", TwoPerHour, 1, CancellationToken.None));
        }

        await store.AdjustAsync("m:tpm", TwoPerHour, 500, CancellationToken.None);

        Assert.That(decisions, Is.All.EqualTo(new RateLimitDecision(true, TimeSpan.Zero)), "more calls than the limit pass while Redis is away");
        var warning = Warnings(logs).Single();
        Assert.Multiple(() =>
        {
            Assert.That(warning.Message, Does.Contain("unavailable").And.Contain("FailOpen"));
            Assert.That(warning.Exception?.ToString(), Does.Contain("Redis"), "the cause is logged");
            Assert.That(logs.AllText(), Does.Not.Contain(FakePassword));
        });
    }

    [Test]
    public async Task Failing_closed_refuses_with_a_retry_after_and_warns_once()
    {
        using var port = ReservedPort.Create();
        var logs = new FakeLogCollector();
        await using var services = RedisTestServer.Services(
            Unreachable(port),
            o =>
            {
                o.FailOpen = false;
                o.ConnectTimeout = TimeSpan.FromMilliseconds(300);
            },
            logs);
        var store = services.GetRequiredService<IRateLimitStore>();

        var first = await store.TryTakeAsync("m:rpm", TwoPerHour, 1, CancellationToken.None);
        var second = await store.TryTakeAsync("m:rpm", TwoPerHour, 1, CancellationToken.None);
        Assert.DoesNotThrowAsync(async () => await store.AdjustAsync("m:tpm", TwoPerHour, 500, CancellationToken.None), "settling never fails a call that got its answer");

        Assert.That(first, Is.EqualTo(new RateLimitDecision(false, TimeSpan.FromSeconds(1))));
        Assert.That(second, Is.EqualTo(first));
        Assert.That(Warnings(logs).Single().Message, Does.Contain("refused").And.Contain("FailOpen = false"));
    }

    [Test]
    public async Task A_stopped_Redis_fails_open_with_one_warning_and_its_restart_brings_the_limit_back()
    {
        var socketPath = RedisTestServer.OwnSocketPath();
        var server = await RedisTestServer.StartOwnServerAsync(socketPath);
        try
        {
            var logs = new FakeLogCollector();
            var factoryCalls = 0;
            var services = new ServiceCollection().AddLogging(b => b.AddProvider(new FakeLoggerProvider(logs)));
            services.AddModelRegistry().UseRedisRateLimits(
                _ =>
                {
                    Interlocked.Increment(ref factoryCalls);
                    return ConnectionMultiplexer.Connect(new ConfigurationOptions
                    {
                        EndPoints = { new UnixDomainSocketEndPoint(socketPath) },
                        AbortOnConnectFail = false,
                        BacklogPolicy = BacklogPolicy.FailFast,
                        ReconnectRetryPolicy = new LinearRetry(100),
                        ConnectTimeout = 1000,
                        AsyncTimeout = 1000,
                    });
                },
                o => o.KeyPrefix = RedisTestServer.UniquePrefix());
            await using var provider = services.BuildServiceProvider();
            var store = provider.GetRequiredService<IRateLimitStore>();
            Assert.That((await store.TryTakeAsync("m:rpm", TwoPerHour, 1, CancellationToken.None)).Allowed, Is.True);
            Assert.That((await store.TryTakeAsync("m:rpm", TwoPerHour, 1, CancellationToken.None)).Allowed, Is.True);
            Assert.That((await store.TryTakeAsync("m:rpm", TwoPerHour, 1, CancellationToken.None)).Allowed, Is.False, "the limit holds while Redis runs");
            Assert.That(Warnings(logs), Is.Empty);

            server.Kill();
            await server.WaitForExitAsync();
            for (var i = 0; i < 3; i++)
            {
                Assert.That((await store.TryTakeAsync("m:rpm", TwoPerHour, 1, CancellationToken.None)).Allowed, Is.True, "Redis is stopped: fail open");
            }

            Assert.That(Warnings(logs), Has.Count.EqualTo(1), "one warning for the outage, not one per call");

            server.Dispose();
            server = await RedisTestServer.StartOwnServerAsync(socketPath);
            await RedisTestServer.WaitUntilAsync(
                async () =>
                {
                    await store.AdjustAsync("m:rpm", TwoPerHour, 0, CancellationToken.None);
                    return logs.Messages(LogLevel.Information).Any(m => m.Contains("answers again", StringComparison.Ordinal));
                },
                "the store saw the restarted Redis");

            // The restarted server kept nothing (no persistence): a fresh, full bucket of two, enforced again.
            Assert.That((await store.TryTakeAsync("m:rpm", TwoPerHour, 1, CancellationToken.None)).Allowed, Is.True);
            Assert.That((await store.TryTakeAsync("m:rpm", TwoPerHour, 1, CancellationToken.None)).Allowed, Is.True);
            var refused = await store.TryTakeAsync("m:rpm", TwoPerHour, 1, CancellationToken.None);
            Assert.Multiple(() =>
            {
                Assert.That(refused.Allowed, Is.False, "the limit holds again");
                Assert.That(refused.RetryAfter, Is.GreaterThan(TimeSpan.FromMinutes(29)));
                Assert.That(Warnings(logs), Has.Count.EqualTo(1), "recovering logs no warning");
                Assert.That(factoryCalls, Is.EqualTo(1), "the multiplexer reconnects by itself; the store keeps it");
            });
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill();
                await server.WaitForExitAsync();
            }

            server.Dispose();
            File.Delete(socketPath);
        }
    }
}
