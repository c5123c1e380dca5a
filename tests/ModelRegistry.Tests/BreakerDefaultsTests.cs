using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Providers;
using ModelRegistry.Testing;

namespace ModelRegistry.Tests;

/// <summary>
/// The breaker's documented defaults, each one pinned (failure ratio 0.5, minimum throughput 5, sampling 30 s, break
/// 30 s), <c>circuit_breaker: { enabled: false }</c>, and the default model's documented order. Through
/// AddModelRegistry() and testwire over loopback HTTP, time on a fake clock.
/// </summary>
public sealed class BreakerDefaultsTests
{
    private const string Ok = "ok";
    private const string Failed = "failed";
    private const string Refused = "refused";

    private sealed class Entry : IAsyncDisposable
    {
        private readonly ServiceProvider _services;

        private Entry(ReplayServer server, FakeClock time, ServiceProvider services)
        {
            Server = server;
            Time = time;
            _services = services;
            Client = services.GetRequiredKeyedService<IChatClient>("a");
        }

        public ReplayServer Server { get; }

        public FakeClock Time { get; }

        public IChatClient Client { get; }

        /// <summary>An entry "a" with the default breaker (or <paramref name="extra"/>).</summary>
        public static async Task<Entry> StartAsync(string extra = "")
        {
            var server = await ReplayServer.StartAsync();
            var time = new FakeClock();
            var services = new ServiceCollection().AddSingleton<TimeProvider>(time);
            services.AddModelRegistry(o => o.Resilience.MaxRetries = 0)
                .FromJson($$"""{"a":{"provider":"testwire","model_id":"a-1","endpoint":"{{server.BaseAddress}}"{{extra}} } }""")
                .AddTestWire();
            return new Entry(server, time, services.BuildServiceProvider());
        }

        /// <summary>Makes calls the server answers as <paramref name="outcomes"/> says; returns what each call got.</summary>
        public async Task<List<string>> CallAsync(params string[] outcomes)
        {
            var results = new List<string>();
            foreach (var outcome in outcomes)
            {
                var before = Server.Requests.Count;
                Server.Enqueue(outcome == Ok ? TestWireAnswers.Text("ok") : TestWireAnswers.Error(500, "down"));
                try
                {
                    await Client.GetResponseAsync("hi");
                    results.Add(Ok);
                }
                catch (ModelProviderException ex) when (ex.ErrorCode == ProviderErrorCodes.CircuitOpen)
                {
                    Assert.That(Server.Requests, Has.Count.EqualTo(before), "an open breaker sends nothing");
                    results.Add(Refused);
                    Server.DiscardPending(); // its answer was not used
                }
                catch (ModelProviderException)
                {
                    results.Add(Failed);
                }
            }

            return results;
        }

        public async ValueTask DisposeAsync()
        {
            await _services.DisposeAsync();
            await Server.DisposeAsync();
        }
    }

    [Test]
    public async Task By_default_the_breaker_opens_at_the_fifth_call_when_half_have_failed()
    {
        await using var entry = await Entry.StartAsync();

        // Four failures are under the minimum throughput of 5: the fifth call is still sent.
        Assert.That(await entry.CallAsync(Failed, Failed, Failed, Failed, Failed, Failed), Is.EqualTo(new[] { Failed, Failed, Failed, Failed, Failed, Refused }));
    }

    [Test]
    public async Task By_default_a_failure_ratio_under_one_half_keeps_the_breaker_closed_and_one_half_opens_it()
    {
        await using var entry = await Entry.StartAsync();

        // 2 of 5 (0.4) keep it closed; 3 of 6 (0.5) open it.
        Assert.That(await entry.CallAsync(Ok, Ok, Ok, Failed, Failed, Failed, Ok), Is.EqualTo(new[] { Ok, Ok, Ok, Failed, Failed, Failed, Refused }));
    }

    [Test]
    public async Task By_default_failures_older_than_30_seconds_no_longer_count()
    {
        await using var entry = await Entry.StartAsync();
        await entry.CallAsync(Failed, Failed, Failed, Failed);
        entry.Time.Advance(TimeSpan.FromSeconds(30));

        Assert.That(await entry.CallAsync(Failed, Failed), Is.EqualTo(new[] { Failed, Failed }), "the four failures left the 30 s window");
    }

    [Test]
    public async Task By_default_failures_within_30_seconds_all_count()
    {
        await using var entry = await Entry.StartAsync();
        await entry.CallAsync(Failed, Failed, Failed, Failed);
        entry.Time.Advance(TimeSpan.FromSeconds(29));

        Assert.That(await entry.CallAsync(Failed, Ok), Is.EqualTo(new[] { Failed, Refused }), "five failures within the window open the breaker");
    }

    [Test]
    public async Task By_default_an_open_breaker_lets_a_call_through_after_exactly_30_seconds()
    {
        await using var entry = await Entry.StartAsync();
        await entry.CallAsync(Failed, Failed, Failed, Failed, Failed);

        entry.Time.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromTicks(1));
        Assert.That(await entry.CallAsync(Ok), Is.EqualTo(new[] { Refused }), "one tick before the break ends");
        entry.Time.Advance(TimeSpan.FromTicks(1));
        Assert.That(await entry.CallAsync(Ok, Ok), Is.EqualTo(new[] { Ok, Ok }), "the break is over: half-open, then closed on success");
    }

    [Test]
    public async Task A_disabled_breaker_never_opens()
    {
        await using var entry = await Entry.StartAsync(",\"circuit_breaker\":{\"enabled\":false,\"failure_ratio\":0.1,\"minimum_throughput\":2}");

        var results = await entry.CallAsync([.. Enumerable.Repeat(Failed, 12), Ok]);

        Assert.That(results, Is.EqualTo(Enumerable.Repeat(Failed, 12).Append(Ok)));
        Assert.That(entry.Server.Requests, Has.Count.EqualTo(13));
    }

    [TestCase("a", "b", "c", "a", TestName = "Options win over configuration and environment")]
    [TestCase(null, "b", "c", "b", TestName = "Configuration wins over the environment")]
    [TestCase(null, null, "c", "c", TestName = "The environment is used when nothing else names the default")]
    public async Task The_default_model_comes_from_options_then_configuration_then_the_environment(string? options, string? configured, string? environment, string expected)
    {
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["DEFAULT_MODEL"] = configured }).Build())
            .AddSingleton(EnvironmentProvider.FromVariables(new Dictionary<string, string?> { ["DEFAULT_MODEL"] = environment }))
            .AddSingleton<IChatClientProvider>(new FakeProvider());
        services.AddModelRegistry(o => o.DefaultModel = options)
            .FromJson("""{"a":{"provider":"fake","model_id":"m-a"},"b":{"provider":"fake","model_id":"m-b"},"c":{"provider":"fake","model_id":"m-c"}}""");
        await using var provider = services.BuildServiceProvider();

        Assert.That((await provider.GetRequiredService<IChatClient>().GetResponseAsync("hi")).Text, Is.EqualTo($"{expected}/m-{expected}"));
    }
}
