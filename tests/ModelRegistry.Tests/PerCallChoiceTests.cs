using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Providers;
using ModelRegistry.Testing;

namespace ModelRegistry.Tests;

/// <summary>
/// ChatOptions.ModelId picks the entry per call: an entry's name routes there, <c>provider:model-id</c> (and
/// <c>provider.model-id</c> for the called entry's provider) names an ad-hoc entry when allowed, anything else is the
/// provider's model id as before. Through AddModelRegistry() and testwire over loopback HTTP.
/// </summary>
public sealed class PerCallChoiceTests
{
    private static (ServiceProvider Services, List<string> Built) Registry(ReplayServer a, ReplayServer b, ReplayServer adHoc, bool allowAdHoc = false, List<string>? pipelines = null)
    {
        var built = new List<string>();
        var services = new ServiceCollection().AddSingleton<TimeProvider>(new FakeClock());
        services.AddModelRegistry(o =>
            {
                o.AllowAdHocModels = allowAdHoc;
                o.Resilience.MaxRetries = 0;
                o.DefaultModel = "a";
            })
            .FromJson($$"""
                {
                  "a":{"provider":"testwire","model_id":"a-1","endpoint":"{{a.BaseAddress}}"},
                  "Big-B":{"provider":"testwire","model_id":"b-1","endpoint":"{{b.BaseAddress}}","fallbacks":["a"]}
                }
                """)
            .AddTestWire(o => o.Endpoint = adHoc.BaseAddress) // the provider's defaults, which an ad-hoc entry gets
            .ConfigurePipeline((p, entry) => p.Use(async (messages, options, next, ct) =>
            {
                lock (built)
                {
                    pipelines?.Add(entry.Name);
                }

                await next(messages, options, ct);
            }))
            .WrapProviderClients((inner, entry, _) =>
            {
                lock (built)
                {
                    built.Add(entry.Name);
                }

                return inner;
            });
        return (services.BuildServiceProvider(), built);
    }

    [Test]
    public async Task A_ModelId_naming_an_entry_ignoring_case_routes_the_call_to_that_entry_with_its_own_model_id_and_fallbacks()
    {
        await using var a = await ReplayServer.StartAsync();
        await using var b = await ReplayServer.StartAsync();
        await using var adHoc = await ReplayServer.StartAsync();
        var pipelines = new List<string>();
        var (services, _) = Registry(a, b, adHoc, pipelines: pipelines);
        await using var _ = services;
        b.Enqueue(TestWireAnswers.Text("from b"), TestWireAnswers.Error(503, "down"));
        a.Enqueue(TestWireAnswers.Text("from a after b failed"));

        var direct = await services.GetRequiredService<IChatClient>().GetResponseAsync("hi", new ChatOptions { ModelId = "big-b" });
        var fellBack = await services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("hi", new ChatOptions { ModelId = "BIG-B" });

        Assert.Multiple(() =>
        {
            Assert.That(direct.Text, Is.EqualTo("from b"));
            Assert.That(fellBack.Text, Is.EqualTo("from a after b failed"), "the chosen entry's fallbacks apply");
            Assert.That(fellBack.AdditionalProperties![RegistryProperties.ServedBy], Is.EqualTo("a"));
            Assert.That(b.Requests.Select(r => r.PathAndQuery), Is.EqualTo(new[] { "/v1/models/b-1/chat", "/v1/models/b-1/chat" }), "the entry's own model id, not its name");
            Assert.That(a.Requests.Single().PathAndQuery, Is.EqualTo("/v1/models/a-1/chat"), "the fallback uses its own model id too");
            Assert.That(pipelines, Is.EqualTo(new[] { "Big-B", "Big-B" }), "through the chosen entry's pipeline, whichever client was called");
        });
    }

    [Test]
    public async Task A_ModelId_that_names_no_entry_is_the_provider_model_id_of_the_called_entry()
    {
        await using var a = await ReplayServer.StartAsync();
        await using var b = await ReplayServer.StartAsync();
        await using var adHoc = await ReplayServer.StartAsync();
        var (services, _) = Registry(a, b, adHoc);
        await using var _ = services;
        a.Enqueue(TestWireAnswers.Text("ok"), TestWireAnswers.Text("ok"));

        await services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("hi", new ChatOptions { ModelId = "wire-large-2" });
        await services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("hi", new ChatOptions { ModelId = "unknown:wire-large-3" });

        Assert.That(a.Requests.Select(r => r.PathAndQuery), Is.EqualTo(new[] { "/v1/models/wire-large-2/chat", "/v1/models/unknown%3Awire-large-3/chat" }), "a prefix that is no provider is part of the model id");
        Assert.That(b.Requests.Concat(adHoc.Requests), Is.Empty);
    }

    [TestCase("testwire:wire-small-1")]
    [TestCase("testwire.wire-small-1")]
    public async Task A_provider_model_id_fails_naming_AllowAdHocModels_when_it_is_off(string modelId)
    {
        await using var a = await ReplayServer.StartAsync();
        await using var b = await ReplayServer.StartAsync();
        await using var adHoc = await ReplayServer.StartAsync();
        var (services, built) = Registry(a, b, adHoc);
        await using var _ = services;

        var ex = Assert.ThrowsAsync<ModelRegistryException>(() => services.GetRequiredService<IChatClient>().GetResponseAsync("hi", new ChatOptions { ModelId = modelId }));

        Assert.That(ex!.Message, Does.Contain($"ChatOptions.ModelId '{modelId}' names the model 'wire-small-1' of provider 'testwire'")
            .And.Contain("ModelRegistryOptions.AllowAdHocModels = true").And.Contain("Known models: a, Big-B"));
        Assert.That(a.Requests.Concat(b.Requests).Concat(adHoc.Requests), Is.Empty);
        Assert.That(built, Is.Empty);
    }

