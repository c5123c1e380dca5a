using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Providers;
using ModelRegistry.Testing;
using static ModelRegistry.Mistral.Tests.MistralTestKit;

namespace ModelRegistry.Mistral.Tests;

/// <summary>The provider in the registry: entry settings, the key's order of sources, and clear errors.</summary>
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

    /// <summary>A registry over <paramref name="json"/> whose environment holds exactly <paramref name="environment"/>.</summary>
    private static ServiceProvider Registry(
        string json,
        Dictionary<string, string?>? environment = null,
        ISecretSource? secrets = null,
        Action<MistralClientOptions>? configure = null,
        Dictionary<string, string?>? configuration = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(configuration ?? []).Build());
        services.AddSingleton(EnvironmentProvider.FromVariables(environment ?? []));
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
        await using var services = Registry(Entry(server), new() { ["MISTRAL_API_KEY"] = "sk-test-from-environment" });

        var client = services.GetRequiredKeyedService<IChatClient>("large");
        Assert.That(server.Requests, Is.Empty, "resolving the client does no I/O");
        var response = await client.GetResponseAsync("hi");

        Assert.Multiple(() =>
        {
            Assert.That(response.Text, Is.EqualTo("from the registry"));
            Assert.That(server.Requests[0].Header("authorization"), Is.EqualTo("Bearer sk-test-from-environment"));
            Assert.That(server.Requests[0].Json!["model"]!.GetValue<string>(), Is.EqualTo("mistral-large-latest"));
            Assert.That(client.GetService<ChatClientMetadata>()?.ProviderName, Is.EqualTo("mistral_ai"));
        });
    }

    [Test]
    public async Task MISTRAL_API_KEY_PARAMETER_names_an_ssm_parameter_read_once_on_the_first_call()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Completion(), Completion());
        var secrets = new MemorySecrets(new() { ["/prod/mistral/api-key"] = "sk-test-from-ssm" });
        await using var services = Registry(Entry(server), new() { ["MISTRAL_API_KEY_PARAMETER"] = "/prod/mistral/api-key" }, secrets);

        var client = services.GetRequiredKeyedService<IChatClient>("large");
        Assert.That(secrets.Reads, Is.Zero, "no secret is read before the first call");
        await client.GetResponseAsync("one");
        await client.GetResponseAsync("two");

        Assert.Multiple(() =>
        {
            Assert.That(server.Requests.Select(r => r.Header("authorization")), Is.All.EqualTo("Bearer sk-test-from-ssm"));
            Assert.That(secrets.Reads, Is.EqualTo(1), "the resolver caches the secret");
        });
    }

    /// <summary>
    /// The documented order, one adjacent pair at a time: each case sets the two sources and expects the earlier to win,
    /// so swapping any two steps turns a case red. Order: entry api_key, MistralClientOptions.ApiKey, MISTRAL_API_KEY
    /// (configuration, then environment), MISTRAL_API_KEY_PARAMETER.
    /// </summary>
    [TestCase("entry api_key", "options ApiKey", "sk-test-entry")]
    [TestCase("options ApiKey", "MISTRAL_API_KEY", "sk-test-options")]
    [TestCase("MISTRAL_API_KEY", "MISTRAL_API_KEY_PARAMETER", "sk-test-environment")]
    [TestCase("MISTRAL_API_KEY in configuration", "MISTRAL_API_KEY", "sk-test-configuration")]
    public async Task The_key_comes_from_the_first_source_in_the_documented_order(string first, string second, string expected)
    {
        string[] sources = [first, second];
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Completion());
        var environment = new Dictionary<string, string?>();
        var configuration = new Dictionary<string, string?>();
        var extra = string.Empty;
        Action<MistralClientOptions>? configure = null;
        foreach (var source in sources)
        {
            switch (source)
            {
                case "entry api_key":
                    extra = ""","api_key":"ssm:/team/mistral" """;
                    break;
                case "options ApiKey":
                    configure = o => o.ApiKey = "sk-test-options";
                    break;
                case "MISTRAL_API_KEY":
                    environment["MISTRAL_API_KEY"] = "sk-test-environment";
                    break;
                case "MISTRAL_API_KEY in configuration":
                    configuration["MISTRAL_API_KEY"] = "sk-test-configuration";
                    break;
                case "MISTRAL_API_KEY_PARAMETER":
                    environment["MISTRAL_API_KEY_PARAMETER"] = "/prod/mistral/api-key";
                    break;
            }
        }

        var secrets = new MemorySecrets(new() { ["/team/mistral"] = "sk-test-entry", ["/prod/mistral/api-key"] = "sk-test-parameter" });
        await using var services = Registry(Entry(server, extra), environment, secrets, configure, configuration);

        await services.GetRequiredKeyedService<IChatClient>("large").GetResponseAsync("hi");
        Assert.That(server.Requests.Single().Header("authorization"), Is.EqualTo("Bearer " + expected), $"{first} wins over {second}");
    }

    [Test]
    public async Task Direct_use_takes_the_options_key_before_MISTRAL_API_KEY_and_MISTRAL_API_KEY_otherwise()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Completion(), Completion());
        var environment = EnvironmentProvider.FromVariables(new Dictionary<string, string?> { ["MISTRAL_API_KEY"] = "sk-test-environment" });
        var withKey = Options(server);
        withKey.Environment = environment;
        var withoutKey = Options(server);
        withoutKey.ApiKey = null;
        withoutKey.Environment = environment;

        await ChatClient(server, options: withKey).GetResponseAsync("hi");
        await ChatClient(server, options: withoutKey).GetResponseAsync("hi");

        Assert.That(server.Requests.Select(r => r.Header("authorization")), Is.EqualTo(new[] { "Bearer " + ApiKey, "Bearer sk-test-environment" }));
    }

    [Test]
    public async Task Without_any_key_the_first_call_names_every_place_a_key_may_come_from()
    {
        await using var server = await ReplayServer.StartAsync();
        await using var services = Registry(Entry(server));
        var client = services.GetRequiredKeyedService<IChatClient>("large");

        var error = Assert.ThrowsAsync<ModelRegistryException>(() => client.GetResponseAsync("hi"));
        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("'large'"));
            Assert.That(error.Message, Does.Contain("\"api_key\""));
            Assert.That(error.Message, Does.Contain("MistralClientOptions.ApiKey"));
            Assert.That(error.Message, Does.Contain("MISTRAL_API_KEY environment variable"));
            Assert.That(error.Message, Does.Contain("MISTRAL_API_KEY_PARAMETER"));
            Assert.That(error.Message, Does.Contain("Bedrock"));
            Assert.That(server.Requests, Is.Empty);
        });
    }

    [Test]
    public async Task An_entry_api_key_holding_the_key_itself_is_refused_at_load_without_echoing_it()
    {
        const string literal = "sk-test-TheKeyItselfNotAReference";
        await using var server = await ReplayServer.StartAsync();
        await using var services = Registry(Entry(server, $$""","api_key":"{{literal}}" """), new() { ["MISTRAL_API_KEY"] = "sk-test-environment" });

        var error = Assert.ThrowsAsync<ModelRegistryException>(() => services.GetRequiredKeyedService<IChatClient>("large").GetResponseAsync("hi"));
        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("'large'").And.Contain("'api_key'").And.Contain("secret reference"));
            Assert.That(error.Message, Does.Not.Contain(literal));
            Assert.That(error.ToString(), Does.Not.Contain(literal));
            Assert.That(server.Requests, Is.Empty);
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
        await using var services = Registry(json, configure: o => { o.ApiKey = "sk-test-configured"; o.Endpoint = server.BaseAddress; });

        await services.GetRequiredKeyedService<IChatClient>("support").GetResponseAsync("hi", new ChatOptions
        {
            Temperature = 0.2f,
            TopP = 0.5f,
            MaxOutputTokens = 10,
            AdditionalProperties = new() { [MistralProperties.SafePrompt] = true },
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
            Assert.That(server.Requests[1].Header("authorization"), Is.EqualTo("Bearer sk-test-configured"));
        });
    }

    [Test]
    public async Task A_direct_agent_client_calls_agents_completions()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Completion());
        using var client = new MistralClient(Options(server)).AsIAgentChatClient("ag:3996db2b:20250101:support:1");

        await client.GetResponseAsync("hi", new ChatOptions { Temperature = 0.3f });

        var request = server.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(request.PathAndQuery, Is.EqualTo("/v1/agents/completions"));
            Assert.That(request.Json!.AsObject().Select(p => p.Key), Is.EquivalentTo(new[] { "agent_id", "messages", "stream" }));
            Assert.That(client.GetService<ChatClientMetadata>()!.DefaultModelId, Is.Null);
        });
    }

    [Test]
    public async Task Per_entry_resilience_settings_apply()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(new ScriptedResponse { Status = 503 }, Completion());
        var services = new ServiceCollection();
        services.AddSingleton(EnvironmentProvider.FromVariables(new Dictionary<string, string?> { ["MISTRAL_API_KEY"] = "sk-test-key" }));
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

    [TestCase("endpoint", "not a url")]
    [TestCase("endpoint", "ftp://api.mistral.ai")]
    [TestCase("base_url", "https://api.mistral.ai/?x=1")]
    public async Task An_invalid_endpoint_setting_names_the_entry_the_setting_and_the_rule(string key, string value)
    {
        await using var services = Registry($$"""{"x":{"provider":"mistral","model_id":"m","{{key}}":"{{value}}"} }""", new() { ["MISTRAL_API_KEY"] = "sk-test-key" });
        var error = Assert.ThrowsAsync<ModelRegistryException>(() => services.GetRequiredKeyedService<IChatClient>("x").GetResponseAsync("hi"));
        Assert.That(error!.Message, Does.Contain("'x'").And.Contain($"'{key}'").And.Contain("absolute http(s) URL"));
    }

    [Test]
    public async Task An_unknown_entry_key_is_refused_at_load_with_a_suggestion()
    {
        await using var services = Registry("""{"x":{"provider":"mistral","model_id":"m","agentid":"ag:1"}}""", new() { ["MISTRAL_API_KEY"] = "sk-test-key" });
        var error = Assert.ThrowsAsync<ModelRegistryException>(() => services.GetRequiredKeyedService<IChatClient>("x").GetResponseAsync("hi"));
        Assert.That(error!.Message, Does.Contain("\"agentid\"").And.Contain("Did you mean 'agent_id'?"));
    }

    [Test]
    public void A_direct_client_refuses_an_endpoint_that_is_not_http()
    {
        var error = Assert.Throws<ArgumentException>(() => _ = new MistralClient(new MistralClientOptions { Endpoint = new Uri("ftp://api.mistral.ai") }));
        Assert.That(error!.Message, Does.Contain("MistralClientOptions.Endpoint").And.Contain("ftp://api.mistral.ai"));
    }
}
