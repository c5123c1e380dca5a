using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ModelRegistry.Providers;
using ModelRegistry.Testing;
using static ModelRegistry.Anthropic.Tests.AnthropicTestKit;

namespace ModelRegistry.Anthropic.Tests;

/// <summary>
/// Bedrock Mantle: the base URL from a region, bearer auth with a Bedrock API key, the wire model id as the entry names it,
/// features Mantle does not serve refused before the call (or left out with a warning), and the probe at the region root.
/// The loopback server stands in for Mantle by an explicit endpoint with the <c>unavailable_features</c> Mantle gets by default.
/// </summary>
public sealed class MantleTests
{
    private static ServiceProvider Registry(string entryJson, FakeLogCollector? logs = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(EnvironmentProvider.FromVariables(environment ?? new Dictionary<string, string?> { ["AWS_BEARER_TOKEN_BEDROCK"] = "bedrock-api-key-test-EXAMPLE" }));
        services.AddLogging(l => { l.SetMinimumLevel(LogLevel.Trace); if (logs is not null) { l.AddProvider(new FakeLoggerProvider(logs)); } });
        services.AddModelRegistry().FromJson($$"""{"claude": {{entryJson}} }""").AddAnthropic();
        return services.BuildServiceProvider();
    }

    private static string MantleEntry(ReplayServer server, string extra = "") =>
        $$"""{"provider":"anthropic","model_id":"anthropic.claude-opus-4-7","endpoint":"{{server.BaseAddress}}anthropic","api_key":"env:AWS_BEARER_TOKEN_BEDROCK","auth":"bearer","unavailable_features":"thinking, task_budget, server_tools, cache_control, tool_search, context_management","resilience":{"max_retries":0}{{extra}}}""";

