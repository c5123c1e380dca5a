using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Testing;
using static ModelRegistry.Mistral.Tests.MistralTestKit;

namespace ModelRegistry.Mistral.Tests;

/// <summary>The provider in the registry: entry settings, key resolution on the first call, and clear errors.</summary>
public sealed class RegistryAndAuthTests
{
    /// <summary>An in-memory <c>ssm</c> secret source, standing in for the ParameterStore package.</summary>
    private sealed class MemorySecrets(Dictionary<string, string> secrets) : ISecretSource
    {
        public int Reads { get; private set; }

        public string Scheme => "ssm";

        public ValueTask<string?> GetSecretAsync(string name, CancellationToken cancellationToken)
        {
            Reads++;
            return ValueTask.FromResult(secrets.TryGetValue(name, out var value) ? value : null);
        }
    }

    private static ServiceProvider Registry(string json, Dictionary<string, string?>? configuration = null, ISecretSource? secrets = null, Action<MistralClientOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(configuration ?? []).Build());
        if (secrets is not null)
        {
            services.AddSingleton(secrets);
        }

        services.AddModelRegistry(o => o.Resilience.MaxRetries = 0).FromJson(json).AddMistral(configure);
        return services.BuildServiceProvider();
    }

    private static string Entry(ReplayServer server, string extra = "") =>
        $$"""{"large":{"provider":"mistral","model_id":"mistral-large-latest","endpoint":"{{server.BaseAddress}}"{{extra}} } }""";

    [Test]
    public async Task A_registry_entry_calls_the_model_with_the_key_from_MISTRAL_API_KEY()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Completion(content: "\"from the registry\""));
        await using var services = Registry(Entry(server), new() { ["MISTRAL_API_KEY"] = "sk-fake-from-configuration" });

        var client = services.GetRequiredKeyedService<IChatClient>("large");
        Assert.That(server.Requests, Is.Empty, "resolving the client does no I/O");
        var response = await client.GetResponseAsync("hi");

        Assert.Multiple(() =>
        {
            Assert.That(response.Text, Is.EqualTo("from the registry"));
            Assert.That(server.Requests[0].Header("authorization"), Is.EqualTo("Bearer sk-fake-from-configuration"));
            Assert.That(server.Requests[0].Json!["model"]!.GetValue<string>(), Is.EqualTo("mistral-large-latest"));
            Assert.That(client.GetService<ChatClientMetadata>()?.ProviderName, Is.EqualTo("mistral_ai"));
        });
    }

    [Test]
    public async Task MISTRAL_API_KEY_PARAMETER_names_an_ssm_parameter_read_once_on_the_first_call()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Completion(), Completion());
        var secrets = new MemorySecrets(new() { ["/prod/mistral/api-key"] = "sk-fake-from-ssm" });
        await using var services = Registry(Entry(server), new() { ["MISTRAL_API_KEY_PARAMETER"] = "/prod/mistral/api-key" }, secrets);

        var client = services.GetRequiredKeyedService<IChatClient>("large");
        Assert.That(secrets.Reads, Is.Zero, "no secret is read before the first call");
        await client.GetResponseAsync("one");
        await client.GetResponseAsync("two");

        Assert.Multiple(() =>
        {
            Assert.That(server.Requests.Select(r => r.Header("authorization")), Is.All.EqualTo("Bearer sk-fake-from-ssm"));
            Assert.That(secrets.Reads, Is.EqualTo(1), "the resolver caches the secret");
        });
    }

    [Test]
    public async Task An_entry_api_key_reference_wins_and_is_resolved_through_the_secret_resolver()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Completion());
        var secrets = new MemorySecrets(new() { ["/team-b/mistral"] = "sk-fake-team-b" });
        await using var services = Registry(Entry(server, ""","api_key":"ssm:/team-b/mistral" """), new() { ["MISTRAL_API_KEY"] = "sk-fake-default" }, secrets);

        await services.GetRequiredKeyedService<IChatClient>("large").GetResponseAsync("hi");
        Assert.That(server.Requests[0].Header("authorization"), Is.EqualTo("Bearer sk-fake-team-b"));
    }

    [Test]
    public async Task Without_any_key_the_first_call_says_which_setting_to_provide()
    {
        await using var server = await ReplayServer.StartAsync();
        var variables = new[] { "MISTRAL_API_KEY", "MISTRAL_API_KEY_PARAMETER" }.ToDictionary(v => v, Environment.GetEnvironmentVariable);
        foreach (var name in variables.Keys)
        {
            Environment.SetEnvironmentVariable(name, null);
        }

        try
        {
            await using var services = Registry(Entry(server));
            var client = services.GetRequiredKeyedService<IChatClient>("large");
            var error = Assert.ThrowsAsync<ModelRegistryException>(() => client.GetResponseAsync("hi"));
            Assert.Multiple(() =>
            {
                Assert.That(error!.Message, Does.Contain("'large'"));
                Assert.That(error.Message, Does.Contain("MISTRAL_API_KEY environment variable"));
                Assert.That(error.Message, Does.Contain("MISTRAL_API_KEY_PARAMETER"));
                Assert.That(error.Message, Does.Contain("\"api_key\""));
                Assert.That(error.Message, Does.Contain("Bedrock"));
                Assert.That(server.Requests, Is.Empty);
            });
        }
        finally
        {
            foreach (var (name, value) in variables)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }

    [Test]
    public async Task An_api_key_setting_holding_a_key_instead_of_a_reference_is_refused_without_echoing_it()
    {
        await using var server = await ReplayServer.StartAsync();
        await using var services = Registry(Entry(server, ""","api_key":"aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE" """));
        var error = Assert.ThrowsAsync<ModelRegistryException>(() => services.GetRequiredKeyedService<IChatClient>("large").GetResponseAsync("hi"));
        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("'api_key' must be a secret reference"));
            Assert.That(error.Message, Does.Not.Contain("aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE"));
        });
    }

    [Test]
    public async Task Base_url_setting_agents_and_options_defaults()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Completion(), Completion());
        var json = $$"""
            {"support":{"provider":"mistral","model_id":"agent","agent_id":"ag:3996db2b:20250101:support:1","base_url":"{{server.BaseAddress}}v1"},
             "small":{"provider":"mistral","model_id":"mistral-small-latest"} }
            """;
        await using var services = Registry(json, configure: o => { o.ApiKey = "sk-fake-configured"; o.Endpoint = server.BaseAddress; });

        await services.GetRequiredKeyedService<IChatClient>("support").GetResponseAsync("hi", new ChatOptions
        {
            Temperature = 0.2f,
            TopP = 0.5f,
            MaxOutputTokens = 10,
            AdditionalProperties = new() { ["safe_prompt"] = true },
        });
        await services.GetRequiredKeyedService<IChatClient>("small").GetResponseAsync("hi");

        var agent = server.Requests[0];
        var body = agent.Json!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That(agent.PathAndQuery, Is.EqualTo("/v1/agents/completions"));
            Assert.That(body["agent_id"]!.GetValue<string>(), Is.EqualTo("ag:3996db2b:20250101:support:1"));
            Assert.That(body.Select(p => p.Key), Is.EquivalentTo(new[] { "agent_id", "messages", "stream", "max_tokens" }),
                "agents refuse model, temperature, top_p and safe_prompt");
            Assert.That(server.Requests[1].PathAndQuery, Is.EqualTo("/v1/chat/completions"));
            Assert.That(server.Requests[1].Header("authorization"), Is.EqualTo("Bearer sk-fake-configured"));
        });
    }

    [Test]
    public async Task Per_entry_resilience_settings_apply()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(new ScriptedResponse { Status = 503 }, Completion());
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["MISTRAL_API_KEY"] = "sk-fake" }).Build());
        services.AddModelRegistry() // default policy: 3 retries
            .FromJson(Entry(server, ""","resilience":{"max_retries":0}"""))
            .AddMistral();
        await using var provider = services.BuildServiceProvider();

        var error = Assert.ThrowsAsync<ModelProviderException>(() => provider.GetRequiredKeyedService<IChatClient>("large").GetResponseAsync("hi"));
        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(503));
            Assert.That(error.ModelName, Is.EqualTo("large"), "errors name the registry entry");
            Assert.That(server.Requests, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task An_invalid_endpoint_setting_names_the_entry_and_the_setting()
    {
        await using var services = Registry("""{"x":{"provider":"mistral","model_id":"m","endpoint":"not a url"}}""", new() { ["MISTRAL_API_KEY"] = "sk-fake" });
        var error = Assert.ThrowsAsync<ModelRegistryException>(() => services.GetRequiredKeyedService<IChatClient>("x").GetResponseAsync("hi"));
        Assert.That(error!.Message, Does.Contain("'x'").And.Contain("'endpoint'"));
    }

    [Test]
    public async Task Direct_use_reads_MISTRAL_API_KEY_when_no_key_is_given()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Completion());
        var previous = Environment.GetEnvironmentVariable("MISTRAL_API_KEY");
        Environment.SetEnvironmentVariable("MISTRAL_API_KEY", "sk-fake-environment");
        try
        {
            using var client = MistralAI.CreateChatClient(new HttpClient(), "mistral-small-latest", new MistralClientOptions { Endpoint = server.BaseAddress });
            await client.GetResponseAsync("hi");
            Assert.That(server.Requests[0].Header("authorization"), Is.EqualTo("Bearer sk-fake-environment"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("MISTRAL_API_KEY", previous);
        }
    }
}
