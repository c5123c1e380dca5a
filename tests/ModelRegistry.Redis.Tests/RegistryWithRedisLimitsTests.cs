using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Redis.Internal;
using ModelRegistry.Testing;
using StackExchange.Redis;

namespace ModelRegistry.Redis.Tests;

/// <summary>The registry with <c>UseRedisRateLimits</c>: an entry's limits enforced through Redis, end to end, for a testwire model on a replay server.</summary>
public sealed class RegistryWithRedisLimitsTests
{
    private static ServiceProvider Registry(ReplayServer server, string redis, Action<RedisRateLimitOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddModelRegistry()
            .FromJson($$"""{"haiku":{"provider":"testwire","model_id":"haiku-1","endpoint":"{{server.BaseAddress}}","limits":{"requests_per_minute":2} } }""")
            .AddTestWire()
            .UseRedisRateLimits(redis, configure);
        return services.BuildServiceProvider();
    }

    [Test]
    public async Task Two_applications_share_an_entrys_requests_per_minute_through_Redis()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(TestWireAnswers.Text("one"), TestWireAnswers.Text("two"), TestWireAnswers.Text("never"));
        var prefix = RedisTestServer.UniquePrefix();
        await using var first = Registry(server, RedisTestServer.Configuration, RedisTestServer.Isolated(prefix));
        await using var second = Registry(server, RedisTestServer.Configuration, RedisTestServer.Isolated(prefix));
        var a = first.GetRequiredKeyedService<IChatClient>("haiku");
        var b = second.GetRequiredKeyedService<IChatClient>("haiku");

        Assert.That((await a.GetResponseAsync("hi")).Text, Is.EqualTo("one"));
        Assert.That((await b.GetResponseAsync("hi")).Text, Is.EqualTo("two"));
        var fromA = Assert.ThrowsAsync<ModelProviderException>(() => a.GetResponseAsync("hi"));
        var fromB = Assert.ThrowsAsync<ModelProviderException>(() => b.GetResponseAsync("hi"));

        Assert.Multiple(async () =>
        {
            foreach (var ex in new[] { fromA!, fromB! })
            {
                Assert.That(ex.ErrorCode, Is.EqualTo("ClientRateLimit"));
                Assert.That(ex.IsRetryable, Is.True);
                Assert.That(ex.RetryAfter, Is.InRange(TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(30)), "one request refills in 60 s / 2");
                Assert.That(ex.Message, Does.Contain("limits:requests_per_minute = 2"));
            }

            Assert.That(server.Requests, Has.Count.EqualTo(2), "refused calls never reach the model");
            Assert.That(await (await RedisTestServer.InspectAsync()).KeyTimeToLiveAsync(prefix + "haiku:rpm"), Is.GreaterThan(TimeSpan.FromSeconds(60)));
        });
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task With_Redis_unreachable_the_entry_answers_or_refuses_as_configured(bool failOpen)
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(TestWireAnswers.Text("answered"));
        using var closed = ReservedPort.Create(); // held, refusing every connection
        await using var services = Registry(server, $"127.0.0.1:{closed.Port}", o =>
        {
            o.FailOpen = failOpen;
            o.ConnectTimeout = TimeSpan.FromMilliseconds(300);
        });
        var client = services.GetRequiredKeyedService<IChatClient>("haiku");

        if (failOpen)
        {
            Assert.That((await client.GetResponseAsync("hi")).Text, Is.EqualTo("answered"));
            return;
        }

