using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ModelRegistry.Providers;
using ModelRegistry.Testing;

namespace ModelRegistry.Redis.Tests;

/// <summary>
/// A "Redis" that accepts connections and never answers (a hung server, a proxy with nothing behind it): the first
/// limited call waits exactly the documented connect timeout on the application's clock, then gets the documented
/// FailOpen result, instead of the client library's connect cycles (three of them by default: 15 s for 5 s).
/// </summary>
public sealed class SilentRedisTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(15);

    /// <summary>Accepts every connection on a loopback port of its own and never sends a byte.</summary>
    private sealed class SilentListener : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<Socket> _accepted = [];
        private readonly CancellationTokenSource _stop = new();

        public SilentListener()
        {
            _listener.Start();
            _ = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Accepted
        {
            get
            {
                lock (_accepted)
                {
                    return _accepted.Count;
                }
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            lock (_accepted)
            {
                _accepted.ForEach(s => s.Dispose());
            }

            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var socket = await _listener.AcceptSocketAsync(_stop.Token);
                    lock (_accepted)
                    {
                        _accepted.Add(socket);
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // Stopped.
            }
        }
    }

    private static ServiceProvider Registry(SilentListener redis, ReplayServer model, FakeClock time, FakeLogCollector logs, bool failOpen)
    {
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(time)
            .AddLogging(b => b.AddProvider(new FakeLoggerProvider(logs)));
        services.AddModelRegistry(o => o.Resilience.MaxRetries = 0)
            .FromJson($$"""
                {"a":{"provider":"testwire","model_id":"a-1","endpoint":"{{model.BaseAddress}}","limits":{"requests_per_minute":1} }
                }
                """)
            .AddTestWire()
            .UseRedisRateLimits($"127.0.0.1:{redis.Port}", o =>
            {
                o.FailOpen = failOpen;
                o.KeyPrefix = RedisTestServer.UniquePrefix();
            });
        return services.BuildServiceProvider();
    }

    [Test]
    public async Task Failing_closed_the_first_limited_call_is_refused_after_exactly_the_connect_timeout()
    {
        using var redis = new SilentListener();
        await using var model = await ReplayServer.StartAsync();
        var time = new FakeClock();
        var logs = new FakeLogCollector();
        await using var services = Registry(redis, model, time, logs, failOpen: false);

        var call = services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("hi");

        // The documented default ConnectTimeout of 5 s, on the application's clock: the call waits all of it, not less.
        await time.AdvanceWhenArmedAsync(TimeSpan.FromSeconds(5), call);
        var ex = Assert.CatchAsync<ModelProviderException>(() => call.WaitAsync(Guard));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.ErrorCode, Is.EqualTo(ProviderErrorCodes.ClientRateLimit), "FailOpen = false refuses like a limit");
            Assert.That(ex.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(model.Requests, Is.Empty);
            Assert.That(redis.Accepted, Is.GreaterThan(0), "the store did reach the silent server");
            var warning = logs.GetSnapshot().Single(r => r.Category == "ModelRegistry.Redis" && r.Level == LogLevel.Warning);
            Assert.That(warning.Exception, Is.InstanceOf<TimeoutException>(), "unavailable because the connection did not come within the timeout");
        });
    }

    [Test]
    public async Task Failing_open_the_first_limited_call_goes_through_after_exactly_the_connect_timeout()
    {
        using var redis = new SilentListener();
        await using var model = await ReplayServer.StartAsync();
        model.Enqueue(TestWireAnswers.Text("unlimited meanwhile"));
        var time = new FakeClock();
        var logs = new FakeLogCollector();
        await using var services = Registry(redis, model, time, logs, failOpen: true);

        var call = services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("hi");
        await time.AdvanceWhenArmedAsync(TimeSpan.FromSeconds(5), call);

        Assert.That((await call.WaitAsync(Guard)).Text, Is.EqualTo("unlimited meanwhile"));
    }
}
