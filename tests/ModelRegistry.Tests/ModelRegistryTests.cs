using ModelRegistry.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ModelRegistry.Tests;

public sealed class ModelRegistryTests
{
    private const string TwoModels = """{"a":{"provider":"fake","model_id":"model-a"},"b":{"provider":"fake","model_id":"model-b"}}""";

    private static (ServiceProvider Services, FakeProvider Provider, CountingSource Source) Create(
        string json = TwoModels,
        Action<ModelRegistryBuilder>? configure = null,
        Action<ModelRegistryOptions>? options = null,
        IConfiguration? configuration = null,
        TimeProvider? time = null)
    {
        var provider = new FakeProvider();
        var source = new CountingSource(json);
        var services = new ServiceCollection();
        if (configuration is not null)
        {
            services.AddSingleton(configuration);
        }

        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddSingleton<IChatClientProvider>(provider);
        var builder = services.AddModelRegistry(options).FromSource(_ => source);
        configure?.Invoke(builder);
        return (services.BuildServiceProvider(), provider, source);
    }

    [Test]
    public async Task Resolving_clients_does_no_io_and_the_first_call_loads_once()
    {
        var (services, provider, source) = Create(options: o => o.DefaultModel = "b");
        await using var _ = services;

        var defaultClient = services.GetRequiredService<IChatClient>();
        var keyed = services.GetRequiredKeyedService<IChatClient>("a");
        var registry = services.GetRequiredService<IModelRegistry>();
        Assert.Multiple(() =>
        {
            Assert.That(source.Loads, Is.Zero, "resolving must not read the registry");
            Assert.That(provider.Built, Is.Zero, "resolving must not build a provider client");
            Assert.That(registry.GetChatClient("a"), Is.SameAs(keyed), "one proxy per name");
        });

        var answer = await defaultClient.GetResponseAsync("hi");
        var keyedAnswer = await keyed.GetResponseAsync("hi");

        Assert.Multiple(() =>
        {
            Assert.That(answer.Text, Is.EqualTo("b/model-b"));
            Assert.That(keyedAnswer.Text, Is.EqualTo("a/model-a"));
            Assert.That(source.Loads, Is.EqualTo(1));
            Assert.That(provider.Built, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Two_hundred_concurrent_first_calls_load_once_and_build_once()
    {
        var (services, provider, source) = Create();
        await using var _ = services;
        var client = services.GetRequiredKeyedService<IChatClient>("a");

        using var start = new ManualResetEventSlim();
        var calls = Enumerable.Range(0, 200).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return (await client.GetResponseAsync("hi")).Text;
        })).ToArray();
        start.Set();
        var answers = await Task.WhenAll(calls);

        Assert.Multiple(() =>
        {
            Assert.That(answers, Has.All.EqualTo("a/model-a"));
            Assert.That(source.Loads, Is.EqualTo(1));
            Assert.That(provider.Built, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Names_match_ignoring_case_and_streaming_goes_through_the_registry()
    {
        var (services, _, _) = Create();
        await using var __ = services;
        var client = services.GetRequiredService<IModelRegistry>().GetChatClient("A");

        var text = string.Concat(await client.GetStreamingResponseAsync("hi").Select(u => u.Text).ToListAsync());
        Assert.That(text, Is.EqualTo("a/model-a"));
    }

    [Test]
    public async Task Pipeline_steps_and_provider_wrappers_apply_to_every_client_in_order()
    {
        var seen = new List<string>();
        var (services, _, _) = Create(configure: b => b
            .ConfigurePipeline(p => p.Use((inner, _) => new Tagging(inner, "outer", seen)))
            .ConfigurePipeline((p, entry) => p.Use(inner => new Tagging(inner, "user:" + entry.Name, seen)))
            .WrapProviderClients((inner, entry, _) => new Tagging(inner, "provider:" + entry.Name, seen)));
        await using var _ = services;
        var registry = services.GetRequiredService<IModelRegistry>();

        await registry.GetChatClient("a").GetResponseAsync("hi");
        await registry.GetChatClient("b").GetResponseAsync("hi");

        Assert.That(seen, Is.EqualTo(new[] { "outer", "user:a", "provider:a", "outer", "user:b", "provider:b" }));
    }

    [Test]
    public async Task Default_model_comes_from_DEFAULT_MODEL_in_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["DEFAULT_MODEL"] = "b" }).Build();
        var (services, _, _) = Create(configuration: configuration);
        await using var _ = services;

        Assert.That((await services.GetRequiredService<IChatClient>().GetResponseAsync("hi")).Text, Is.EqualTo("b/model-b"));
        Assert.That((await services.GetRequiredService<IModelRegistry>().GetEntryAsync()).Name, Is.EqualTo("b"));
    }

    [Test]
    public async Task ModelRegistry_DefaultModel_wins_over_DEFAULT_MODEL()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DEFAULT_MODEL"] = "b",
            ["ModelRegistry:DefaultModel"] = "a",
        }).Build();
        var (services, _, _) = Create(configuration: configuration);
        await using var _ = services;