        var ex = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("hi"));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.ErrorCode, Is.EqualTo("ClientRateLimit"));
            Assert.That(ex.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(server.Requests, Is.Empty);
        });
    }

    [Test]
    public async Task Nothing_connects_until_the_first_limited_call_and_the_applications_connection_is_left_open()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(TestWireAnswers.Text("one"), TestWireAnswers.Text("two"));
        var connections = new List<IConnectionMultiplexer>();
        var services = new ServiceCollection();
        services.AddModelRegistry()
            .FromJson($$"""{"haiku":{"provider":"testwire","model_id":"haiku-1","endpoint":"{{server.BaseAddress}}","limits":{"requests_per_minute":5} } }""")
            .AddTestWire()
            .UseRedisRateLimits(
                _ =>
                {
                    var connection = ConnectionMultiplexer.Connect(RedisTestServer.Configuration);
                    lock (connections)
                    {
                        connections.Add(connection);
                    }

                    return connection;
                },
                RedisTestServer.Isolated());
        var provider = services.BuildServiceProvider();
        try
        {
            var client = provider.GetRequiredKeyedService<IChatClient>("haiku");
            Assert.That(provider.GetRequiredService<IRateLimitStore>(), Is.InstanceOf<RedisRateLimitStore>());
            Assert.That(connections, Is.Empty, "resolving does no I/O");

            await client.GetResponseAsync("hi");
            await client.GetResponseAsync("hi");
            Assert.That(connections, Has.Count.EqualTo(1), "one connection, made on the first call and kept");
        }
        finally
        {
            await provider.DisposeAsync();
        }

        // The application made that connection, so the application closes it; disposing the registry does not.
        Assert.That(connections[0].IsConnected, Is.True);
        Assert.That(await connections[0].GetDatabase().PingAsync(), Is.GreaterThan(TimeSpan.Zero));
        await connections[0].DisposeAsync();
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task The_connection_made_from_a_configuration_string_closes_with_the_service_provider(bool disposeAsync)
    {
        var name = $"mrtest-{Guid.NewGuid():N}";
        var redis = await RedisTestServer.InspectAsync();
        async Task<bool> ConnectedAsync() => ((string)(await redis.ExecuteAsync("CLIENT", "LIST"))!).Contains($"name={name}", StringComparison.Ordinal);
        var services = RedisTestServer.Services($"{RedisTestServer.Configuration},name={name}", RedisTestServer.Isolated());
        var store = services.GetRequiredService<IRateLimitStore>();

        Assert.That(await ConnectedAsync(), Is.False, "resolving the store does not connect");
        await store.TryTakeAsync("m:rpm", new RateLimitBucket(1, TimeSpan.FromMinutes(1)), 1, CancellationToken.None);
        Assert.That(await ConnectedAsync(), Is.True);

        if (disposeAsync)
        {
            await services.DisposeAsync();
        }
        else
        {
            services.Dispose();
        }

        await RedisTestServer.WaitUntilAsync(async () => !await ConnectedAsync(), "the store's connection closed");
        Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.TryTakeAsync("m:rpm", new RateLimitBucket(1, TimeSpan.FromMinutes(1)), 1, CancellationToken.None));
    }

    [Test]
    public async Task A_connection_factory_returning_null_fails_the_call_saying_so()
    {
        var services = new ServiceCollection();
        services.AddModelRegistry().UseRedisRateLimits(_ => null!);
        await using var provider = services.BuildServiceProvider();

        var ex = Assert.ThrowsAsync<ModelRegistryException>(async () =>
            await provider.GetRequiredService<IRateLimitStore>().TryTakeAsync("m:rpm", new RateLimitBucket(1, TimeSpan.FromMinutes(1)), 1, CancellationToken.None));
        Assert.That(ex!.Message, Does.Contain("connection factory given to UseRedisRateLimits returned null"));
    }

    [Test]
    public async Task The_Redis_store_replaces_the_in_memory_one_whatever_the_order_of_calls()
    {
        var services = new ServiceCollection();
        services.AddModelRegistry().UseRedisRateLimits("127.0.0.1:6379"); // no Redis needed: nothing connects here
        services.AddModelRegistry(); // again, as a library might
        await using var provider = services.BuildServiceProvider();

        Assert.That(provider.GetRequiredService<IRateLimitStore>(), Is.InstanceOf<RedisRateLimitStore>());
        Assert.That(services.Count(d => d.ServiceType == typeof(IRateLimitStore)), Is.EqualTo(1));
    }

    [TestCase("", "is empty")]
    [TestCase("   ", "is empty")]
    [TestCase("password=sk-fake-redis-password", "names no server")]
    [TestCase("127.0.0.1:6379,connectTimeout=sk-fake-redis-password", "not valid StackExchange.Redis configuration")]
    public void A_bad_configuration_string_fails_at_registration_without_repeating_it(string configuration, string expected)
    {
        var ex = Assert.Throws<ModelRegistryException>(() => new ServiceCollection().AddModelRegistry().UseRedisRateLimits(configuration));

        Assert.That(ex!.Message, Does.StartWith("UseRedisRateLimits: the Redis configuration string").And.Contain(expected));
        Assert.That(ex.ToString(), Does.Not.Contain("sk-fake-redis-password"));
    }

    [Test]
    public void Bad_options_fail_at_registration_naming_the_option()
    {
        var builder = new ServiceCollection().AddModelRegistry();

        Assert.Multiple(() =>
        {
            Assert.That(
                Assert.Throws<ModelRegistryException>(() => builder.UseRedisRateLimits("127.0.0.1:6379", o => o.ConnectTimeout = TimeSpan.Zero))!.Message,
                Does.Contain("RedisRateLimitOptions.ConnectTimeout must be above zero"));
            Assert.That(
                Assert.Throws<ModelRegistryException>(() => builder.UseRedisRateLimits(_ => null!, o => o.OperationTimeout = TimeSpan.FromSeconds(-1)))!.Message,
                Does.Contain("RedisRateLimitOptions.OperationTimeout must be above zero"));
            Assert.That(
                Assert.Throws<ModelRegistryException>(() => builder.UseRedisRateLimits("127.0.0.1:6379", o => o.KeyPrefix = null!))!.Message,
                Does.Contain("RedisRateLimitOptions.KeyPrefix is null"));
        });
    }
}