    [Test]
    public async Task With_AllowAdHocModels_provider_model_id_calls_an_ad_hoc_entry_with_the_providers_defaults_built_once_and_guarded()
    {
        await using var a = await ReplayServer.StartAsync();
        await using var b = await ReplayServer.StartAsync();
        await using var adHoc = await ReplayServer.StartAsync();
        var (services, built) = Registry(a, b, adHoc, allowAdHoc: true);
        await using var _ = services;
        adHoc.Enqueue(TestWireAnswers.Text("1"), TestWireAnswers.Text("2"), TestWireAnswers.Text("3"));
        var client = services.GetRequiredService<IChatClient>();

        await client.GetResponseAsync("hi", new ChatOptions { ModelId = "testwire:wire-small-1" });
        await client.GetResponseAsync("hi", new ChatOptions { ModelId = "TestWire:wire-small-1" });
        await client.GetResponseAsync("hi", new ChatOptions { ModelId = "testwire.wire-small-1" });

        Assert.Multiple(() =>
        {
            Assert.That(adHoc.Requests.Select(r => r.PathAndQuery), Has.All.EqualTo("/v1/models/wire-small-1/chat"), "the provider's default endpoint and the named model");
            Assert.That(adHoc.Requests, Has.Count.EqualTo(3));
            Assert.That(a.Requests.Concat(b.Requests), Is.Empty);
            Assert.That(built, Is.EqualTo(new[] { "testwire:wire-small-1" }), "one entry client for the id, wrapped like any entry's");
        });
    }

    [Test]
    public async Task The_dot_form_names_an_ad_hoc_entry_only_for_the_called_entrys_provider()
    {
        await using var a = await ReplayServer.StartAsync();
        await using var b = await ReplayServer.StartAsync();
        await using var adHoc = await ReplayServer.StartAsync();
        var (services, _) = Registry(a, b, adHoc, allowAdHoc: true);
        await using var _ = services;
        a.Enqueue(TestWireAnswers.Text("ok"));

        // "mistral.mistral-large-2407-v1:0" is a Bedrock model id: a prefix that is another provider's name stays part of it.
        await services.GetRequiredService<IChatClient>().GetResponseAsync("hi", new ChatOptions { ModelId = "othervendor.wire-small-1" });

        Assert.That(a.Requests.Single().PathAndQuery, Is.EqualTo("/v1/models/othervendor.wire-small-1/chat"));
        Assert.That(adHoc.Requests, Is.Empty);
    }

    [TestCase("testwire:..", "\"model_id\" must be the provider's model id")]
    [TestCase("testwire:", "names provider 'testwire' but no model")]
    public async Task An_ad_hoc_model_id_is_validated_like_an_entrys(string modelId, string expected)
    {
        await using var a = await ReplayServer.StartAsync();
        await using var b = await ReplayServer.StartAsync();
        await using var adHoc = await ReplayServer.StartAsync();
        var (services, built) = Registry(a, b, adHoc, allowAdHoc: true);
        await using var _ = services;

        var ex = Assert.ThrowsAsync<ModelRegistryException>(() => services.GetRequiredService<IChatClient>().GetResponseAsync("hi", new ChatOptions { ModelId = modelId }));

        Assert.That(ex!.Message, Does.Contain(expected));
        Assert.That(a.Requests.Concat(adHoc.Requests), Is.Empty);
        Assert.That(built, Is.Empty);
    }

    [Test]
    public async Task Ad_hoc_models_are_bounded_so_callers_cannot_grow_the_registry_without_end()
    {
        await using var a = await ReplayServer.StartAsync();
        await using var b = await ReplayServer.StartAsync();
        await using var adHoc = await ReplayServer.StartAsync();
        var (services, _) = Registry(a, b, adHoc, allowAdHoc: true);
        await using var _ = services;
        adHoc.Enqueue([.. Enumerable.Range(0, 101).Select(i => TestWireAnswers.Text($"{i}"))]);
        var client = services.GetRequiredService<IChatClient>();
        for (var i = 0; i < 100; i++)
        {
            await client.GetResponseAsync("hi", new ChatOptions { ModelId = $"testwire:m-{i}" });
        }

        var ex = Assert.ThrowsAsync<ModelRegistryException>(() => client.GetResponseAsync("hi", new ChatOptions { ModelId = "testwire:m-100" }));

        Assert.That(ex!.Message, Does.Contain("the registry keeps at most 100"));
        Assert.That((await client.GetResponseAsync("hi", new ChatOptions { ModelId = "testwire:m-7" })).Text, Is.EqualTo("100"), "a known ad-hoc id still routes");
        Assert.That(adHoc.Requests.Last().PathAndQuery, Is.EqualTo("/v1/models/m-7/chat"));
    }
}
