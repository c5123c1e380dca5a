using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using ModelRegistry.Providers;
using ModelRegistry.Testing;

namespace ModelRegistry.Tests;

/// <summary>
/// The registry's metrics on the <c>ModelRegistry</c> meter, collected through the application's <see cref="IMeterFactory"/>
/// from calls over loopback HTTP (testwire) through <c>AddModelRegistry()</c>.
/// </summary>
public sealed class RegistryMetricsTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(15);

    private const string Secret = "sk-test-metrics-secret-0001";
    private const string UserContent = "my private question about invoices";

    private static ServiceProvider Registry(string json, FakeClock time, Action<ModelRegistryOptions>? options = null)
    {
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(time)
            .AddSingleton(EnvironmentProvider.FromVariables(new Dictionary<string, string?> { ["WIRE_KEY"] = Secret }))
            .AddMetrics();
        services.AddModelRegistry(o =>
        {
            o.Resilience.MaxRetries = 0;
            o.Resilience.UseJitter = false;
            options?.Invoke(o);
        }).FromJson(json).AddTestWire();
        return services.BuildServiceProvider();
    }

    private static string Entry(string name, ReplayServer server, string extra = "", string fallbacks = "") =>
        $$"""
        "{{name}}":{"provider":"testwire","model_id":"{{name}}-1","endpoint":"{{server.BaseAddress}}","api_key":"env:WIRE_KEY"{{(fallbacks.Length > 0 ? $",\"fallbacks\":[{fallbacks}]" : "")}}{{extra}}}
        """;

    private static KeyValuePair<string, object?> Tag(string name, string value) => new(name, value);

    private static ScriptedResponse Failure(int status) => TestWireAnswers.Error(status, $"failed with {status} for {UserContent}");

    [Test]
    public async Task Each_attempt_counts_once_with_its_entry_provider_model_and_outcome()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(TestWireAnswers.Text("one"), Failure(400), TestWireAnswers.Text("three"));
        await using var services = Registry($"{{{Entry("a", server)}}}", new FakeClock());
        using var metrics = new Collected(services);
        var client = services.GetRequiredKeyedService<IChatClient>("a");

        await client.GetResponseAsync("hi");
        var failed = Assert.CatchAsync<ModelProviderException>(() => client.GetResponseAsync("hi"))!;
        await client.GetResponseAsync("hi", new ChatOptions { ModelId = "a-2" });
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(() => client.GetResponseAsync("hi", cancellationToken: cancelled.Token));

        var attempts = metrics.Attempts.GetMeasurementSnapshot();
        Assert.Multiple(() =>
        {
            Assert.That(attempts.Select(m => (m.Value, (string?)m.Tags["model_registry.outcome"], (string?)m.Tags["gen_ai.request.model"])),
                Is.EqualTo(new[] { (1L, "success", "a-1"), (1L, "error", "a-1"), (1L, "success", "a-2"), (1L, "cancelled", "a-1") }));
            Assert.That(attempts.All(m => m.ContainsTags(
                Tag("model_registry.entry", "a"), Tag("gen_ai.provider.name", "testwire"), Tag("gen_ai.operation.name", "chat"))), Is.True);
            Assert.That(attempts[1].Tags["error.type"], Is.EqualTo(failed.ErrorCode ?? "400"), "error.type is the error's code");
            Assert.That(attempts.Where(m => (string?)m.Tags["model_registry.outcome"] != "error").All(m => !m.Tags.ContainsKey("error.type")), Is.True);
            Assert.That(metrics.Duration.GetMeasurementSnapshot(), Has.Count.EqualTo(4), "one duration per attempt");
        });
    }

    [Test]
    public async Task A_fallback_counts_from_to_and_reason_and_both_attempts()
    {
        await using var primary = await ReplayServer.StartAsync();
        await using var backup = await ReplayServer.StartAsync();
        primary.Enqueue(Failure(503));
        backup.Enqueue(TestWireAnswers.Text("backup"));
        await using var services = Registry($"{{{Entry("a", primary, fallbacks: "\"b\"")},{Entry("b", backup)}}}", new FakeClock());
        using var metrics = new Collected(services);

        var response = await services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("hi");

        var fallback = metrics.Fallbacks.GetMeasurementSnapshot().Single();
        var attempts = metrics.Attempts.GetMeasurementSnapshot();
        Assert.Multiple(() =>
        {
            Assert.That(response.Text, Is.EqualTo("backup"));
            Assert.That(fallback.Value, Is.EqualTo(1));
            Assert.That(fallback.Tags["model_registry.fallback.from"], Is.EqualTo("a"));
            Assert.That(fallback.Tags["model_registry.fallback.to"], Is.EqualTo("b"));
            Assert.That(fallback.Tags["model_registry.fallback.reason"], Is.EqualTo(attempts[0].Tags["error.type"]), "the reason is the failed attempt's error.type");
            Assert.That(attempts.Select(m => ((string?)m.Tags["model_registry.entry"], (string?)m.Tags["model_registry.outcome"])),
                Is.EqualTo(new[] { ("a", "error"), ("b", "success") }));
        });
    }

    [Test]
    public async Task The_breaker_counts_open_half_open_and_closed_and_its_refusals_are_attempts_that_failed()
    {
        await using var primary = await ReplayServer.StartAsync();
        primary.Enqueue(Failure(500), Failure(500), Failure(500), TestWireAnswers.Text("recovered"));
        var time = new FakeClock();
        await using var services = Registry(
            $"{{{Entry("a", primary, extra: ",\"circuit_breaker\":{\"failure_ratio\":1,\"minimum_throughput\":3,\"break_duration_ms\":10000}")}}}", time);
        using var metrics = new Collected(services);
        var client = services.GetRequiredKeyedService<IChatClient>("a");

        for (var i = 0; i < 3; i++)
        {
            Assert.CatchAsync<ModelProviderException>(() => client.GetResponseAsync("hi"));
        }

        Assert.That(States(), Is.EqualTo(new[] { "open" }));
        Assert.That(Assert.CatchAsync<ModelProviderException>(() => client.GetResponseAsync("hi"))!.ErrorCode, Is.EqualTo(ProviderErrorCodes.CircuitOpen));
        Assert.That(metrics.Attempts.LastMeasurement!.Tags["error.type"], Is.EqualTo(ProviderErrorCodes.CircuitOpen));

        time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromMilliseconds(1));
        Assert.CatchAsync<ModelProviderException>(() => client.GetResponseAsync("hi"), "still open 1 ms before the break ends");
        Assert.That(States(), Is.EqualTo(new[] { "open" }));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That((await client.GetResponseAsync("hi")).Text, Is.EqualTo("recovered"));

        Assert.Multiple(() =>
        {
            Assert.That(States(), Is.EqualTo(new[] { "open", "half_open", "closed" }));
            Assert.That(metrics.Breaker.GetMeasurementSnapshot().All(m => m.Value == 1 && (string?)m.Tags["model_registry.entry"] == "a"), Is.True);
        });

        string?[] States() => [.. metrics.Breaker.GetMeasurementSnapshot().Select(m => (string?)m.Tags["model_registry.breaker.state"])];
    }

    [Test]
    public async Task A_client_limit_refusal_counts_with_its_kind()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(TestWireAnswers.Text("1"));
        await using var services = Registry($"{{{Entry("a", server, extra: ",\"limits\":{\"requests_per_minute\":1}")}}}", new FakeClock());
        using var metrics = new Collected(services);
        var client = services.GetRequiredKeyedService<IChatClient>("a");

        await client.GetResponseAsync("hi");
        Assert.CatchAsync<ModelProviderException>(() => client.GetResponseAsync("hi"));

        var refusal = metrics.Limits.GetMeasurementSnapshot().Single();
        Assert.Multiple(() =>
        {
            Assert.That(refusal.Value, Is.EqualTo(1));
            Assert.That(refusal.ContainsTags(Tag("model_registry.entry", "a"), Tag("model_registry.limit.kind", "requests_per_minute"), Tag("gen_ai.provider.name", "testwire")), Is.True);
            Assert.That(metrics.Attempts.LastMeasurement!.Tags["error.type"], Is.EqualTo(ProviderErrorCodes.ClientRateLimit));
            Assert.That(server.Requests, Has.Count.EqualTo(1), "the refused call was not sent");
        });
    }

    [Test]
    public async Task Tokens_by_type_and_cost_at_the_entrys_prices()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""
            {"id":"r1","model":"wire-large-1","content":[{"type":"text","text":"ok"}],"finish":"stop","usage":{"input":1000,"output":200,"cache_read":400}}
            """));
        await using var services = Registry(
            $"{{{Entry("a", server, extra: ",\"pricing\":{\"input\":2,\"output\":10,\"cache_read\":0.5,\"currency\":\"EUR\"}")}}}", new FakeClock());
        using var metrics = new Collected(services);

        await services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("hi");

        var tokens = metrics.Tokens.GetMeasurementSnapshot();
        var cost = metrics.Cost.GetMeasurementSnapshot().Single();
        Assert.Multiple(() =>
        {
            Assert.That(tokens.Select(m => ((string?)m.Tags["gen_ai.token.type"], m.Value)), Is.EqualTo(new[] { ("input", 1000L), ("output", 200L), ("cached", 400L) }));
            Assert.That(tokens.All(m => m.ContainsTags(Tag("model_registry.entry", "a"), Tag("gen_ai.request.model", "a-1"))), Is.True);
            // 600 uncached × 2 + 200 × 10 + 400 × 0.5, per million tokens.
            Assert.That(cost.Value, Is.EqualTo(0.0034).Within(1e-12));
            Assert.That(cost.Tags["model_registry.entry"], Is.EqualTo("a"));
            Assert.That(cost.Tags["model_registry.currency"], Is.EqualTo("EUR"));
        });
    }

    [Test]
    public async Task An_entry_without_prices_reports_tokens_and_no_cost()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(TestWireAnswers.Text("ok", inputTokens: 7, outputTokens: 3));
        await using var services = Registry($"{{{Entry("a", server)}}}", new FakeClock());
        using var metrics = new Collected(services);

        await services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("hi");

        Assert.That(metrics.Tokens.GetMeasurementSnapshot().Sum(m => m.Value), Is.EqualTo(10));
        Assert.That(metrics.Cost.GetMeasurementSnapshot(), Is.Empty);
    }

    [TestCase("\"euro\"", "'euro'")]
    [TestCase("\"EURO\"", "'EURO'")]
    [TestCase("\"\"", "''")]
    public async Task A_currency_that_is_not_an_ISO_code_fails_the_load_naming_entry_and_key(string currency, string shown)
    {
        await using var server = await ReplayServer.StartAsync();
        await using var services = Registry($"{{{Entry("a", server, extra: $",\"pricing\":{{\"input\":1,\"output\":1,\"currency\":{currency}}}")}}}", new FakeClock());

        var ex = Assert.ThrowsAsync<ModelRegistryException>(async () => await services.GetRequiredService<IModelRegistry>().GetEntriesAsync());

        Assert.That(ex!.Message, Does.Contain("'a'").And.Contain("\"pricing:currency\" must be a three-letter ISO 4217 code").And.Contain($"but is {shown}"));
        Assert.That(server.Requests, Is.Empty);
    }

    [Test]
    public async Task A_stream_counts_one_attempt_and_its_usage_once_when_it_ends()
    {
        await using var primary = await ReplayServer.StartAsync();
        await using var backup = await ReplayServer.StartAsync();
        primary.Enqueue(new ScriptedResponse { ResetConnection = true });
        backup.Enqueue(TestWireAnswers.Stream("from ", "the ", "backup").Complete());
        await using var services = Registry($"{{{Entry("a", primary, fallbacks: "\"b\"")},{Entry("b", backup, extra: ",\"pricing\":{\"input\":1,\"output\":1}")}}}", new FakeClock());
        using var metrics = new Collected(services);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in services.GetRequiredKeyedService<IChatClient>("a").GetStreamingResponseAsync("hi"))
        {
            updates.Add(update);
            Assert.That(metrics.Attempts.GetMeasurementSnapshot().Count(m => (string?)m.Tags["model_registry.entry"] == "b"), Is.Zero, "counted when the stream ends, not per update");
        }

        Assert.Multiple(() =>
        {
            Assert.That(string.Concat(updates.Select(u => u.Text)), Is.EqualTo("from the backup"));
            Assert.That(metrics.Attempts.GetMeasurementSnapshot().Select(m => ((string?)m.Tags["model_registry.entry"], (string?)m.Tags["model_registry.outcome"])),
                Is.EqualTo(new[] { ("a", "error"), ("b", "success") }));
            Assert.That(metrics.Fallbacks.GetMeasurementSnapshot(), Has.Count.EqualTo(1));
            Assert.That(metrics.Tokens.GetMeasurementSnapshot().Select(m => ((string?)m.Tags["gen_ai.token.type"], m.Value)), Is.EqualTo(new[] { ("input", 10L), ("output", 5L) }));
            Assert.That(metrics.Cost.GetMeasurementSnapshot().Single().Value, Is.EqualTo(15 / 1_000_000.0).Within(1e-15));
            Assert.That(metrics.Cost.GetMeasurementSnapshot().Single().Tags["model_registry.currency"], Is.EqualTo("USD"), "prices are in USD unless the entry says otherwise");
            Assert.That(metrics.Duration.GetMeasurementSnapshot(), Has.Count.EqualTo(2));
        });
    }

    [Test]
    public async Task A_stream_the_caller_stops_reading_counts_once_as_abandoned()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(TestWireAnswers.Stream("one", "two", "three").Complete());
        await using var services = Registry($"{{{Entry("a", server)}}}", new FakeClock());
        using var metrics = new Collected(services);

        await foreach (var update in services.GetRequiredKeyedService<IChatClient>("a").GetStreamingResponseAsync("hi"))
        {
            if (update.Text.Length > 0)
            {
                break;
            }
        }

        var attempt = metrics.Attempts.GetMeasurementSnapshot().Single();
        Assert.That(attempt.Tags["model_registry.outcome"], Is.EqualTo("abandoned"));
        Assert.That(attempt.Tags.ContainsKey("error.type"), Is.False);
    }

    [Test]
    public async Task No_tag_holds_a_secret_or_user_content()
    {
        await using var primary = await ReplayServer.StartAsync();
        await using var backup = await ReplayServer.StartAsync();
        primary.Enqueue(Failure(503));
        backup.Enqueue(TestWireAnswers.Text($"echo: {UserContent}"), TestWireAnswers.Stream(UserContent).Complete(), Failure(400));
        await using var services = Registry(
            $"{{{Entry("a", primary, fallbacks: "\"b\"", extra: ",\"limits\":{\"max_concurrency\":5}")},{Entry("b", backup, extra: ",\"pricing\":{\"input\":1,\"output\":1}")}}}", new FakeClock());
        using var metrics = new Collected(services);
        var fallbackClient = services.GetRequiredKeyedService<IChatClient>("a");
        var backupClient = services.GetRequiredKeyedService<IChatClient>("b");

        await fallbackClient.GetResponseAsync(UserContent);
        await backupClient.GetStreamingResponseAsync(UserContent).ToListAsync();
        var failure = Assert.CatchAsync<ModelProviderException>(() => backupClient.GetResponseAsync(UserContent))!;
        Assert.That(failure.Message, Does.Contain("invoices"), "the provider's message holds user content, so it must stay out of the tags");

        var values = metrics.AllTagValues();
        Assert.That(values, Is.Not.Empty);
        Assert.That(values.Where(v => v.Contains(Secret, StringComparison.Ordinal) || v.Contains("invoices", StringComparison.Ordinal) || v.Contains("echo", StringComparison.Ordinal)), Is.Empty);
    }

    [Test]
    public void The_meter_is_the_applications_meter_factorys_else_the_registrys_own()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        using var fromFactory = new Internal.RegistryMetrics(factory);
        using var own = new Internal.RegistryMetrics(null);

        Assert.Multiple(() =>
        {
            Assert.That(fromFactory.Attempts.Meter.Name, Is.EqualTo("ModelRegistry"));
            Assert.That(fromFactory.Attempts.Meter.Scope, Is.SameAs(factory), "MetricCollector and the host's listeners find it by the factory");
            Assert.That(own.Attempts.Meter.Name, Is.EqualTo("ModelRegistry"));
            Assert.That(own.Attempts.Meter.Scope, Is.Null);
        });
    }

    /// <summary>A collector per instrument, scoped to this test's meter factory.</summary>
    private sealed class Collected : IDisposable
    {
        public Collected(IServiceProvider services)
        {
            var factory = services.GetRequiredService<IMeterFactory>();
            Attempts = new(factory, "ModelRegistry", "model_registry.attempts");
            Duration = new(factory, "ModelRegistry", "model_registry.attempt.duration");
            Fallbacks = new(factory, "ModelRegistry", "model_registry.fallbacks");
            Breaker = new(factory, "ModelRegistry", "model_registry.breaker.state_changes");
            Limits = new(factory, "ModelRegistry", "model_registry.limit.refusals");
            Tokens = new(factory, "ModelRegistry", "model_registry.tokens");
            Cost = new(factory, "ModelRegistry", "model_registry.cost");
        }

        public MetricCollector<long> Attempts { get; }

        public MetricCollector<double> Duration { get; }

        public MetricCollector<long> Fallbacks { get; }

        public MetricCollector<long> Breaker { get; }

        public MetricCollector<long> Limits { get; }

        public MetricCollector<long> Tokens { get; }

        public MetricCollector<double> Cost { get; }

        public List<string> AllTagValues() => new[] { Attempts, Fallbacks, Breaker, Limits, Tokens }.SelectMany(c => c.GetMeasurementSnapshot()).SelectMany(m => m.Tags.Values)
            .Concat(new[] { Duration, Cost }.SelectMany(c => c.GetMeasurementSnapshot()).SelectMany(m => m.Tags.Values))
            .Select(v => v?.ToString() ?? "")
            .ToList();

        public void Dispose()
        {
            Attempts.Dispose();
            Duration.Dispose();
            Fallbacks.Dispose();
            Breaker.Dispose();
            Limits.Dispose();
            Tokens.Dispose();
            Cost.Dispose();
        }
    }
}
