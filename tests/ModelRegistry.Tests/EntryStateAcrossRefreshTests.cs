using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Providers;
using ModelRegistry.Testing;

namespace ModelRegistry.Tests;

/// <summary>
/// An entry's limits, breaker and in-flight calls belong to its name, not to the client a refresh replaces; unchanged
/// entries keep their clients; replaced clients are disposed when their last call ends. Through AddModelRegistry(),
/// testwire over loopback HTTP, a source that changes and a fake clock that makes the registry stale.
/// </summary>
public sealed class EntryStateAcrossRefreshTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Refresh = TimeSpan.FromMinutes(1);

    private sealed class Harness : IAsyncDisposable
    {
        private readonly ServiceProvider _services;

        private Harness(ReplayServer server, CountingSource source, FakeClock time, ServiceProvider services, List<Tracked> built)
        {
            Server = server;
            Source = source;
            Time = time;
            _services = services;
            Built = built;
            Client = services.GetRequiredKeyedService<IChatClient>("a");
        }

        public ReplayServer Server { get; }

        public CountingSource Source { get; }

        public FakeClock Time { get; }

        public IChatClient Client { get; }

        /// <summary>Every entry client (the provider wrapper) and pipeline client built, in order.</summary>
        public List<Tracked> Built { get; }

        public IReadOnlyList<Tracked> Cores(string entry) => [.. Snapshot().Where(t => t.Layer == "core:" + entry)];

        public IReadOnlyList<Tracked> Pipelines(string entry) => [.. Snapshot().Where(t => t.Layer == "pipeline:" + entry)];

        public static async Task<Harness> StartAsync(Func<ReplayServer, string> json)
        {
            var server = await ReplayServer.StartAsync();
            var source = new CountingSource(json(server));
            var time = new FakeClock();
            var built = new List<Tracked>();
            var services = new ServiceCollection().AddSingleton<TimeProvider>(time);
            services.AddModelRegistry(o =>
                {
                    o.RefreshInterval = Refresh;
                    o.Resilience.MaxRetries = 0;
                    o.Resilience.AttemptTimeout = TimeSpan.FromHours(1); // held calls outlive several refreshes of the fake clock
                })
                .FromSource(_ => source)
                .AddTestWire()
                .WrapProviderClients((inner, entry, _) => Track(new Tracked(inner, "core:" + entry.Name), built))
                .ConfigurePipeline((b, entry) => b.Use(inner => Track(new Tracked(inner, "pipeline:" + entry.Name), built)));
            return new Harness(server, source, time, services.BuildServiceProvider(), built);
        }

        /// <summary>Serves <paramref name="json"/> from the next call on.</summary>
        public void Reload(string json)
        {
            Source.Json = json;
            Time.Advance(Refresh);
        }

        public async ValueTask DisposeAsync()
        {
            await _services.DisposeAsync();
            await Server.DisposeAsync();
        }

        private static Tracked Track(Tracked client, List<Tracked> built)
        {
            lock (built)
            {
                built.Add(client);
            }

            return client;
        }

        private List<Tracked> Snapshot()
        {
            lock (Built)
            {
                return [.. Built];
            }
        }
    }

    /// <summary>A pass-through client that says whether it was disposed.</summary>
    internal sealed class Tracked(IChatClient inner, string layer) : DelegatingChatClient(inner)
    {
        private int _disposed;

        public string Layer { get; } = layer;

        public bool IsDisposed => Volatile.Read(ref _disposed) == 1;

        protected override void Dispose(bool disposing)
        {
            Interlocked.Exchange(ref _disposed, 1);
            base.Dispose(disposing);
        }
    }

    private static string Entry(ReplayServer server, string name = "a", string extra = "") =>
        $$"""
        "{{name}}":{"provider":"testwire","model_id":"{{name}}-1","endpoint":"{{server.BaseAddress}}"{{extra}}}
        """;

    private static ScriptedResponse Held(Task until, string text = "held")
    {
        var answer = TestWireAnswers.Text(text);
        return new ScriptedResponse { Status = answer.Status, Headers = answer.Headers, Body = answer.Body, HoldUntil = until };
    }

    /// <summary>Polls for an event the test caused; the bound is a hang guard, not a timing window.</summary>
    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        using var guard = new CancellationTokenSource(Guard);
        while (!condition())
        {
            try
            {
                await Task.Delay(5, guard.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Gave up waiting: {what}");
            }
        }
    }

    [Test]
    public async Task A_refresh_loop_under_load_never_lets_more_than_max_concurrency_calls_reach_the_model()
    {
        const int Limit = 5;
        const int CallsPerRound = 25;
        const int Rounds = 4;
        static string Json(ReplayServer server, int round) =>
            $"{{{Entry(server, extra: $",\"limits\":{{\"max_concurrency\":{Limit}}},\"resilience\":{{\"max_retries\":{round}}}")}}}";

        await using var harness = await Harness.StartAsync(server => Json(server, 0));
        var release = new TaskCompletionSource();
        harness.Server.Enqueue([.. Enumerable.Range(0, Rounds * CallsPerRound).Select(_ => Held(release.Task))]);

        var calls = new List<Task<ChatResponse>>();
        for (var round = 0; round < Rounds; round++)
        {
            // Each round the entry's definition changes, so the registry reloads and builds a new client of it while
            // the calls of the earlier rounds are still in flight on the old ones.
            if (round > 0)
            {
                harness.Reload(Json(harness.Server, round));
            }

            calls.AddRange(Enumerable.Range(0, CallsPerRound).Select(_ => Task.Run(() => harness.Client.GetResponseAsync("hi"))));
            await WaitUntil(
                () => harness.Server.Requests.Count + calls.Count(c => c.IsFaulted) == calls.Count,
                "every call of the round reached the server or was refused");
        }

        Assert.Multiple(() =>
        {
            Assert.That(harness.Source.Loads, Is.EqualTo(Rounds), "the registry was reloaded every round");
            Assert.That(harness.Cores("a"), Has.Count.EqualTo(Rounds), "and built a new client of the changed entry each time");
            Assert.That(harness.Server.MostInFlight, Is.EqualTo(Limit), "never more than max_concurrency at the model at once");
            Assert.That(harness.Server.Requests, Has.Count.EqualTo(Limit));
        });

        release.SetResult();
        await Task.WhenAll(calls.Select(c => c.ContinueWith(_ => { }, TaskScheduler.Default))).WaitAsync(Guard);
        var refusals = calls.Where(c => c.IsFaulted).Select(c => c.Exception!.InnerException).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(calls.Count(c => c.IsCompletedSuccessfully), Is.EqualTo(Limit));
            Assert.That(refusals, Has.Count.EqualTo((Rounds * CallsPerRound) - Limit));
            Assert.That(refusals, Has.All.InstanceOf<ModelProviderException>().With.Property(nameof(ModelProviderException.ErrorCode)).EqualTo(ProviderErrorCodes.ClientConcurrencyLimit));
            Assert.That(harness.Cores("a").Select(c => c.IsDisposed), Is.EqualTo(new[] { true, true, true, false }), "the replaced clients are disposed once their calls ended; the current one is not");
            Assert.That(harness.Pipelines("a").Select(c => c.IsDisposed), Is.EqualTo(new[] { true, true, true, false }), "and so are their pipelines");
        });
    }

    [Test]
    public async Task Lowering_max_concurrency_refuses_new_calls_until_fewer_than_the_new_limit_are_in_flight()
    {
        await using var harness = await Harness.StartAsync(server => $"{{{Entry(server, extra: ",\"limits\":{\"max_concurrency\":3}")}}}");
        var release = new TaskCompletionSource();
        harness.Server.Enqueue(Held(release.Task), Held(release.Task), Held(release.Task), TestWireAnswers.Text("after"));
        var held = Enumerable.Range(0, 3).Select(_ => harness.Client.GetResponseAsync("hi")).ToList();
        await WaitUntil(() => harness.Server.InFlight == 3, "three calls in flight");

        harness.Reload($"{{{Entry(harness.Server, extra: ",\"limits\":{\"max_concurrency\":2}")}}}");
        var ex = Assert.ThrowsAsync<ModelProviderException>(() => harness.Client.GetResponseAsync("hi"));
        Assert.That(ex!.Message, Does.Contain("limits:max_concurrency = 2"), "the new limit counts the calls the old client has in flight");

        release.SetResult();
        await Task.WhenAll(held).WaitAsync(Guard);
        Assert.That((await harness.Client.GetResponseAsync("hi")).Text, Is.EqualTo("after"));
        Assert.That(harness.Server.MostInFlight, Is.EqualTo(3));
    }

    [Test]
    public async Task A_refresh_that_leaves_entries_unchanged_keeps_their_clients_and_a_changed_fallback_rebuilds_only_the_chain()
    {
        static string Json(ReplayServer server, string backupModel) =>
            $$"""
            {
              {{Entry(server, extra: ",\"fallbacks\":[\"b\"],\"limits\":{\"max_concurrency\":4,\"requests_per_minute\":100},\"allowed_roles\":[\"admin\",\"user\"],\"capabilities\":{\"context_window\":1000,\"vision\":true},\"pricing\":{\"input\":1,\"output\":2},\"circuit_breaker\":{\"failure_ratio\":0.5}")}},
              "b":{"provider":"testwire","model_id":"{{backupModel}}","endpoint":"{{server.BaseAddress}}"}
            }
            """;
        await using var harness = await Harness.StartAsync(server => Json(server, "b-1"));
        harness.Server.Enqueue([.. Enumerable.Range(0, 5).Select(i => TestWireAnswers.Text($"{i}"))]);
        var asAdmin = new ChatOptions { AdditionalProperties = new() { [RegistryProperties.CallerRoles] = "admin" } };

        await harness.Client.GetResponseAsync("hi", asAdmin);
        for (var i = 0; i < 3; i++)
        {
            harness.Reload(Json(harness.Server, "b-1")); // the same text: new entry objects, the same definitions
            await harness.Client.GetResponseAsync("hi", asAdmin);
        }

        var guard = harness.Client.GetService<Internal.EntryGuardChatClient>();
        Assert.That(guard?.CircuitState, Is.EqualTo(Polly.CircuitBreaker.CircuitState.Closed), "the guard is still found through the wrappers outside it");
        Assert.Multiple(() =>
        {
            Assert.That(harness.Source.Loads, Is.EqualTo(4));
            Assert.That(harness.Cores("a"), Has.Count.EqualTo(1), "the unchanged entry kept its client");
            Assert.That(harness.Pipelines("a"), Has.Count.EqualTo(1), "and its pipeline");
        });

        harness.Reload(Json(harness.Server, "b-2"));
        await harness.Client.GetResponseAsync("hi", asAdmin);

        Assert.Multiple(() =>
        {
            Assert.That(harness.Cores("a"), Has.Count.EqualTo(1), "a is unchanged: its own client stays");
            Assert.That(harness.Pipelines("a"), Has.Count.EqualTo(2), "its chain changed with its fallback: a new pipeline");
            Assert.That(harness.Pipelines("a")[0].IsDisposed, Is.True, "the old pipeline is disposed");
            Assert.That(harness.Cores("a")[0].IsDisposed, Is.False, "without disposing the entry client the new pipeline uses");
            Assert.That(harness.Cores("b").Select(c => c.IsDisposed), Is.EqualTo(new[] { true, false }), "the changed fallback's old client is disposed");
            Assert.That(harness.Built.Where(t => !t.IsDisposed).Select(t => t.Layer), Is.EquivalentTo(new[] { "core:a", "core:b", "pipeline:a" }));
        });
    }

    [Test]
    public async Task A_replaced_client_is_disposed_when_its_last_call_or_stream_ends_not_before()
    {
        await using var harness = await Harness.StartAsync(server => $"{{{Entry(server)}}}");
        var release = new TaskCompletionSource();
        harness.Server.Enqueue(Held(release.Task), TestWireAnswers.Stream("one ", "two").Complete(), TestWireAnswers.Text("v2"));

        var held = harness.Client.GetResponseAsync("hi");
        await WaitUntil(() => harness.Server.InFlight == 1, "the call is in flight");
        var stream = harness.Client.GetStreamingResponseAsync("hi").GetAsyncEnumerator();
        Assert.That(await stream.MoveNextAsync(), Is.True);

        harness.Reload($"{{{Entry(harness.Server, extra: ",\"resilience\":{\"max_retries\":1}")}}}");
        Assert.That((await harness.Client.GetResponseAsync("hi")).Text, Is.EqualTo("v2"));
        var (old, current) = (harness.Cores("a")[0], harness.Cores("a")[1]);
        var oldPipeline = harness.Pipelines("a")[0];
        Assert.That(old.IsDisposed || oldPipeline.IsDisposed, Is.False, "a call and a stream still run on the old client");

        release.SetResult();
        Assert.That((await held.WaitAsync(Guard)).Text, Is.EqualTo("held"));
        Assert.That(old.IsDisposed, Is.False, "the stream still runs on it");

        while (await stream.MoveNextAsync())
        {
        }

        await stream.DisposeAsync();
        Assert.Multiple(() =>
        {
            Assert.That(old.IsDisposed, Is.True, "disposed when its last call ended");
            Assert.That(oldPipeline.IsDisposed, Is.True);
            Assert.That(current.IsDisposed, Is.False);
            Assert.That(harness.Pipelines("a")[1].IsDisposed, Is.False);
        });
    }

    [Test]
    public async Task A_stream_takes_the_token_given_to_its_enumerator_and_enumerated_again_makes_a_new_call()
    {
        await using var harness = await Harness.StartAsync(server => $"{{{Entry(server)}}}");
        harness.Server.Enqueue(TestWireAnswers.Stream("one ", "two").Complete());
        var stream = harness.Client.GetStreamingResponseAsync("hi");
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        Assert.That(
            async () =>
            {
                await foreach (var _ in stream.WithCancellation(cancelled.Token))
                {
                }
            },
            Throws.InstanceOf<OperationCanceledException>());
        Assert.That(harness.Server.Requests, Is.Empty, "the cancelled enumeration sent nothing");

        var updates = await stream.ToListAsync();
        Assert.That(string.Concat(updates.Select(u => u.Text)), Is.EqualTo("one two"));
        Assert.That(harness.Server.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task An_open_breaker_stays_open_across_a_refresh_that_changes_other_settings_and_a_new_breaker_setting_starts_closed()
    {
        // A break far longer than the refresh interval the clock is advanced by.
        const string Breaker = ",\"circuit_breaker\":{\"failure_ratio\":1,\"minimum_throughput\":2,\"break_duration_ms\":3600000}";
        await using var harness = await Harness.StartAsync(server => $"{{{Entry(server, extra: Breaker)}}}");
        harness.Server.Enqueue(TestWireAnswers.Error(500, "down"), TestWireAnswers.Error(500, "down"), TestWireAnswers.Text("closed"));
        for (var i = 0; i < 2; i++)
        {
            Assert.CatchAsync<ModelProviderException>(() => harness.Client.GetResponseAsync("hi"));
        }

        harness.Reload($"{{{Entry(harness.Server, extra: Breaker + ",\"resilience\":{\"max_retries\":1}")}}}");
        var open = Assert.ThrowsAsync<ModelProviderException>(() => harness.Client.GetResponseAsync("hi"));
        Assert.That(open!.ErrorCode, Is.EqualTo(ProviderErrorCodes.CircuitOpen), "the rebuilt client kept the entry's open breaker");
        Assert.That(harness.Cores("a"), Has.Count.EqualTo(2));
        Assert.That(harness.Server.Requests, Has.Count.EqualTo(2));

        harness.Reload($"{{{Entry(harness.Server, extra: ",\"circuit_breaker\":{\"failure_ratio\":1,\"minimum_throughput\":3,\"break_duration_ms\":3600000}")}}}");
        Assert.That((await harness.Client.GetResponseAsync("hi")).Text, Is.EqualTo("closed"), "changed breaker settings start a closed breaker");
    }
}