        Assert.That((await services.GetRequiredService<IModelRegistry>().GetEntryAsync()).Name, Is.EqualTo("a"));
    }

    [Test]
    public async Task A_registry_of_one_entry_defaults_to_it()
    {
        var (services, _, _) = Create("""{"only":{"provider":"fake","model_id":"m"}}""");
        await using var _ = services;

        Assert.That((await services.GetRequiredService<IChatClient>().GetResponseAsync("hi")).Text, Is.EqualTo("only/m"));
    }

    [Test]
    public async Task DEFAULT_MODEL_naming_no_entry_fails_the_default_call_and_lists_known_names()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["DEFAULT_MODEL"] = "gpt-5" }).Build();
        var (services, _, _) = Create(configuration: configuration);
        await using var _ = services;

        var ex = Assert.ThrowsAsync<ModelRegistryException>(() => services.GetRequiredService<IChatClient>().GetResponseAsync("hi"));
        Assert.That(ex!.Message, Does.Contain("default model 'gpt-5' (from DEFAULT_MODEL)").And.Contain("Known models: a, b").And.Contain("Set DEFAULT_MODEL"));

        // Named models still work.
        Assert.That((await services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("hi")).Text, Is.EqualTo("a/model-a"));
    }

    [Test]
    public async Task No_default_with_several_entries_says_what_to_set()
    {
        var (services, _, _) = Create();
        await using var _ = services;

        var ex = Assert.ThrowsAsync<ModelRegistryException>(() => services.GetRequiredService<IChatClient>().GetResponseAsync("hi"));
        Assert.That(ex!.Message, Does.Contain("No default model is set. Set DEFAULT_MODEL (or ModelRegistry:DefaultModel) to one of: a, b"));
    }

    [Test]
    public async Task An_unknown_name_fails_at_call_time_listing_the_known_names()
    {
        var (services, _, _) = Create();
        await using var _ = services;
        var client = services.GetRequiredKeyedService<IChatClient>("gpt-5");

        var ex = Assert.ThrowsAsync<ModelRegistryException>(() => client.GetResponseAsync("hi"));
        Assert.That(ex!.Message, Is.EqualTo("Model 'gpt-5' is not in the registry (the test source). Known models: a, b."));
    }

    [Test]
    public async Task An_unregistered_provider_names_itself_the_registered_ones_and_the_package_to_add()
    {
        var (services, _, _) = Create("""{"large":{"provider":"mistral","model_id":"mistral-large-latest"},"a":{"provider":"fake","model_id":"m"}}""");
        await using var _ = services;

        var ex = Assert.ThrowsAsync<ModelRegistryException>(() => services.GetRequiredKeyedService<IChatClient>("large").GetResponseAsync("hi"));
        Assert.That(ex!.Message, Is.EqualTo(
            "Model 'large' uses provider 'mistral', which is not registered. Registered providers: fake. Add the package ModelRegistry.Mistral and call .AddMistral() on AddModelRegistry()."));

        // The other entries of the registry are unaffected.
        Assert.That((await services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("hi")).Text, Is.EqualTo("a/m"));
    }

    [Test]
    public async Task A_malformed_registry_fails_the_call_and_is_not_cached()
    {
        var (services, _, source) = Create("{not json");
        await using var _ = services;
        var client = services.GetRequiredKeyedService<IChatClient>("a");

        var ex = Assert.ThrowsAsync<ModelRegistryException>(() => client.GetResponseAsync("hi"));
        Assert.That(ex!.Message, Does.Contain("the test source is not valid JSON"));

        source.Json = TwoModels;
        Assert.That((await client.GetResponseAsync("hi")).Text, Is.EqualTo("a/model-a"));
        Assert.That(source.Loads, Is.EqualTo(2));
    }

    [Test]
    public async Task Refresh_rebuilds_changed_entries_keeps_unchanged_ones_and_survives_a_failed_reload()
    {
        var time = new FakeClock();
        var (services, provider, source) = Create(options: o => o.RefreshInterval = TimeSpan.FromMinutes(5), time: time);
        await using var _ = services;
        var registry = services.GetRequiredService<IModelRegistry>();
        var a = registry.GetChatClient("a");
        var b = registry.GetChatClient("b");
        Assert.That((await a.GetResponseAsync("hi")).Text, Is.EqualTo("a/model-a"));
        Assert.That((await b.GetResponseAsync("hi")).Text, Is.EqualTo("b/model-b"));
        Assert.That(provider.Built, Is.EqualTo(2));

        source.Json = """{"a":{"provider":"fake","model_id":"model-a2"},"b":{"provider":"fake","model_id":"model-b"}}""";
        time.Advance(TimeSpan.FromMinutes(4));
        Assert.That((await a.GetResponseAsync("hi")).Text, Is.EqualTo("a/model-a"), "not stale yet");
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.That((await a.GetResponseAsync("hi")).Text, Is.EqualTo("a/model-a2"), "changed entry gets a new client");
        Assert.That((await b.GetResponseAsync("hi")).Text, Is.EqualTo("b/model-b"));
        Assert.That(provider.Built, Is.EqualTo(3), "unchanged entry keeps its client");

        source.Failure = new ModelRegistryException("SSM is down");
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.That((await a.GetResponseAsync("hi")).Text, Is.EqualTo("a/model-a2"), "a failed refresh keeps the last good registry");

        source.Failure = null;
        source.Json = """{"b":{"provider":"fake","model_id":"model-b"}}""";
        time.Advance(TimeSpan.FromMinutes(5));
        var ex = Assert.ThrowsAsync<ModelRegistryException>(() => a.GetResponseAsync("hi"));
        Assert.That(ex!.Message, Does.Contain("Model 'a' is not in the registry").And.Contain("Known models: b"), "a removed entry fails clearly");
    }

    [Test]
    public async Task Configuration_is_the_source_when_none_is_set()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ModelRegistry:Models:local:provider"] = "fake",
            ["ModelRegistry:Models:local:model_id"] = "m1",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddSingleton<IChatClientProvider>(new FakeProvider());
        services.AddModelRegistry();
        await using var provider = services.BuildServiceProvider();

        Assert.That((await provider.GetRequiredService<IChatClient>().GetResponseAsync("hi")).Text, Is.EqualTo("local/m1"));
    }

    [Test]
    public async Task FromJson_and_AddProvider_register_through_the_builder()
    {
        var services = new ServiceCollection();
        services.AddModelRegistry(o => o.DefaultModel = "x").FromJson("""{"x":{"provider":"fake","model_id":"m"}}""").AddProvider<FakeProvider>();
        services.AddModelRegistry(); // a second call shares the same registry
        await using var provider = services.BuildServiceProvider();

        Assert.That((await provider.GetRequiredService<IChatClient>().GetResponseAsync("hi")).Text, Is.EqualTo("x/m"));
        Assert.That(provider.GetServices<IModelRegistry>().Count(), Is.EqualTo(1));
    }

    [Test]
    public async Task GetService_before_the_first_call_does_not_load_the_registry()
    {
        var (services, _, source) = Create();
        await using var _ = services;
        var client = services.GetRequiredKeyedService<IChatClient>("a");

        Assert.That(client.GetService<ChatClientMetadata>(), Is.Null);
        Assert.That(source.Loads, Is.Zero);
        await client.GetResponseAsync("hi");
        Assert.That(client.GetService<FakeChatClient>()!.Entry.Name, Is.EqualTo("a"));
    }

    private sealed class Tagging(IChatClient inner, string tag, List<string> seen) : DelegatingChatClient(inner)
    {
        public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            lock (seen)
            {
                seen.Add(tag);
            }

            return base.GetResponseAsync(messages, options, cancellationToken);
        }
    }
}
