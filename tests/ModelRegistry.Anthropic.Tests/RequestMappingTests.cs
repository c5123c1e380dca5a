using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;
using ModelRegistry.Testing;
using static ModelRegistry.Anthropic.Tests.AnthropicTestKit;

namespace ModelRegistry.Anthropic.Tests;

/// <summary>What the client sends to <c>POST /v1/messages</c> for MEAI messages and options, checked on the loopback server.</summary>
public sealed class RequestMappingTests
{
    private static async Task<(JsonObject Body, ReceivedRequest Request)> SendAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, AnthropicClientOptions? configure = null, string model = "claude-sonnet-4-5")
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Message());
        var clientOptions = configure ?? Options(server);
        clientOptions.Endpoint ??= server.BaseAddress;
        using var client = ChatClient(server, model, clientOptions);
        await client.GetResponseAsync(messages, options);
        return (SingleRequest(server), server.Requests[0]);
    }

    [Test]
    public async Task A_plain_question_sends_model_max_tokens_system_and_one_user_turn_with_the_version_and_key_headers()
    {
        var (body, request) = await SendAsync(
            [new ChatMessage(ChatRole.System, "Be brief."), new ChatMessage(ChatRole.User, "Hi")],
            new ChatOptions { Temperature = 0.5f, TopP = 0.9f, TopK = 40, StopSequences = ["END"] });
        AssertJson(body, """
            {"model":"claude-sonnet-4-5","max_tokens":4096,"system":"Be brief.","stream":false,
             "messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}],
             "temperature":0.5,"top_p":0.9,"top_k":40,"stop_sequences":["END"]}
            """);
        Assert.Multiple(() =>
        {
            Assert.That(request.Method, Is.EqualTo("POST"));
            Assert.That(request.PathAndQuery, Is.EqualTo("/v1/messages"));
            Assert.That(request.Header("x-api-key"), Is.EqualTo(ApiKey));
            Assert.That(request.Header("authorization"), Is.Null, "api.anthropic.com takes x-api-key");
            Assert.That(request.Header("anthropic-version"), Is.EqualTo("2023-06-01"));
            Assert.That(request.Header("accept"), Is.EqualTo("application/json"));
        });
    }

    [Test]
    public async Task Instructions_come_before_system_messages_and_max_output_tokens_wins_over_the_default()
    {
        var (body, _) = await SendAsync(
            [new ChatMessage(ChatRole.System, "Second."), new ChatMessage(ChatRole.User, "Hi")],
            new ChatOptions { Instructions = "First.", MaxOutputTokens = 100 });
        AssertJson(body["system"], """[{"type":"text","text":"First."},{"type":"text","text":"Second."}]""");
        Assert.That(body["max_tokens"]!.GetValue<long>(), Is.EqualTo(100));
    }

    [Test]
    public async Task The_default_max_tokens_comes_from_the_options_and_an_endpoint_ending_in_v1_is_accepted()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Message());
        var options = Options(server);
        options.MaxOutputTokens = 777;
        options.Endpoint = new Uri(server.BaseAddress, "v1");
        using var client = ChatClient(server, options: options);
        await client.GetResponseAsync("Hi");
        Assert.Multiple(() =>
        {
            Assert.That(SingleRequest(server)["max_tokens"]!.GetValue<long>(), Is.EqualTo(777));
            Assert.That(server.Requests[0].PathAndQuery, Is.EqualTo("/v1/messages"));
        });
    }

    [Test]
    public async Task Images_and_documents_go_as_base64_url_and_text_sources()
    {
        byte[] png = [0x89, 0x50, 0x4E, 0x47];
        byte[] pdf = "%PDF-1.4"u8.ToArray();
        var (body, _) = await SendAsync([new ChatMessage(ChatRole.User,
        [
            new TextContent("Look"),
            new DataContent(png, "image/png"),
            new UriContent("https://example.com/cat.jpg", "image/jpeg"),
            new DataContent(pdf, "application/pdf") { Name = "report.pdf" },
            new UriContent("https://example.com/paper.pdf", "application/pdf"),
            new DataContent("plain words"u8.ToArray(), "text/plain"),
        ])]);
        AssertJson(body["messages"]![0]!["content"], $$$"""
            [{"type":"text","text":"Look"},
             {"type":"image","source":{"type":"base64","media_type":"image/png","data":"{{{Convert.ToBase64String(png)}}}"}},
             {"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}},
             {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"{{{Convert.ToBase64String(pdf)}}}"},"title":"report.pdf"},
             {"type":"document","source":{"type":"url","url":"https://example.com/paper.pdf"}},
             {"type":"document","source":{"type":"text","media_type":"text/plain","data":"plain words"}}]
            """);
    }

    [Test]
    public void Audio_is_refused_before_anything_is_sent_naming_what_the_api_takes()
    {
        var error = Assert.ThrowsAsync<NotSupportedException>(() => SendAsync([new ChatMessage(ChatRole.User, [new DataContent(new byte[] { 1 }, "audio/wav")])]));
        Assert.That(error!.Message, Does.Contain("audio/wav").And.Contain("PDF"));
    }

    [TestCase("auto", """{"type":"auto"}""")]
    [TestCase("any", """{"type":"any"}""")]
    [TestCase("tool", """{"type":"tool","name":"get_weather"}""")]
    [TestCase("none", """{"type":"none"}""")]
    public async Task Tools_and_each_tool_mode_map_to_tool_choice(string mode, string expected)
    {
        var options = new ChatOptions
        {
            Tools = [AIFunctionFactory.CreateDeclaration("get_weather", "Weather of a city", JsonElement.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""))],
            ToolMode = mode switch
            {
                "auto" => ChatToolMode.Auto,
                "any" => ChatToolMode.RequireAny,
                "tool" => ChatToolMode.RequireSpecific("get_weather"),
                _ => ChatToolMode.None,
            },
        };
        var (body, _) = await SendAsync([new ChatMessage(ChatRole.User, "Weather?")], options);
        AssertJson(body["tools"], """
            [{"name":"get_weather","description":"Weather of a city",
              "input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]
            """);
        AssertJson(body["tool_choice"], expected);
    }

    [Test]
    public async Task No_parallel_tool_calls_sets_disable_parallel_tool_use_and_strict_marks_the_tool()
    {
        var options = new ChatOptions
        {
            Tools = [AIFunctionFactory.CreateDeclaration("f", null, JsonElement.Parse("""{"type":"object"}"""))],
            AllowMultipleToolCalls = false,
            AdditionalProperties = new() { [AnthropicProperties.Strict] = true },
        };
        var (body, _) = await SendAsync([new ChatMessage(ChatRole.User, "Go")], options);
        AssertJson(body["tool_choice"], """{"type":"auto","disable_parallel_tool_use":true}""");
        AssertJson(body["tools"], """[{"name":"f","input_schema":{"type":"object"},"strict":true}]""");
    }

    [Test]
    public async Task A_tool_round_trip_sends_tool_use_without_caller_and_the_round_of_tool_results_with_is_error_in_one_user_turn()
    {
        var call = new FunctionCallContent("toolu_01A", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })
        {
            RawRepresentation = JsonElement.Parse("""{"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"city":"Paris"},"caller":null}"""),
        };
        var (body, _) = await SendAsync(
        [
            new ChatMessage(ChatRole.User, "Weather in Paris and Rome?"),
            new ChatMessage(ChatRole.Assistant, [new TextContent("Checking."), call, new FunctionCallContent("call with spaces", "get_weather", new Dictionary<string, object?> { ["city"] = "Rome" })]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("toolu_01A", "sunny")]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call with spaces", "no data") { Exception = new InvalidOperationException("no data") }]),
            new ChatMessage(ChatRole.User, "Thanks"),
        ]);
        var mapped = body["messages"]![1]!["content"]![2]!["id"]!.GetValue<string>();
        Assert.That(mapped, Does.Match("^toolu_[0-9A-Za-z]{24}$"), "an id the API would refuse is mapped");
        AssertJson(body["messages"], $$$"""
            [{"role":"user","content":[{"type":"text","text":"Weather in Paris and Rome?"}]},
             {"role":"assistant","content":[{"type":"text","text":"Checking."},
               {"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"city":"Paris"}},
               {"type":"tool_use","id":"{{{mapped}}}","name":"get_weather","input":{"city":"Rome"}}]},
             {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A","content":"sunny"},
               {"type":"tool_result","tool_use_id":"{{{mapped}}}","content":"no data","is_error":true}]},
             {"role":"user","content":[{"type":"text","text":"Thanks"}]}]
            """);
        Assert.That(body.ToJsonString(), Does.Not.Contain("caller"));
    }

    [Test]
    public void A_call_argument_json_cannot_hold_is_refused_naming_the_call_and_what_to_give_instead()
    {
        // System.Type stands for any type MEAI's options know nothing of: refused by the serializer here as in an AOT app.
        var error = Assert.ThrowsAsync<NotSupportedException>(() => SendAsync(
        [
            new ChatMessage(ChatRole.User, "Q"),
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("toolu_01A", "get_weather", new Dictionary<string, object?> { ["kind"] = typeof(string) })]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("toolu_01A", "sunny")]),
        ]));
        Assert.That(error!.Message, Does.Contain("'get_weather'").And.Contain("'toolu_01A'").And.Contain("System.RuntimeType").And.Contain("JsonElement"));
    }

    [Test]
    public async Task Signed_reasoning_goes_back_as_one_thinking_block_redacted_as_its_data_and_unsigned_or_foreign_reasoning_is_left_out()
    {
        var redacted = new TextReasoningContent(string.Empty) { ProtectedData = "ENCRYPTED", AdditionalProperties = new() { [AnthropicProperties.RedactedThinking] = true } };
        var foreign = new TextReasoningContent("Bedrock thought") { ProtectedData = "bedrock-sig", AdditionalProperties = new() { [RegistryProperties.Origin] = "bedrock" } };
        var (body, _) = await SendAsync(
        [
            new ChatMessage(ChatRole.User, "Q"),
            new ChatMessage(ChatRole.Assistant,
            [
                foreign,
                new TextReasoningContent("Let me "), new TextReasoningContent("think."), new TextReasoningContent(string.Empty) { ProtectedData = "SIG" },
                redacted,
                new TextReasoningContent("never signed"),
                new TextContent("Answer."),
            ]),
            new ChatMessage(ChatRole.User, "Why?"),
        ]);
        AssertJson(body["messages"]![1], """
            {"role":"assistant","content":[
              {"type":"thinking","thinking":"Let me think.","signature":"SIG"},
              {"type":"redacted_thinking","data":"ENCRYPTED"},
              {"type":"text","text":"Answer."}]}
            """);
    }

    [TestCase(ReasoningEffort.Low, 1024)]
    [TestCase(ReasoningEffort.Medium, 2048)]
    [TestCase(ReasoningEffort.High, 2048)]
    public async Task Reasoning_asks_for_extended_thinking_with_a_budget_that_leaves_room_for_the_answer(ReasoningEffort effort, int budget)
    {
        var (body, _) = await SendAsync([new ChatMessage(ChatRole.User, "Q")], new ChatOptions { Reasoning = new ReasoningOptions { Effort = effort } });
        AssertJson(body["thinking"], $$"""{"type":"enabled","budget_tokens":{{budget}}}""");
    }

    [Test]
    public async Task Reasoning_on_a_model_that_takes_adaptive_thinking_sends_adaptive_with_the_effort()
    {
        var (body, _) = await SendAsync([new ChatMessage(ChatRole.User, "Q")],
            new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.High } }, model: "claude-opus-4-6");
        AssertJson(body["thinking"], """{"type":"adaptive"}""");
        AssertJson(body["output_config"], """{"effort":"high"}""");
    }

    [Test]
    public async Task Thinking_and_output_config_given_as_properties_are_sent_as_given_and_no_reasoning_sends_no_thinking()
    {
        var (body, _) = await SendAsync([new ChatMessage(ChatRole.User, "Q")], new ChatOptions
        {
            Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low },
            AdditionalProperties = new()
            {
                [AnthropicProperties.Thinking] = JsonElement.Parse("""{"type":"enabled","budget_tokens":3000}"""),
                [AnthropicProperties.OutputConfig] = JsonElement.Parse("""{"effort":"low"}"""),
                [AnthropicProperties.Metadata] = JsonElement.Parse("""{"user_id":"u1"}"""),
            },
        });
        AssertJson(body["thinking"], """{"type":"enabled","budget_tokens":3000}""");
        AssertJson(body["output_config"], """{"effort":"low"}""");
        AssertJson(body["metadata"], """{"user_id":"u1"}""");

        var (none, _) = await SendAsync([new ChatMessage(ChatRole.User, "Q")], new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.None } });
        Assert.That(none.ContainsKey("thinking"), Is.False);
    }

    [Test]
    public void Reasoning_with_max_tokens_too_small_for_a_thinking_budget_is_refused_with_the_fix()
    {
        var error = Assert.ThrowsAsync<ArgumentException>(() => SendAsync([new ChatMessage(ChatRole.User, "Q")],
            new ChatOptions { MaxOutputTokens = 1000, Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Medium } }));
        Assert.That(error!.Message, Does.Contain("1024").And.Contain("MaxOutputTokens"));
    }

    [Test]
    public async Task Cache_points_put_cache_control_on_the_block_before_them_on_the_tools_and_on_the_request()
    {
        var (body, _) = await SendAsync(
        [
            new ChatMessage(ChatRole.System, [new TextContent("Long system prompt"), new AnthropicCachePointContent("1h")]),
            new ChatMessage(ChatRole.User, [new TextContent("Long document"), new AnthropicCachePointContent(), new TextContent("Question")]),
        ], new ChatOptions
        {
            Tools = [AIFunctionFactory.CreateDeclaration("f", null, JsonElement.Parse("""{"type":"object"}"""))],
            AdditionalProperties = new() { [AnthropicProperties.ToolsCacheControl] = true, [AnthropicProperties.CacheControl] = "5m" },
        });
        AssertJson(body["system"], """[{"type":"text","text":"Long system prompt","cache_control":{"type":"ephemeral","ttl":"1h"}}]""");
        AssertJson(body["messages"]![0]!["content"], """
            [{"type":"text","text":"Long document","cache_control":{"type":"ephemeral"}},{"type":"text","text":"Question"}]
            """);
        AssertJson(body["tools"]![0]!["cache_control"], """{"type":"ephemeral"}""");
        AssertJson(body["cache_control"], """{"type":"ephemeral","ttl":"5m"}""");
    }

    [Test]
    public void A_cache_point_with_nothing_before_it_is_refused_saying_where_it_belongs()
    {
        var error = Assert.ThrowsAsync<ArgumentException>(() => SendAsync([new ChatMessage(ChatRole.User, [new AnthropicCachePointContent(), new TextContent("Q")])]));
        Assert.That(error!.Message, Does.Contain("right after the content"));
    }

    [Test]
    public async Task Content_another_provider_marked_as_its_own_is_left_out()
    {
        var foreign = new AIContent { AdditionalProperties = new() { [RegistryProperties.Origin] = "bedrock" } };
        var (body, _) = await SendAsync([new ChatMessage(ChatRole.User, [new TextContent("Q"), foreign])]);
        AssertJson(body["messages"], """[{"role":"user","content":[{"type":"text","text":"Q"}]}]""");
    }

    [Test]
    public async Task A_raw_request_body_wins_field_by_field()
    {
        var (body, _) = await SendAsync([new ChatMessage(ChatRole.User, "Q")], new ChatOptions
        {
            Temperature = 0.1f,
            RawRepresentationFactory = _ => new JsonObject { ["temperature"] = 0.7, ["container"] = "c1", ["stream"] = true },
        });
        Assert.Multiple(() =>
        {
            Assert.That(body["temperature"]!.GetValue<double>(), Is.EqualTo(0.7));
            Assert.That(body["container"]!.GetValue<string>(), Is.EqualTo("c1"));
            Assert.That(body["stream"]!.GetValue<bool>(), Is.False, "stream is decided by the method called");
        });
    }

    private const string CitySchema = """{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""";

    [Test]
    public async Task A_json_schema_is_sent_as_one_forced_tool_named_and_described_by_the_schema()
    {
        var (body, _) = await SendAsync([new ChatMessage(ChatRole.User, "Q")], new ChatOptions
        {
            ResponseFormat = ChatResponseFormat.ForJsonSchema(JsonDocument.Parse(CitySchema).RootElement, "city info", "A city."),
        });
        AssertJson(body["tools"], $$"""[{"name":"city_info","description":"A city.","input_schema":{{CitySchema}}}]""");
        AssertJson(body["tool_choice"], """{"type":"tool","name":"city_info"}""");
        Assert.That(body.ContainsKey("output_format"), Is.False);
    }

    [Test]
    public async Task Json_without_a_schema_forces_an_object_tool_under_the_default_name_and_strict_only_when_asked()
    {
        var (plain, _) = await SendAsync([new ChatMessage(ChatRole.User, "Q")], new ChatOptions { ResponseFormat = ChatResponseFormat.Json });
        AssertJson(plain["tools"], """[{"name":"json_response","description":"Give the answer by calling this tool: its input is the response, in the required JSON shape.","input_schema":{"type":"object"}}]""");
        AssertJson(plain["tool_choice"], """{"type":"tool","name":"json_response"}""");

        var (strict, _) = await SendAsync([new ChatMessage(ChatRole.User, "Q")], new ChatOptions
        {
            ResponseFormat = ChatResponseFormat.Json,
            AdditionalProperties = new() { ["strict"] = true },
        });
        Assert.That(strict["tools"]![0]!["strict"]!.GetValue<bool>(), Is.True);
    }

    [Test]
    public async Task The_callers_tools_are_kept_and_the_output_tool_is_still_forced_whatever_the_tool_mode()
    {
        var (body, _) = await SendAsync([new ChatMessage(ChatRole.User, "Q")], new ChatOptions
        {
            ResponseFormat = ChatResponseFormat.ForJsonSchema(JsonDocument.Parse(CitySchema).RootElement, "city"),
            Tools = [AIFunctionFactory.Create((string city) => city, "get_weather", "Weather.")],
            ToolMode = ChatToolMode.RequireAny,
            AllowMultipleToolCalls = false,
        });
        Assert.That(body["tools"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "get_weather", "city" }));
        AssertJson(body["tool_choice"], """{"type":"tool","name":"city","disable_parallel_tool_use":true}""");
    }

    [TestCase(ReasoningEffort.Low)]
    [TestCase(ReasoningEffort.High)]
    public async Task A_json_schema_with_reasoning_is_refused_before_the_call_as_a_capability_mismatch(ReasoningEffort effort)
    {
        await using var server = await ReplayServer.StartAsync();
        using var client = ChatClient(server);
        var error = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("Q", new ChatOptions
        {
            ResponseFormat = ChatResponseFormat.Json,
            Reasoning = new ReasoningOptions { Effort = effort },
        }));
        Assert.Multiple(() =>
        {
            Assert.That(error!.ErrorCode, Is.EqualTo(ProviderErrorCodes.CapabilityMismatch));
            Assert.That(error.Message, Does.Contain("structured output").And.Contain("extended thinking"));
            Assert.That(server.Requests, Is.Empty);
        });
    }

    [Test]
    public async Task A_json_schema_with_reasoning_effort_none_is_sent_without_thinking()
    {
        var (body, _) = await SendAsync([new ChatMessage(ChatRole.User, "Q")], new ChatOptions
        {
            ResponseFormat = ChatResponseFormat.Json,
            Reasoning = new ReasoningOptions { Effort = ReasoningEffort.None },
        });
        Assert.Multiple(() =>
        {
            Assert.That(body.ContainsKey("thinking"), Is.False);
            AssertJson(body["tool_choice"], """{"type":"tool","name":"json_response"}""");
        });
    }
}