    [Test]
    public async Task A_mantle_entry_sends_the_prefixed_model_id_with_the_bedrock_key_as_bearer_under_anthropic()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Message());
        await using var provider = Registry(MantleEntry(server));
        var client = provider.GetRequiredService<IModelRegistry>().GetChatClient("claude");
        await client.GetResponseAsync("Hi");
        var request = server.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(request.PathAndQuery, Is.EqualTo("/anthropic/v1/messages"));
            Assert.That(request.Json!["model"]!.GetValue<string>(), Is.EqualTo("anthropic.claude-opus-4-7"));
            Assert.That(request.Header("authorization"), Is.EqualTo("Bearer bedrock-api-key-test-EXAMPLE"));
            Assert.That(request.Header("x-api-key"), Is.Null);
            Assert.That(request.Header("anthropic-version"), Is.EqualTo("2023-06-01"));
        });
    }

    [Test]
    public async Task Structured_output_on_mantle_goes_through_the_forced_client_tool_it_serves()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Message(stop: "tool_use", content: """[{"type":"tool_use","id":"toolu_01","name":"json_response","input":{"a":1}}]"""));
        await using var provider = Registry(MantleEntry(server));
        var client = provider.GetRequiredService<IModelRegistry>().GetChatClient("claude");
        var response = await client.GetResponseAsync("Hi", new ChatOptions { ResponseFormat = ChatResponseFormat.Json });
        Assert.Multiple(() =>
        {
            Assert.That(response.Text, Is.EqualTo("""{"a":1}"""));
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
            Assert.That(server.Requests.Single().Json!["tool_choice"]!["name"]!.GetValue<string>(), Is.EqualTo("json_response"));
        });
    }

    [Test]
    public async Task Thinking_on_mantle_is_refused_before_the_call_as_a_capability_mismatch_naming_the_fix()
    {
        await using var server = await ReplayServer.StartAsync();
        await using var provider = Registry(MantleEntry(server));
        var client = provider.GetRequiredService<IModelRegistry>().GetChatClient("claude");
        var error = Assert.ThrowsAsync<ModelProviderException>(() =>
            client.GetResponseAsync("Hi", new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.High } }));
        Assert.Multiple(() =>
        {
            Assert.That(error!.ErrorCode, Is.EqualTo(ProviderErrorCodes.CapabilityMismatch));
            Assert.That(error.ModelName, Is.EqualTo("claude"));
            Assert.That(error.Message, Does.Contain("extended thinking").And.Contain("unavailable_feature_action"));
            Assert.That(server.Requests, Is.Empty, "nothing was sent to fail at the server");
        });
    }

    [TestCase("web_search")]
    [TestCase("cache_point")]
    [TestCase("task_budget")]
    public async Task Server_tools_cache_points_and_task_budgets_on_mantle_are_refused_before_the_call(string feature)
    {
        await using var server = await ReplayServer.StartAsync();
        await using var provider = Registry(MantleEntry(server));
        var client = provider.GetRequiredService<IModelRegistry>().GetChatClient("claude");
        var messages = new List<ChatMessage> { new(ChatRole.User, [new TextContent("Hi")]) };
        var options = new ChatOptions();
        switch (feature)
        {
            case "web_search": options.Tools = [new HostedWebSearchTool()]; break;
            case "cache_point": messages[0].Contents.Add(new AnthropicCachePointContent()); break;
            default: options.AdditionalProperties = new() { [AnthropicProperties.OutputConfig] = """{"task_budget":{"type":"tokens","total":20000}}""" }; break;
        }

        var error = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync(messages, options));
        Assert.That(error!.ErrorCode, Is.EqualTo(ProviderErrorCodes.CapabilityMismatch));
        Assert.That(server.Requests, Is.Empty);
    }

    [Test]
    public async Task With_unavailable_feature_action_omit_the_request_goes_without_the_feature_and_a_warning_is_logged()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Message());
        var logs = new FakeLogCollector();
        await using var provider = Registry(MantleEntry(server, ""","unavailable_feature_action":"omit" """), logs);
        var client = provider.GetRequiredService<IModelRegistry>().GetChatClient("claude");
        await client.GetResponseAsync(
            [new ChatMessage(ChatRole.User, [new TextContent("Hi"), new AnthropicCachePointContent()])],
            new ChatOptions
            {
                Reasoning = new ReasoningOptions { Effort = ReasoningEffort.High },
                Tools = [new HostedWebSearchTool(), AIFunctionFactory.CreateDeclaration("f", null, System.Text.Json.JsonElement.Parse("""{"type":"object"}"""))],
                AdditionalProperties = new() { [AnthropicProperties.OutputConfig] = """{"effort":"high","task_budget":{"type":"tokens","total":20000}}""" },
            });
        var body = server.Requests.Single().Json!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That(body.ContainsKey("thinking"), Is.False);
            AssertJson(body["output_config"], """{"effort":"high"}""");
            AssertJson(body["tools"], """[{"name":"f","input_schema":{"type":"object"}}]""");
            AssertJson(body["messages"], """[{"role":"user","content":[{"type":"text","text":"Hi"}]}]""");
            var warnings = logs.GetSnapshot().Where(r => r.Level == LogLevel.Warning).Select(r => r.Message).ToList();
            Assert.That(warnings, Has.Count.EqualTo(4));
            Assert.That(warnings, Has.Some.Contains("thinking").And.Some.Contains("server_tools").And.Some.Contains("cache_control").And.Some.Contains("task_budget"));
        });
    }

    [Test]
    public async Task A_region_builds_the_mantle_url_and_mantle_defaults_to_bearer_and_every_feature_unavailable()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Message());
        var loopback = new ToLoopback(server);
        var services = new ServiceCollection();
        services.AddSingleton(EnvironmentProvider.FromVariables(new Dictionary<string, string?> { ["AWS_BEARER_TOKEN_BEDROCK"] = "bedrock-api-key-test-EXAMPLE" }));
        services.ConfigureAll<HttpClientFactoryOptions>(o => o.HttpMessageHandlerBuilderActions.Add(b => b.AdditionalHandlers.Add(loopback)));
        services.AddModelRegistry().FromJson("""{"claude":{"provider":"anthropic","model_id":"anthropic.claude-haiku-4-5","region":"eu-west-1","resilience":{"max_retries":0}}}""").AddAnthropic();
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IModelRegistry>().GetChatClient("claude");

        var error = Assert.ThrowsAsync<ModelProviderException>(() =>
            client.GetResponseAsync("Hi", new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low } }));
        await client.GetResponseAsync("Hi");
        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("Bedrock Mantle does not serve"));
            Assert.That(loopback.Asked, Is.EqualTo(new[] { new Uri("https://bedrock-mantle.eu-west-1.api.aws/anthropic/v1/messages") }));
            Assert.That(server.Requests.Single().Header("authorization"), Is.EqualTo("Bearer bedrock-api-key-test-EXAMPLE"));
            Assert.That(server.Requests.Single().Json!["model"]!.GetValue<string>(), Is.EqualTo("anthropic.claude-haiku-4-5"));
        });
    }

    [TestCase("tool_search", "tool_search")]
    [TestCase("defer_loading", "tool_search")]
    [TestCase("code_execution", "server_tools")]
    [TestCase("container", "server_tools")]
    [TestCase("mcp", "server_tools")]
    [TestCase("web_fetch", "server_tools")]
    [TestCase("compaction", "context_management")]
    public async Task Hosted_tools_tool_search_and_compaction_are_unavailable_by_default_on_a_mantle_entry_and_refused_before_the_call(string feature, string named)
    {
        await using var server = await ReplayServer.StartAsync();
        var loopback = new ToLoopback(server);
        var services = new ServiceCollection();
        services.AddSingleton(EnvironmentProvider.FromVariables(new Dictionary<string, string?> { ["AWS_BEARER_TOKEN_BEDROCK"] = "bedrock-api-key-test-EXAMPLE" }));
        services.ConfigureAll<HttpClientFactoryOptions>(o => o.HttpMessageHandlerBuilderActions.Add(b => b.AdditionalHandlers.Add(loopback)));
        services.AddModelRegistry().FromJson("""{"opus-mantle":{"provider":"anthropic","model_id":"anthropic.claude-opus-4-7","region":"us-east-1","resilience":{"max_retries":0}}}""").AddAnthropic();
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IModelRegistry>().GetChatClient("opus-mantle");
        var function = AIFunctionFactory.CreateDeclaration("f", null, System.Text.Json.JsonElement.Parse("""{"type":"object"}"""));
        var options = new ChatOptions();
        switch (feature)
        {
#pragma warning disable MEAI001 // HostedToolSearchTool is experimental in MEAI 10.11.
            case "tool_search": options.Tools = [function, new HostedToolSearchTool()]; break;
#pragma warning restore MEAI001
            case "defer_loading": options.Tools = [new DeferredDeclaration(function)]; break;
            case "code_execution": options.Tools = [new HostedCodeInterpreterTool()]; break;
            case "container": options.AdditionalProperties = new() { [AnthropicProperties.Container] = "container_01" }; break;
            case "mcp": options.Tools = [new HostedMcpServerTool("deepwiki", "https://mcp.example.com/mcp")]; break;
            case "web_fetch": options.Tools = [new AnthropicServerTool(System.Text.Json.JsonElement.Parse("""{"type":"web_fetch_20250910","name":"web_fetch"}"""))]; break;
            default: options.AdditionalProperties = new() { [AnthropicProperties.ContextManagement] = """{"edits":[{"type":"compact_20260112"}]}""" }; break;
        }

        var error = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("Hi", options));
        Assert.Multiple(() =>
        {
            Assert.That(error!.ErrorCode, Is.EqualTo(ProviderErrorCodes.CapabilityMismatch));
            Assert.That(error.ModelName, Is.EqualTo("opus-mantle"));
            Assert.That(error.Message, Does.Contain("opus-mantle").And.Contain("Bedrock Mantle does not serve").And.Contain(named));
            Assert.That(loopback.Asked, Is.Empty, "nothing was sent to fail at the server");
        });
    }

    [Test]
    public async Task With_omit_tool_search_mcp_servers_and_compaction_are_left_out_with_a_warning_and_deferred_functions_are_sent_loaded()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Message());
        var logs = new FakeLogCollector();
        await using var provider = Registry(MantleEntry(server, ""","unavailable_feature_action":"omit" """), logs);
        var client = provider.GetRequiredService<IModelRegistry>().GetChatClient("claude");
        var function = AIFunctionFactory.CreateDeclaration("f", null, System.Text.Json.JsonElement.Parse("""{"type":"object"}"""));
