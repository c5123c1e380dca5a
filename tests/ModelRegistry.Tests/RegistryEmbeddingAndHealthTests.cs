using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelRegistry.Providers;
using ModelRegistry.Testing;
using ModelRegistry.Tests.Support;

namespace ModelRegistry.Tests;

/// <summary>Embedding generators and the health check of the registry, over loopback HTTP to testwire servers.</summary>
public sealed class RegistryEmbeddingAndHealthTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(15);

    private static (ServiceProvider Services, CountingProvider Provider, CountingSource Source) Create(string json, FakeClock? time = null, Action<ModelRegistryOptions>? options = null)
    {
        var source = new CountingSource(json);
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(time ?? new FakeClock())
            .AddSingleton<IChatClientProvider>(new FakeProvider());
        var provider = CountingProvider.AddTestWire(services.AddModelRegistry(o =>
        {
            o.Resilience.MaxRetries = 0;
            options?.Invoke(o);
        }).FromSource(_ => source));
        services.AddHealthChecks().AddModelRegistry();
        return (services.BuildServiceProvider(), provider, source);
    }

    private static string Entry(string name, ReplayServer server, string model) =>
        $"\"{name}\":{{\"provider\":\"testwire\",\"model_id\":\"{model}\",\"endpoint\":\"{server.BaseAddress}\"}}";

    private static ScriptedResponse Vectors(params float[][] vectors) => TestWireAnswers.Embeddings(vectors);

    [Test]
    public async Task Embedding_generators_by_name_and_keyed_do_no_io_until_called_and_are_built_once()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Vectors([0.5f, 1f]), Vectors([0.25f], [2f]));
        var (services, provider, source) = Create($"{{{Entry("embed", server, "tiny-embed")}}}");
        await using var _ = services;

        var byName = services.GetRequiredService<IModelRegistry>().GetEmbeddingGenerator("embed");
        var keyed = services.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>("embed");
        Assert.Multiple(() =>
        {
            Assert.That(keyed, Is.SameAs(byName), "one generator per name");
            Assert.That(source.Loads, Is.Zero, "resolving does not read the registry");
            Assert.That(provider.EmbeddingGeneratorsBuilt, Is.Zero, "resolving builds nothing");
            Assert.That(server.Requests, Is.Empty);
        });

        var first = await byName.GenerateAsync(["hello"]).WaitAsync(Guard);
        var second = await keyed.GenerateAsync(["a", "b"], new EmbeddingGenerationOptions { ModelId = "tiny-embed-2" }).WaitAsync(Guard);

        Assert.Multiple(() =>
        {
            Assert.That(first.Single().Vector.ToArray(), Is.EqualTo(new[] { 0.5f, 1f }));
            Assert.That(second.Select(e => e.Vector.ToArray()[0]), Is.EqualTo(new[] { 0.25f, 2f }));
            Assert.That(server.Requests[0].PathAndQuery, Is.EqualTo("/v1/models/tiny-embed/embed"));
            Assert.That(server.Requests[1].PathAndQuery, Is.EqualTo("/v1/models/tiny-embed-2/embed"), "EmbeddingGenerationOptions.ModelId is honoured");
            Assert.That(provider.EmbeddingGeneratorsBuilt, Is.EqualTo(1), "built once for the definition");
            Assert.That(source.Loads, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task An_embedding_generator_is_rebuilt_when_its_entry_changes_and_kept_when_it_does_not()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Vectors([1f]), Vectors([2f]), Vectors([3f]));
        var time = new FakeClock();
        var (services, provider, source) = Create($"{{{Entry("embed", server, "tiny-embed")}}}", time, o => o.RefreshInterval = TimeSpan.FromMinutes(1));
        await using var _ = services;
        var generator = services.GetRequiredService<IModelRegistry>().GetEmbeddingGenerator("embed");

        await generator.GenerateAsync(["x"]);
        time.Advance(TimeSpan.FromMinutes(1));
        await generator.GenerateAsync(["x"]);
        Assert.That(provider.EmbeddingGeneratorsBuilt, Is.EqualTo(1), "reloaded, unchanged: the same generator");

        source.Json = $"{{{Entry("embed", server, "tiny-embed-v2")}}}";
        time.Advance(TimeSpan.FromMinutes(1));
        await generator.GenerateAsync(["x"]);

        Assert.Multiple(() =>
        {
            Assert.That(provider.EmbeddingGeneratorsBuilt, Is.EqualTo(2), "changed: a new generator");
            Assert.That(server.Requests[2].PathAndQuery, Is.EqualTo("/v1/models/tiny-embed-v2/embed"));
            Assert.That(source.Loads, Is.EqualTo(3));
        });
    }

    [Test]
    public async Task An_entry_whose_provider_or_model_does_not_embed_fails_with_a_clear_registry_error()
    {
        await using var server = await ReplayServer.StartAsync();
        var (services, _, _) = Create($"{{{Entry("chat", server, "tiny-chat")}, \"fake\":{{\"provider\":\"fake\",\"model_id\":\"m\"}}}}");
        await using var _ = services;
        var registry = services.GetRequiredService<IModelRegistry>();

        var provider = Assert.ThrowsAsync<ModelRegistryException>(() => registry.GetEmbeddingGenerator("fake").GenerateAsync(["x"]));
        var model = Assert.ThrowsAsync<ModelRegistryException>(() => registry.GetEmbeddingGenerator("chat").GenerateAsync(["x"]));
        var unknown = Assert.ThrowsAsync<ModelRegistryException>(() => registry.GetEmbeddingGenerator("nope").GenerateAsync(["x"]));

        Assert.Multiple(() =>
        {
            Assert.That(provider!.Message, Does.StartWith("Model 'fake' uses provider 'fake', which does not generate embeddings. Name an entry of a provider that does"));
            Assert.That(model!.Message, Does.StartWith("Model 'chat' (tiny-chat) generates no embeddings"));
            Assert.That(unknown!.Message, Does.StartWith("Model 'nope' is not in the registry (the test source). Known models: chat, fake."));
            Assert.That(server.Requests, Is.Empty);
        });
    }

    [Test]
    public void A_keyed_embedding_generator_needs_a_string_key()
    {
        var services = new ServiceCollection();
        services.AddModelRegistry().FromJson("{}");
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<ModelRegistryException>(() => provider.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>(42));
        Assert.That(ex!.Message, Does.Contain("needs a registry name as its key, but the key is Int32"));
    }

    private static async Task<HealthReportEntry> CheckAsync(ServiceProvider services)
    {
        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync().WaitAsync(Guard);
        return report.Entries["model-registry"];
    }

    [Test]
    public async Task Health_probes_every_entry_once_a_minute_and_reports_each()
    {
        await using var up = await ReplayServer.StartAsync();
        await using var down = await ReplayServer.StartAsync();
        up.Enqueue(TestWireAnswers.Available("tiny-a"), TestWireAnswers.Available("tiny-a"));
        down.Enqueue(TestWireAnswers.Error(404, "model tiny-b not found"));
        var time = new FakeClock();
        var (services, provider, _) = Create($"{{{Entry("a", up, "tiny-a")},{Entry("b", down, "tiny-b")}}}", time);
        await using var _ = services;

        var first = await CheckAsync(services);
        Assert.Multiple(() =>
        {
            Assert.That(first.Status, Is.EqualTo(HealthStatus.Degraded));
            Assert.That(first.Description, Is.EqualTo("2 models; not available: b."));
            Assert.That(first.Data["a"], Is.EqualTo("Healthy; circuit breaker Closed; testwire model 'tiny-a' is available."));
            Assert.That(first.Data["b"], Does.StartWith("Unhealthy; circuit breaker Closed; Model registry entry 'b' (testwire): TestWire answered HTTP 404"));
            Assert.That(up.Requests.Single().PathAndQuery, Is.EqualTo("/v1/models/tiny-a"));
            Assert.That(provider.Probes, Is.EqualTo(2));
        });

        time.Advance(ModelRegistryHealthCheck.ProbeCacheDuration - TimeSpan.FromTicks(1));
        await CheckAsync(services);
        Assert.That(provider.Probes, Is.EqualTo(2), "within a minute the probes' results are reused");

        time.Advance(TimeSpan.FromTicks(1));
        down.Enqueue(TestWireAnswers.Available("tiny-b"));
        var later = await CheckAsync(services);
        Assert.Multiple(() =>
        {
            Assert.That(provider.Probes, Is.EqualTo(4), "after a minute every entry is probed again");
            Assert.That(later.Status, Is.EqualTo(HealthStatus.Healthy));
            Assert.That(later.Description, Is.EqualTo("2 models available; no circuit breaker open."));
        });
    }

    [Test]
    public async Task Health_is_unhealthy_when_no_entry_is_available_and_reports_an_unregistered_provider_without_throwing()
    {
        await using var down = await ReplayServer.StartAsync();
        down.Enqueue(new ScriptedResponse { ResetConnection = true });
        var (services, _, _) = Create($"{{{Entry("a", down, "tiny-a")},\"large\":{{\"provider\":\"mistral\",\"model_id\":\"mistral-large-latest\"}}}}");
        await using var _ = services;

        var report = await CheckAsync(services);

        Assert.Multiple(() =>
        {
            Assert.That(report.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(report.Description, Is.EqualTo("No model is available: a, large."));
            Assert.That(report.Data["a"], Does.Contain("could not be reached"));
            Assert.That(report.Data["large"], Is.EqualTo(
                "Unhealthy; circuit breaker Closed; Model 'large' uses provider 'mistral', which is not registered. Registered providers: fake, testwire. " +
                "Add the package ModelRegistry.Mistral and call .AddMistral() on AddModelRegistry()."));
        });
    }

    [Test]
    public async Task A_probe_that_does_not_answer_is_unhealthy_after_exactly_the_probe_timeout()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(new ScriptedResponse { DelayBeforeHeaders = TimeSpan.FromHours(1) });
        var time = new FakeClock();
        var (services, _, _) = Create($"{{{Entry("a", server, "tiny-a")}}}", time);
        await using var _ = services;

        var check = CheckAsync(services);
        await time.AdvanceWhenArmedAsync(ModelRegistryHealthCheck.ProbeTimeout, check);
        var report = await check;

        Assert.Multiple(() =>
        {
            Assert.That(report.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(report.Data["a"], Is.EqualTo("Unhealthy; circuit breaker Closed; The probe did not finish within 10 s."));
        });
    }

    [Test]
    public async Task Health_is_unhealthy_when_the_registry_cannot_be_loaded()
    {
        var (services, _, source) = Create("{not json");
        await using var _ = services;

        var report = await CheckAsync(services);

        Assert.Multiple(() =>
        {
            Assert.That(report.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(report.Description, Is.EqualTo("The model registry cannot be loaded."));
            Assert.That(report.Exception, Is.InstanceOf<ModelRegistryException>());
            Assert.That(report.Exception!.Message, Does.Contain("the test source is not valid JSON"));
            Assert.That(source.Loads, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Health_reports_an_open_breaker_as_degraded()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(TestWireAnswers.Error(500, "down"), TestWireAnswers.Error(500, "down"), TestWireAnswers.Available("tiny-a"));
        var (services, _, _) = Create(
            "{\"a\":{\"provider\":\"testwire\",\"model_id\":\"tiny-a\",\"endpoint\":\"" + server.BaseAddress + "\",\"circuit_breaker\":{\"failure_ratio\":1,\"minimum_throughput\":2}}}");
        await using var _ = services;
        var client = services.GetRequiredKeyedService<IChatClient>("a");
        for (var i = 0; i < 2; i++)
        {
            Assert.CatchAsync<ModelProviderException>(() => client.GetResponseAsync("hi"));
        }

        var report = await CheckAsync(services);

        Assert.Multiple(() =>
        {
            Assert.That(report.Status, Is.EqualTo(HealthStatus.Degraded));
            Assert.That(report.Description, Is.EqualTo("1 models; circuit breaker open: a."));
            Assert.That(report.Data["a"], Is.EqualTo("Healthy; circuit breaker Open; testwire model 'tiny-a' is available."));
        });
    }

    [Test]
    public async Task Health_of_named_models_only_and_of_an_unknown_name()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(TestWireAnswers.Available("tiny-a"));
        var services = new ServiceCollection().AddLogging();
        var provider = CountingProvider.AddTestWire(services.AddModelRegistry().FromJson($"{{{Entry("a", server, "tiny-a")},{Entry("b", server, "tiny-b")}}}"));
        services.AddHealthChecks().AddModelRegistry("only-a", models: ["A"]).AddModelRegistry("typo", models: ["c"], failureStatus: HealthStatus.Degraded);
        await using var built = services.BuildServiceProvider();

        var report = await built.GetRequiredService<HealthCheckService>().CheckHealthAsync().WaitAsync(Guard);

        Assert.Multiple(() =>
        {
            Assert.That(report.Entries["only-a"].Status, Is.EqualTo(HealthStatus.Healthy));
            Assert.That(report.Entries["only-a"].Data.Keys, Is.EqualTo(new[] { "a" }));
            Assert.That(report.Entries["typo"].Status, Is.EqualTo(HealthStatus.Degraded));
            Assert.That(report.Entries["typo"].Exception!.Message, Is.EqualTo("The health check names model 'c', which is not in the registry. Known models: a, b."));
            Assert.That(provider.Probes, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task DEFAULT_MODEL_is_read_through_the_EnvironmentProvider()
    {
        var services = new ServiceCollection()
            .AddSingleton<IChatClientProvider>(new FakeProvider())
            .AddSingleton(EnvironmentProvider.FromVariables(new Dictionary<string, string?> { ["DEFAULT_MODEL"] = " b " }));
        services.AddModelRegistry().FromJson("""{"a":{"provider":"fake","model_id":"model-a"},"b":{"provider":"fake","model_id":"model-b"}}""");
        await using var provider = services.BuildServiceProvider();

        Assert.That((await provider.GetRequiredService<IChatClient>().GetResponseAsync("hi")).Text, Is.EqualTo("b/model-b"));
        Assert.That((await provider.GetRequiredService<IModelRegistry>().GetEntryAsync()).Name, Is.EqualTo("b"));
    }

    [Test]
    public async Task An_empty_environment_leaves_no_default_whatever_the_process_has()
    {
        var services = new ServiceCollection()
            .AddSingleton<IChatClientProvider>(new FakeProvider())
            .AddSingleton(EnvironmentProvider.FromVariables(new Dictionary<string, string?>()));
        services.AddModelRegistry().FromJson("""{"a":{"provider":"fake","model_id":"model-a"},"b":{"provider":"fake","model_id":"model-b"}}""");
        await using var provider = services.BuildServiceProvider();

        var ex = Assert.ThrowsAsync<ModelRegistryException>(() => provider.GetRequiredService<IChatClient>().GetResponseAsync("hi"));
        Assert.That(ex!.Message, Does.StartWith("No default model is set."));
    }
}
