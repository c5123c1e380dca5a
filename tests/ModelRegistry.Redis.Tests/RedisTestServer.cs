using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ModelRegistry.Redis;
using StackExchange.Redis;

namespace ModelRegistry.Redis.Tests;

/// <summary>
/// The real redis-server the tests run against (<c>MODELREGISTRY_REDIS</c>, set by build/test.sh), a direct connection
/// to inspect it, and helpers to build stores the way an application does.
/// </summary>
internal static class RedisTestServer
{
    private const string Variable = "MODELREGISTRY_REDIS";
    private static readonly Lazy<Task<ConnectionMultiplexer>> Inspector = new(() => ConnectionMultiplexer.ConnectAsync(Configuration + ",allowAdmin=true"));

    /// <summary>The server's configuration string; fails the test (never skips it) when the variable is unset.</summary>
    public static string Configuration
    {
        get
        {
            var value = Environment.GetEnvironmentVariable(Variable);
            if (string.IsNullOrWhiteSpace(value))
            {
                Assert.Fail(
                    $"{Variable} is not set, so there is no Redis to test against. Run ./build/test.sh (it installs and starts redis-server), "
                    + $"or start one yourself: redis-server --bind 127.0.0.1 --port 6390 --save \"\" --appendonly no & export {Variable}=127.0.0.1:6390");
            }

            return value!;
        }
    }

    /// <summary>A connection for the tests' own looks at the server (TTL, TIME, script cache, command stats).</summary>
    public static async Task<IDatabase> InspectAsync() => (await Inspector.Value).GetDatabase();

    /// <summary>A key prefix no other test or earlier run uses.</summary>
    public static string UniquePrefix() => $"mrtest:{Guid.NewGuid():N}:";

    /// <summary>
    /// Options for tests of the bucket itself: a unique prefix, and failing closed, so that a Redis fault can only
    /// show as a refusal with a one-second Retry-After, which the assertions catch, never as an extra allowance.
    /// </summary>
    public static Action<RedisRateLimitOptions> Isolated(string? prefix = null) => o =>
    {
        o.KeyPrefix = prefix ?? UniquePrefix();
        o.FailOpen = false;
    };

    /// <summary>Redis's clock, in microseconds, the clock the buckets refill by.</summary>
    public static async Task<long> ServerMicrosecondsAsync()
    {
        var time = (long[])(await (await InspectAsync()).ExecuteAsync("TIME"))!;
        return (time[0] * 1_000_000) + time[1];
    }

    /// <summary>Builds the services the way an application does: <c>AddModelRegistry().UseRedisRateLimits(...)</c>.</summary>
    public static ServiceProvider Services(string configuration, Action<RedisRateLimitOptions> configure, FakeLogCollector? logs = null)
    {
        var services = new ServiceCollection();
        if (logs is not null)
        {
            services.AddLogging(b => b.AddProvider(new FakeLoggerProvider(logs)).SetMinimumLevel(LogLevel.Debug));
        }

        services.AddModelRegistry().UseRedisRateLimits(configuration, configure);
        return services.BuildServiceProvider();
    }

    /// <summary>A Unix socket path of the test's own, for a redis-server it stops and restarts: no TCP port is released and reused.</summary>
    public static string OwnSocketPath() => Path.Combine(Path.GetTempPath(), $"mrtest-{Guid.NewGuid():N}.sock");

    /// <summary>
    /// Starts a redis-server of the test's own (to stop and restart it) listening only on the Unix socket
    /// <paramref name="socketPath"/> (no TCP port), so a restart comes back at the same address and nothing else can
    /// answer there meanwhile; returns once it accepts connections.
    /// </summary>
    public static async Task<Process> StartOwnServerAsync(string socketPath)
    {
        _ = Configuration; // the same precondition as every Redis test: build/test.sh installed and started Redis
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--port", "0", "--unixsocket", socketPath, "--unixsocketperm", "700", "--save", "", "--appendonly", "no" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        await WaitUntilAsync(
            async () =>
            {
                using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await client.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
                    return true;
                }
                catch (SocketException)
                {
                    return false;
                }
            },
            $"redis-server accepted connections on {socketPath}");
        return process;
    }

    /// <summary>Waits, at most ten seconds, until a condition holds.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(10))
            {
                Assert.Fail($"Gave up after 10 s waiting until {what}.");
            }

            await Task.Delay(20);
        }
    }
}