#pragma warning disable MEAI001 // HostedToolSearchTool is experimental in MEAI 10.11.
        await client.GetResponseAsync("Hi", new ChatOptions
        {
            Tools = [new DeferredDeclaration(function), new HostedToolSearchTool(), new HostedMcpServerTool("deepwiki", "https://mcp.example.com/mcp")],
            AdditionalProperties = new()
            {
                [AnthropicProperties.ContextManagement] = """{"edits":[{"type":"compact_20260112"}]}""",
                [AnthropicProperties.Container] = "container_01",
            },
        });
#pragma warning restore MEAI001
        var body = server.Requests.Single().Json!.AsObject();
        Assert.Multiple(() =>
        {
            AssertJson(body["tools"], """[{"name":"f","input_schema":{"type":"object"}}]""");
            Assert.That(body.Select(p => p.Key), Has.None.AnyOf("mcp_servers", "context_management", "container"));
            var warnings = logs.GetSnapshot().Where(r => r.Level == LogLevel.Warning).Select(r => r.Message).ToList();
            Assert.That(warnings, Has.Count.EqualTo(3));
            Assert.That(warnings, Has.Some.Contains("server_tools").And.Some.Contains("tool_search").And.Some.Contains("context_management"));
        });
    }

    [Test]
    public async Task A_history_with_server_tool_records_compaction_and_tool_references_reaches_mantle_without_them()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Message());
        await using var provider = Registry(MantleEntry(server));
        var client = provider.GetRequiredService<IModelRegistry>().GetChatClient("claude");
        static AIContent Raw(string json) => new() { RawRepresentation = System.Text.Json.JsonElement.Parse(json) };
        await client.GetResponseAsync(
        [
            new ChatMessage(ChatRole.User, "Weather?"),
            new ChatMessage(ChatRole.Assistant,
            [
                new WebSearchToolCallContent("srvtoolu_01") { RawRepresentation = System.Text.Json.JsonElement.Parse("""{"type":"server_tool_use","id":"srvtoolu_01","name":"web_search","input":{"query":"x"}}""") },
                Raw("""{"type":"web_search_tool_result","tool_use_id":"srvtoolu_01","content":[]}"""),
                Raw("""{"type":"compaction","content":"Summary."}"""),
                new TextContent("Sunny."),
                new FunctionCallContent("toolu_01", "load_capability"),
            ]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("toolu_01", new List<AIContent> { new TextContent("{}"), Raw("""{"type":"tool_reference","tool_name":"f"}""") })]),
            new ChatMessage(ChatRole.System, [Raw("""{"type":"tool_addition","tool":{"type":"tool_reference","name":"f"}}""")]),
            new ChatMessage(ChatRole.User, "Thanks"),
        ]);
        AssertJson(server.Requests.Single().Json!["messages"], """
            [{"role":"user","content":[{"type":"text","text":"Weather?"}]},
             {"role":"assistant","content":[{"type":"text","text":"Sunny."},{"type":"tool_use","id":"toolu_01","name":"load_capability","input":{}}]},
             {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01","content":[{"type":"text","text":"{}"}]}]},
             {"role":"user","content":[{"type":"text","text":"Thanks"}]}]
            """);
    }

    /// <summary>A function marked <see cref="AnthropicProperties.DeferLoading"/>.</summary>
    private sealed class DeferredDeclaration(AIFunctionDeclaration inner) : AIFunctionDeclaration
    {
        public override string Name => inner.Name;

        public override string Description => inner.Description;

        public override System.Text.Json.JsonElement JsonSchema => inner.JsonSchema;

        public override IReadOnlyDictionary<string, object?> AdditionalProperties { get; } = new Dictionary<string, object?> { [AnthropicProperties.DeferLoading] = true };
    }

    /// <summary>Sends every request to the loopback server instead of its host, remembering the address the client asked for.</summary>
    private sealed class ToLoopback(ReplayServer server) : DelegatingHandler
    {
        public List<Uri> Asked { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Asked.Add(request.RequestUri!);
            request.RequestUri = new Uri(server.BaseAddress, request.RequestUri!.PathAndQuery);
            return base.SendAsync(request, cancellationToken);
        }
    }

    [Test]
    public async Task With_a_region_chat_goes_under_anthropic_and_the_probe_asks_the_catalogue_at_the_region_root()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Message(), ScriptedResponse.Json("""{"id":"anthropic.claude-opus-4-7","object":"model"}"""));
        using var handler = new ToLoopback(server) { InnerHandler = new SocketsHttpHandler() };
        using var http = new HttpClient(handler);
        var client = new AnthropicClient(new AnthropicClientOptions
        {
            Region = "us-east-1",
            ApiKey = "bedrock-api-key-test-EXAMPLE",
            HttpClient = http,
            Environment = NoEnvironment,
        });
        using var chat = client.AsIChatClient("anthropic.claude-opus-4-7");
        await chat.GetResponseAsync("Hi");
        var health = await client.CheckHealthAsync("anthropic.claude-opus-4-7");
        Assert.Multiple(() =>
        {
            Assert.That(handler.Asked, Is.EqualTo(new[]
            {
                new Uri("https://bedrock-mantle.us-east-1.api.aws/anthropic/v1/messages"),
                new Uri("https://bedrock-mantle.us-east-1.api.aws/v1/models/anthropic.claude-opus-4-7"),
            }));
            Assert.That(server.Requests[0].Header("authorization"), Is.EqualTo("Bearer bedrock-api-key-test-EXAMPLE"), "Mantle's default auth");
            Assert.That(server.Requests[1].Header("authorization"), Is.EqualTo("Bearer bedrock-api-key-test-EXAMPLE"));
            Assert.That(health.Status, Is.EqualTo(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy));
            Assert.That(health.Description, Does.Contain("Bedrock Mantle"));
        });
    }

    [Test]
    public async Task A_mantle_client_reads_the_bedrock_key_variable_not_the_anthropic_one()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Message());
        using var handler = new ToLoopback(server) { InnerHandler = new SocketsHttpHandler() };
        using var http = new HttpClient(handler);
        var client = new AnthropicClient(new AnthropicClientOptions
        {
            Region = "us-east-1",
            HttpClient = http,
            Environment = EnvironmentProvider.FromVariables(new Dictionary<string, string?>
            {
                ["ANTHROPIC_API_KEY"] = "sk-ant-test-not-for-aws",
                ["AWS_BEARER_TOKEN_BEDROCK"] = "bedrock-api-key-test-EXAMPLE",
            }),
        });
        using var chat = client.AsIChatClient("anthropic.claude-haiku-4-5");
        await chat.GetResponseAsync("Hi");
        Assert.That(server.Requests.Single().Header("authorization"), Is.EqualTo("Bearer bedrock-api-key-test-EXAMPLE"));
    }
}
