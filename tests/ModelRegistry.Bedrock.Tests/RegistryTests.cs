using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelRegistry.Bedrock.Tests.Support;
using ModelRegistry.Providers;
using ModelRegistry.Testing;
using static ModelRegistry.Bedrock.Tests.Support.Fixtures;

namespace ModelRegistry.Bedrock.Tests;

/// <summary>The provider <c>bedrock</c> inside a model registry, its environment given through DI.</summary>
public sealed class RegistryTests
{
    private const string KeyVariable = "TEST_BEDROCK_KEY";
    private const string Key = "fake-bedrock-key";

    [Test]
    public async Task A_registry_entry_is_served_through_AddBedrock()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Ok());
        await using var services = Services(server, """
            "haiku": { "provider": "bedrock", "model_id": "anthropic.claude-haiku-4-5-20251001-v1:0",
                       "inference_profile_arn": "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc",
                       "api_key": "env:TEST_BEDROCK_KEY", "guardrail_identifier": "gr1", "guardrail_version": "3",
                       "service_tier": "priority", "performance_latency": "optimized" }
            """);
        var client = services.GetRequiredKeyedService<IChatClient>("haiku");
        Assert.That(server.Requests, Is.Empty, "resolving a client does no I/O");

        var response = await client.GetResponseAsync("Hi");
        Assert.That(response.Text, Is.EqualTo("Paris."));
        var request = server.Requests.Single();
        Assert.That(request.PathAndQuery, Is.EqualTo("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Fabc/converse"),
            "inference_profile_arn wins over model_id");
        Assert.That(request.Header("authorization"), Is.EqualTo("Bearer " + Key));
        AssertJson(request.Json!["guardrailConfig"], """{"guardrailIdentifier":"gr1","guardrailVersion":"3"}""");
        AssertJson(request.Json!["serviceTier"], """{"type":"priority"}""");
        AssertJson(request.Json!["performanceConfig"], """{"latency":"optimized"}""");
        Assert.That(client.GetService<ChatClientMetadata>()?.ProviderName, Is.EqualTo("aws.bedrock"));
        Assert.That(client.GetService<IChatTokenCounter>(), Is.Not.Null, "the entry's client counts tokens");
    }

    [Test]
    public async Task The_guardrail_version_is_DRAFT_unless_the_entry_sets_one()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Ok());
        await using var services = Services(server, """
            "nova": { "provider": "bedrock", "model_id": "us.amazon.nova-micro-v1:0", "api_key": "env:TEST_BEDROCK_KEY",
                      "guardrail_identifier": "gr1", "guardrail_trace": "enabled_full" }
            """);
        await services.GetRequiredKeyedService<IChatClient>("nova").GetResponseAsync("Hi");
        AssertJson(server.Requests.Single().Json!["guardrailConfig"], """{"guardrailIdentifier":"gr1","guardrailVersion":"DRAFT","trace":"enabled_full"}""");
    }

    [Test]
    public async Task AddBedrock_options_are_defaults_that_entry_settings_override()
    {
        await using var server = await ReplayServer.StartAsync();
        await using var other = await ReplayServer.StartAsync();
        server.Enqueue(Ok());
        other.Enqueue(Ok());
        await using var services = Services(server, $$"""
            "from-options": { "provider": "bedrock", "model_id": "us.amazon.nova-micro-v1:0" },
            "own-endpoint": { "provider": "bedrock", "model_id": "us.amazon.nova-micro-v1:0", "endpoint": "{{other.BaseAddress}}", "api_key": "env:TEST_BEDROCK_KEY" }
            """, endpoint: false, configure: o =>
            {
                o.Endpoint = server.BaseAddress;
                o.ApiKey = "ABSK-options-key";
            });
        await services.GetRequiredKeyedService<IChatClient>("from-options").GetResponseAsync("Hi");
        await services.GetRequiredKeyedService<IChatClient>("own-endpoint").GetResponseAsync("Hi");
        Assert.That(server.Requests.Single().Header("authorization"), Is.EqualTo("Bearer ABSK-options-key"));
        Assert.That(other.Requests.Single().Header("authorization"), Is.EqualTo("Bearer " + Key));
    }

    [Test]
    public async Task Errors_name_the_registry_entry()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"message":"Rate exceeded"}""", 429, ("x-amzn-ErrorType", "ThrottlingException")));
        await using var services = Services(server, """
            "nova": { "provider": "bedrock", "model_id": "us.amazon.nova-micro-v1:0", "api_key": "env:TEST_BEDROCK_KEY", "resilience": { "max_retries": 0 } }
            """);
        var error = Assert.ThrowsAsync<ModelProviderException>(() => services.GetRequiredKeyedService<IChatClient>("nova").GetResponseAsync("Hi"));
        Assert.That((error!.ModelName, error.IsThrottling), Is.EqualTo(("nova", true)));
        Assert.That(error.Message, Does.Contain("Model registry entry 'nova'"));
        Assert.That(server.Requests, Has.Count.EqualTo(1), "the entry turned retries off");
    }

    [TestCase("\"region\": \"Europe\"", "region")]
    [TestCase("\"region\": \"moon-base-9\"", "region")]
    [TestCase("\"inference_profile_arn\": \"my-profile\"", "inference_profile_arn")]
    [TestCase("\"inference_profile_arn\": \"arn:aws:bedrock:evil.example.com/x?:123456789012:application-inference-profile/abc\"", "inference_profile_arn")]
    [TestCase("\"endpoint\": \"not a url\"", "endpoint")]
    [TestCase("\"control_plane_endpoint\": \"ftp://example.com\"", "control_plane_endpoint")]
    [TestCase("\"structured_output\": \"sometimes\"", "structured_output")]
    [TestCase("\"guardrail_identifier\": \"Not A Guardrail\"", "guardrail_identifier")]
    [TestCase("\"guardrail_identifier\": \"gr1\", \"guardrail_version\": \"latest\"", "guardrail_version")]
    [TestCase("\"guardrail_identifier\": \"gr1\", \"guardrail_trace\": \"on\"", "guardrail_trace")]
    [TestCase("\"guardrail_identifier\": \"gr1\", \"guardrail_stream_processing_mode\": \"later\"", "guardrail_stream_processing_mode")]
    [TestCase("\"service_tier\": \"gold\"", "service_tier")]
    [TestCase("\"performance_latency\": \"fast\"", "performance_latency")]
    [TestCase("\"regoin\": \"eu-west-1\"", "Did you mean 'region'")]
    public async Task Bad_settings_fail_the_load_naming_the_entry_and_the_key(string setting, string key)
    {
        await using var server = await ReplayServer.StartAsync();
        await using var services = Services(server, $$"""
            "broken": { "provider": "bedrock", "model_id": "us.amazon.nova-micro-v1:0", {{setting}} }
            """);
        var error = Assert.ThrowsAsync<ModelRegistryException>(() => services.GetRequiredService<IModelRegistry>().GetEntriesAsync().AsTask());
        Assert.That(error!.Message, Does.Contain("'broken'").And.Contain(key));
        Assert.That(server.Requests, Is.Empty);
    }

    [Test]
    public async Task A_guardrail_stream_processing_mode_without_a_guardrail_is_refused()
    {
        await using var server = await ReplayServer.StartAsync();
        await using var services = Services(server, """
            "nova": { "provider": "bedrock", "model_id": "us.amazon.nova-micro-v1:0", "guardrail_stream_processing_mode": "async" }
            """);
        var error = Assert.ThrowsAsync<ModelRegistryException>(() => services.GetRequiredKeyedService<IChatClient>("nova").GetResponseAsync("Hi"));
        Assert.That(error!.Message, Does.Contain("'nova'").And.Contain("guardrail_stream_processing_mode").And.Contain("guardrail_identifier"));
        Assert.That(server.Requests, Is.Empty);
    }

    [Test]
    public async Task A_guardrail_version_without_a_guardrail_is_refused()
    {
        await using var server = await ReplayServer.StartAsync();
        await using var services = Services(server, """
            "nova": { "provider": "bedrock", "model_id": "us.amazon.nova-micro-v1:0", "guardrail_version": "2" }
            """);
        var error = Assert.ThrowsAsync<ModelRegistryException>(() => services.GetRequiredKeyedService<IChatClient>("nova").GetResponseAsync("Hi"));
        Assert.That(error!.Message, Does.Contain("'nova'").And.Contain("guardrail_identifier"));
        Assert.That(server.Requests, Is.Empty);
    }

    [Test]
    public async Task A_literal_api_key_is_refused_at_load_without_being_printed()
    {
        const string literal = "ABSKQmVkcm9ja0FQSUtleS1leGFtcGxlLWtleQ==";
        await using var server = await ReplayServer.StartAsync();
        await using var services = Services(server, $$"""
            "nova": { "provider": "bedrock", "model_id": "us.amazon.nova-micro-v1:0", "api_key": "{{literal}}" }
            """);
        var error = Assert.ThrowsAsync<ModelRegistryException>(() => services.GetRequiredService<IModelRegistry>().GetEntriesAsync().AsTask());
        Assert.That(error!.ToString(), Does.Not.Contain(literal).And.Not.Contain("QmVkcm9ja0FQSUtleS1"));
        Assert.That(error.Message, Does.Contain("'nova'").And.Contain("'api_key'").And.Contain("env:"));
    }

    [Test]
    public async Task A_missing_api_key_reference_names_the_variable()
    {
        await using var server = await ReplayServer.StartAsync();
        await using var services = Services(server, """
            "nova": { "provider": "bedrock", "model_id": "us.amazon.nova-micro-v1:0", "api_key": "env:MISSING_BEDROCK_KEY" }
            """);
        var error = Assert.ThrowsAsync<ModelRegistryException>(() => services.GetRequiredKeyedService<IChatClient>("nova").GetResponseAsync("Hi"));
        Assert.That(error!.Message, Does.Contain("MISSING_BEDROCK_KEY"));
        Assert.That(server.Requests, Is.Empty);
    }

    [Test]
    public async Task The_bearer_token_variable_is_read_from_the_environment_in_DI()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Ok());
        await using var services = Services(server, """
            "nova": { "provider": "bedrock", "model_id": "us.amazon.nova-micro-v1:0" }
            """, variables: [("AWS_BEARER_TOKEN_BEDROCK", "ABSK-from-the-environment")]);
        await services.GetRequiredKeyedService<IChatClient>("nova").GetResponseAsync("Hi");
        Assert.That(server.Requests.Single().Header("authorization"), Is.EqualTo("Bearer ABSK-from-the-environment"));
    }

    [Test]
    public async Task Embeddings_are_served_by_name()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"embedding":[0.5,0.25],"inputTextTokenCount":3}"""));
        await using var services = Services(server, """
            "titan": { "provider": "bedrock", "model_id": "amazon.titan-embed-text-v2:0", "api_key": "env:TEST_BEDROCK_KEY" },
            "nova": { "provider": "bedrock", "model_id": "us.amazon.nova-micro-v1:0", "api_key": "env:TEST_BEDROCK_KEY" }
            """);
        var registry = services.GetRequiredService<IModelRegistry>();
        var embeddings = await registry.GetEmbeddingGenerator("titan").GenerateAsync(["hello"]);
        Assert.That(embeddings[0].Vector.ToArray(), Is.EqualTo(new[] { 0.5f, 0.25f }));
        Assert.That(server.Requests.Single().PathAndQuery, Is.EqualTo("/model/amazon.titan-embed-text-v2%3A0/invoke"));

        var error = Assert.ThrowsAsync<ModelRegistryException>(() => registry.GetEmbeddingGenerator("nova").GenerateAsync(["hello"]));
        Assert.That(error!.Message, Does.Contain("'nova'").And.Contain("Titan"));
    }

    [Test]
    public async Task The_registry_health_check_runs_the_token_free_probe_of_each_entry()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""
            {"modelId":"anthropic.claude-haiku-4-5-20251001-v1:0","agreementAvailability":{"status":"AVAILABLE"},
             "authorizationStatus":"AUTHORIZED","entitlementAvailability":"AVAILABLE","regionAvailability":"AVAILABLE"}
            """));
        await using var services = Services(server, """
            "haiku": { "provider": "bedrock", "model_id": "eu.anthropic.claude-haiku-4-5-20251001-v1:0", "api_key": "env:TEST_BEDROCK_KEY" }
            """, health: true);
        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.That(report.Status, Is.EqualTo(HealthStatus.Healthy), string.Join("; ", report.Entries.Select(e => e.Value.Description)));
        Assert.That(server.Requests.Single().PathAndQuery, Is.EqualTo("/foundation-model-availability/anthropic.claude-haiku-4-5-20251001-v1%3A0"));
        Assert.That(server.Requests[0].Method, Is.EqualTo("GET"));
    }

    [TestCase("Input is too long for requested model.")]
    [TestCase("The model returned the following errors: Input is too long for requested model.")]
    [TestCase("The model returned the following errors: prompt is too long: 200049 tokens > 200000 maximum")]
    [TestCase("Too many input tokens. Max input tokens: 8192, request input token count: 9000")]
    [TestCase("The model returned the following errors: input length and `max_tokens` exceed context limit: 90402 + 116650 > 204648, decrease input length or `max_tokens` and try again")]
    public async Task A_too_long_input_is_context_window_exceeded_and_falls_back_to_a_larger_window(string message)
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(
            ScriptedResponse.Json($$"""{"message":"{{message.Replace("`", "\\u0060", StringComparison.Ordinal)}}"}""", 400, ("x-amzn-ErrorType", "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/")),
            Ok());
        await using var services = Services(server, """
            "small": { "provider": "bedrock", "model_id": "us.amazon.nova-micro-v1:0", "api_key": "env:TEST_BEDROCK_KEY",
                       "capabilities": { "context_window": 128000 }, "fallbacks": ["same", "large"] },
            "same":  { "provider": "bedrock", "model_id": "us.amazon.nova-lite-v1:0", "api_key": "env:TEST_BEDROCK_KEY",
                       "capabilities": { "context_window": 128000 } },
            "large": { "provider": "bedrock", "model_id": "us.amazon.nova-pro-v1:0", "api_key": "env:TEST_BEDROCK_KEY",
                       "capabilities": { "context_window": 300000 } }
            """);

        var response = await services.GetRequiredKeyedService<IChatClient>("small").GetResponseAsync("a long document");

        Assert.That(response.AdditionalProperties![RegistryProperties.ServedBy], Is.EqualTo("large"));
        Assert.That(server.Requests.Select(r => r.PathAndQuery), Is.EqualTo(new[] { "/model/us.amazon.nova-micro-v1%3A0/converse", "/model/us.amazon.nova-pro-v1%3A0/converse" }),
            "the fallback with the same window is skipped");
    }

    [TestCase("Input is too long for requested model.", ProviderErrorCodes.ContextWindowExceeded)]
    [TestCase("Malformed input request: #: extraneous key [foo] is not permitted, please reformat your input and try again.", "ValidationException")]
    public async Task A_validation_error_has_the_context_window_code_only_when_it_says_so(string message, string code)
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json($$"""{"message":"{{message}}"}""", 400, ("x-amzn-ErrorType", "ValidationException")));
        await using var services = Services(server, """
            "nova": { "provider": "bedrock", "model_id": "us.amazon.nova-micro-v1:0", "api_key": "env:TEST_BEDROCK_KEY" }
            """);

        var error = Assert.ThrowsAsync<ModelProviderException>(() => services.GetRequiredKeyedService<IChatClient>("nova").GetResponseAsync("Hi"));

        Assert.That((error!.ErrorCode, error.StatusCode, error.IsRetryable), Is.EqualTo((code, 400, false)));
        Assert.That(error.Message, Does.Contain(message));
    }

    [Test]
    public async Task A_too_long_input_refused_inside_a_stream_has_the_context_window_code()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(new ScriptedResponse
        {
            Body = EventStreamEncoder.Body(EventStreamEncoder.Exception("validationException", "Input is too long for requested model.")),
            Headers = [new("Content-Type", "application/vnd.amazon.eventstream")],
        });
        await using var services = Services(server, """
            "nova": { "provider": "bedrock", "model_id": "us.amazon.nova-micro-v1:0", "api_key": "env:TEST_BEDROCK_KEY" }
            """);

        var error = Assert.ThrowsAsync<ModelProviderException>(async () => await services.GetRequiredKeyedService<IChatClient>("nova").GetStreamingResponseAsync("Hi").ToListAsync());

        Assert.That((error!.ErrorCode, error.StatusCode), Is.EqualTo((ProviderErrorCodes.ContextWindowExceeded, 400)));
    }

    private const string Intervened = """
        {"output":{"message":{"role":"assistant","content":[{"text":"Sorry, I cannot answer that."}]}},"stopReason":"guardrail_intervened",
         "usage":{"inputTokens":12,"outputTokens":0,"totalTokens":12},"metrics":{"latencyMs":80},
         "trace":{"guardrail":{"inputAssessment":{"gr1":{"contentPolicy":{"filters":[{"type":"VIOLENCE","confidence":"HIGH","filterStrength":"HIGH","action":"BLOCKED"}]}}},"actionReason":"Guardrail blocked."}}}
        """;

    [Test]
    public async Task A_guardrail_intervention_is_a_content_filter_answer_carrying_bedrocks_trace()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Ok(Intervened));
        await using var services = Services(server, """
            "nova": { "provider": "bedrock", "model_id": "us.amazon.nova-micro-v1:0", "api_key": "env:TEST_BEDROCK_KEY",
                      "guardrail_identifier": "gr1", "guardrail_trace": "enabled" }
            """);

        var response = await services.GetRequiredKeyedService<IChatClient>("nova").GetResponseAsync("Hi");

        Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.ContentFilter));
        Assert.That(response.AdditionalProperties![BedrockProperties.StopReason], Is.EqualTo("guardrail_intervened"));
        Assert.That(((JsonNode)response.AdditionalProperties[BedrockProperties.Trace]!)["guardrail"]!["actionReason"]!.GetValue<string>(), Is.EqualTo("Guardrail blocked."));
        AssertJson(server.Requests.Single().Json!["guardrailConfig"], """{"guardrailIdentifier":"gr1","guardrailVersion":"DRAFT","trace":"enabled"}""");
    }

    [Test]
    public async Task With_fallback_on_content_filter_a_guardrail_intervention_moves_to_the_fallback()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Ok(Intervened), Ok());
        await using var services = Services(server, """
            "guarded": { "provider": "bedrock", "model_id": "us.amazon.nova-micro-v1:0", "api_key": "env:TEST_BEDROCK_KEY",
                         "guardrail_identifier": "gr1", "fallback_on": { "content_filter": true }, "fallbacks": ["other"] },
            "other":   { "provider": "bedrock", "model_id": "us.amazon.nova-lite-v1:0", "api_key": "env:TEST_BEDROCK_KEY" }
            """);

        var response = await services.GetRequiredKeyedService<IChatClient>("guarded").GetResponseAsync("Hi");

        Assert.That(response.Text, Is.EqualTo("Paris."));
        Assert.That(response.AdditionalProperties![RegistryProperties.ServedBy], Is.EqualTo("other"));
        Assert.That(server.Requests[1].Json!["guardrailConfig"], Is.Null, "the fallback has no guardrail of its own");
    }

    [Test]
    public async Task The_entrys_guardrail_stream_processing_mode_is_sent_on_streams_only()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(
            Ok(),
            new ScriptedResponse
            {
                Body = EventStreamEncoder.Body(
                    EventStreamEncoder.Event("messageStart", """{"role":"assistant"}"""),
                    EventStreamEncoder.Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"Paris."}}"""),
                    EventStreamEncoder.Event("messageStop", """{"stopReason":"end_turn"}""")),
                Headers = [new("Content-Type", "application/vnd.amazon.eventstream")],
            });
        await using var services = Services(server, """
            "nova": { "provider": "bedrock", "model_id": "us.amazon.nova-micro-v1:0", "api_key": "env:TEST_BEDROCK_KEY",
                      "guardrail_identifier": "gr1", "guardrail_version": "2", "guardrail_stream_processing_mode": "async" }
            """);
        var client = services.GetRequiredKeyedService<IChatClient>("nova");

        await client.GetResponseAsync("Hi");
        await client.GetStreamingResponseAsync("Hi").ToListAsync();

        AssertJson(server.Requests[0].Json!["guardrailConfig"], """{"guardrailIdentifier":"gr1","guardrailVersion":"2"}""");
        AssertJson(server.Requests[1].Json!["guardrailConfig"], """{"guardrailIdentifier":"gr1","guardrailVersion":"2","streamProcessingMode":"async"}""");
    }

    [Test]
    public async Task The_entrys_stream_processing_mode_also_goes_into_the_callers_own_guardrail_on_streams()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(new ScriptedResponse
        {
            Body = EventStreamEncoder.Body(
                EventStreamEncoder.Event("messageStart", """{"role":"assistant"}"""),
                EventStreamEncoder.Event("messageStop", """{"stopReason":"end_turn"}""")),
            Headers = [new("Content-Type", "application/vnd.amazon.eventstream")],
        });
        await using var services = Services(server, """
            "nova": { "provider": "bedrock", "model_id": "us.amazon.nova-micro-v1:0", "api_key": "env:TEST_BEDROCK_KEY",
                      "guardrail_identifier": "gr1", "guardrail_stream_processing_mode": "async" }
            """);
        var options = new ChatOptions
        {
            RawRepresentationFactory = _ => JsonNode.Parse("""{"guardrailConfig":{"guardrailIdentifier":"raw","streamProcessingMode":"sync","guardrailVersion":"3"}}"""),
        };

        await services.GetRequiredKeyedService<IChatClient>("nova").GetStreamingResponseAsync("Hi", options).ToListAsync();

        Assert.That(server.Requests[0].BodyText, Does.Contain("""{"guardrailIdentifier":"raw","streamProcessingMode":"async","guardrailVersion":"3"}"""),
            "the caller's guardrail wins, its mode replaced in place by the entry's");
    }

    private static ServiceProvider Services(
        ReplayServer server,
        string entries,
        bool endpoint = true,
        Action<BedrockClientOptions>? configure = null,
        (string Name, string? Value)[]? variables = null,
        bool health = false)
    {
        var registry = JsonNode.Parse("{" + entries + "}")!.AsObject();
        foreach (var (_, entry) in registry)
        {
            if (endpoint)
            {
                entry!["endpoint"] ??= server.BaseAddress.AbsoluteUri;
                entry["control_plane_endpoint"] ??= server.BaseAddress.AbsoluteUri;
            }

            entry!["region"] ??= "us-east-1";
        }

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(TestClients.Clock());
        services.AddSingleton(TestClients.Environment([(KeyVariable, Key), .. variables ?? []]));
        services.AddModelRegistry().FromJson(registry.ToJsonString()).AddBedrock(configure);
        if (health)
        {
            services.AddHealthChecks().AddModelRegistry();
        }

        return services.BuildServiceProvider();
    }
}
