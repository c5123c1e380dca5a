using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelRegistry.Providers;
using ModelRegistry.Testing;
using static ModelRegistry.OpenAI.Tests.OpenAITestKit;

namespace ModelRegistry.OpenAI.Tests;

/// <summary>The provider in the registry and direct use: endpoints (OpenAI, Mantle by region, self-hosted), flavours, and where the key comes from.</summary>
public sealed class SettingsAndAuthTests
{
    private static ServiceProvider Registry(string json, Dictionary<string, string?>? environment = null, Action<OpenAIClientOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(EnvironmentProvider.FromVariables(environment ?? []));
        services.AddModelRegistry(o => o.Resilience.MaxRetries = 0).FromJson(json).AddOpenAI(configure);
        return services.BuildServiceProvider();
    }

    private static string Entry(ReplayServer server, string extra = "") =>
        $$"""{"chat":{"provider":"openai","model_id":"gpt-4.1-mini","endpoint":"{{server.BaseAddress}}v1"{{extra}} } }""";

    [Test]
    public async Task A_registry_entry_calls_the_endpoint_with_the_key_from_OPENAI_API_KEY()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Completion());
        await using var services = Registry(Entry(server), new() { ["OPENAI_API_KEY"] = "sk-test-from-environment", ["AWS_BEARER_TOKEN_BEDROCK"] = "bedrock-test-key" });

        var client = services.GetRequiredKeyedService<IChatClient>("chat");
        Assert.That(server.Requests, Is.Empty, "resolving the client does no I/O");
        await client.GetResponseAsync("hi");
        Assert.Multiple(() =>
        {
            Assert.That(server.Requests[0].PathAndQuery, Is.EqualTo("/v1/chat/completions"));
            Assert.That(server.Requests[0].Header("authorization"), Is.EqualTo("Bearer sk-test-from-environment"));
            Assert.That(client.GetService<ChatClientMetadata>()?.ProviderName, Is.EqualTo("openai"));
        });
    }

    [Test]
    public void The_default_endpoint_is_openai_and_a_region_means_bedrock_mantle()
    {
        static Uri? EndpointOf(OpenAIClientOptions options) =>
            new OpenAIClient(options).AsIChatClient("m").GetService<ChatClientMetadata>()?.ProviderUri;

        Assert.Multiple(() =>
        {
            Assert.That(EndpointOf(new OpenAIClientOptions()), Is.EqualTo(new Uri("https://api.openai.com/v1")));
            Assert.That(EndpointOf(new OpenAIClientOptions { Region = "us-west-2" }), Is.EqualTo(new Uri("https://bedrock-mantle.us-west-2.api.aws/v1")));
            Assert.That(EndpointOf(new OpenAIClientOptions { Region = "us-west-2", Endpoint = new Uri("http://localhost:8000/v1") }),
                Is.EqualTo(new Uri("http://localhost:8000/v1")), "an endpoint wins over a region");
        });
        var error = Assert.Throws<ArgumentException>(() => new OpenAIClient(new OpenAIClientOptions { Region = "mars-1" }));
        Assert.That(error!.Message, Does.Contain("Region").And.Contain("mars-1").And.Contain("AWS region"));
    }

    [Test]
    public void With_the_responses_api_a_region_means_mantles_openai_v1_base()
    {
        static Uri? EndpointOf(OpenAIClientOptions options) =>
            new OpenAIClient(options).AsIChatClient("m").GetService<ChatClientMetadata>()?.ProviderUri;

        Assert.Multiple(() =>
        {
            Assert.That(EndpointOf(new OpenAIClientOptions { Region = "us-east-1", Api = OpenAIWireApi.Responses }),
                Is.EqualTo(new Uri("https://bedrock-mantle.us-east-1.api.aws/openai/v1")));
            Assert.That(EndpointOf(new OpenAIClientOptions { Api = OpenAIWireApi.Responses }), Is.EqualTo(new Uri("https://api.openai.com/v1")));
        });
    }

    [Test]
    public async Task An_entry_with_api_responses_calls_responses()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ResponsesBody());
        await using var services = Registry(
            $$"""{"chat":{"provider":"openai","model_id":"gpt-5-mini","endpoint":"{{server.BaseAddress}}v1","api":"responses"} }""",
            new() { ["OPENAI_API_KEY"] = "sk-test-x" });
        var response = await services.GetRequiredKeyedService<IChatClient>("chat").GetResponseAsync("hi");
        Assert.Multiple(() =>
        {
            Assert.That(server.Requests[0].PathAndQuery, Is.EqualTo("/v1/responses"));
            Assert.That(response.Text, Is.EqualTo("Hello!"));
        });
    }

    [Test]
    public async Task A_mantle_endpoint_takes_the_bedrock_key_and_never_the_openai_key()
    {
        // Mantle is reached over https in production; the test points the Mantle host name at the loopback server
        // through the HttpClient's base handler, so the endpoint stays a real Mantle URL.
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Completion(), Completion());
        var http = new HttpClient(new LoopbackHandler(server.BaseAddress));
        var withBoth = new OpenAIClient(new OpenAIClientOptions
        {
            Region = "us-east-1",
            HttpClient = http,
            Environment = EnvironmentProvider.FromVariables(new Dictionary<string, string?> { ["OPENAI_API_KEY"] = "sk-test-openai", ["AWS_BEARER_TOKEN_BEDROCK"] = "bedrock-test-key" }),
            Resilience = new ProviderResilienceOptions { MaxRetries = 0 },
        });
        await withBoth.AsIChatClient("openai.gpt-oss-120b").GetResponseAsync("hi");

        var onlyOpenAI = new OpenAIClient(new OpenAIClientOptions
        {
            Region = "us-east-1",
            HttpClient = http,
            Environment = EnvironmentProvider.FromVariables(new Dictionary<string, string?> { ["OPENAI_API_KEY"] = "sk-test-openai" }),
        });
        var error = Assert.ThrowsAsync<ModelRegistryException>(() => onlyOpenAI.AsIChatClient("openai.gpt-oss-120b").GetResponseAsync("hi"));
        Assert.Multiple(() =>
        {
            Assert.That(server.Requests[0].Header("authorization"), Is.EqualTo("Bearer bedrock-test-key"));
            Assert.That(server.Requests[0].Header("x-original-host"), Is.EqualTo("bedrock-mantle.us-east-1.api.aws"));
            Assert.That(server.Requests[0].PathAndQuery, Is.EqualTo("/v1/chat/completions"));
            Assert.That(server.Requests, Has.Count.EqualTo(1), "no call without the Bedrock key");
            Assert.That(error!.Message, Does.Contain("AWS_BEARER_TOKEN_BEDROCK").And.Contain("Bedrock Mantle"));
        });
    }

    [Test]
    public async Task A_generic_server_needs_no_key_and_never_gets_OPENAI_API_KEY()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Completion());
        await using var services = Registry(Entry(server, ""","flavour":"generic" """), new() { ["OPENAI_API_KEY"] = "sk-test-openai" });
        await services.GetRequiredKeyedService<IChatClient>("chat").GetResponseAsync("hi");
        Assert.That(server.Requests[0].Header("authorization"), Is.Null);
    }

    [Test]
    public void Flavour_openai_without_a_key_names_every_place_one_may_be_set()
    {
        var client = new OpenAIClient(new OpenAIClientOptions { Environment = NoEnvironment }).AsIChatClient("gpt-4.1-mini");
        var error = Assert.ThrowsAsync<ModelRegistryException>(() => client.GetResponseAsync("hi"));
        Assert.That(error!.Message, Does.Contain("OPENAI_API_KEY").And.Contain("OpenAIClientOptions.ApiKey").And.Contain("\"flavour\": \"generic\""));
    }

    [TestCase("\"flavour\":\"ollama\"", "flavour", "openai, generic")]
    [TestCase("\"region\":\"moon-1\"", "region", "AWS region")]
    [TestCase("\"max_tokens_field\":\"tokens\"", "max_tokens_field", "max_completion_tokens, max_tokens")]
    [TestCase("\"api\":\"assistants\"", "api", "chat_completions, responses")]
    [TestCase("\"api_key\":\"sk-test-literal\"", "api_key", "env:")]
    public async Task Bad_settings_fail_the_load_naming_the_entry_key_and_what_is_allowed(string setting, string key, string allowed)
    {
        await using var server = await ReplayServer.StartAsync();
        await using var services = Registry($$"""{"chat":{"provider":"openai","model_id":"gpt-4.1-mini","endpoint":"{{server.BaseAddress}}v1",{{setting}} } }""", new() { ["OPENAI_API_KEY"] = "sk-test-x" });
        var error = Assert.ThrowsAsync<ModelRegistryException>(() => services.GetRequiredKeyedService<IChatClient>("chat").GetResponseAsync("hi"));
        Assert.That(server.Requests, Is.Empty);
        Assert.That(error!.Message, Does.Contain("'chat'").And.Contain($"'{key}'").And.Contain(allowed));
        Assert.That(error.Message, Does.Not.Contain("sk-test-literal"));
    }

    [Test]
    public async Task The_entry_max_tokens_field_and_reasoning_setting_apply()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Completion());
        await using var services = Registry(Entry(server, ""","max_tokens_field":"max_tokens","reasoning_effort_supported":"true" """), new() { ["OPENAI_API_KEY"] = "sk-test-x" });
        await services.GetRequiredKeyedService<IChatClient>("chat").GetResponseAsync("hi", new ChatOptions
        {
            MaxOutputTokens = 10,
            Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Medium },
        });
        var body = SingleRequest(server);
        Assert.Multiple(() =>
        {
            Assert.That(body["max_tokens"]!.GetValue<int>(), Is.EqualTo(10));
            Assert.That(body["reasoning_effort"]!.GetValue<string>(), Is.EqualTo("medium"), "gpt-4.1-mini takes it because the entry says so");
        });
    }

    [Test]
    public async Task Health_checks_of_the_registry_run_the_probe()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"object":"list","data":[{"id":"gpt-4.1-mini","object":"model","owned_by":"system"}]}"""));
        var services = new ServiceCollection();
        services.AddSingleton(EnvironmentProvider.FromVariables(new Dictionary<string, string?> { ["OPENAI_API_KEY"] = "sk-test-x" }));
        services.AddModelRegistry().FromJson(Entry(server)).AddOpenAI();
        services.AddHealthChecks().AddModelRegistry();
        await using var provider = services.BuildServiceProvider();

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Multiple(() =>
        {
            Assert.That(report.Status, Is.EqualTo(HealthStatus.Healthy), string.Join("; ", report.Entries.Select(e => $"{e.Key}: {e.Value.Description}")));
            Assert.That(server.Requests.Single().PathAndQuery, Is.EqualTo("/v1/models"));
        });
    }

    /// <summary>Sends every request to the loopback server, keeping the original host in a header for the assertion.</summary>
    private sealed class LoopbackHandler(Uri server) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.TryAddWithoutValidation("x-original-host", request.RequestUri!.Host);
            request.RequestUri = new Uri(server, request.RequestUri.PathAndQuery);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
