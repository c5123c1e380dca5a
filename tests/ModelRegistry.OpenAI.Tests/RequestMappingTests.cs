using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelRegistry.Testing;
using static ModelRegistry.OpenAI.Tests.OpenAITestKit;

namespace ModelRegistry.OpenAI.Tests;

/// <summary>What the client sends: messages, content parts, options, tools, structured output and reasoning effort.</summary>
public sealed class RequestMappingTests
{
    private static async Task<System.Text.Json.Nodes.JsonObject> SendAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, string model = "gpt-4.1-mini", OpenAIClientOptions? clientOptions = null)
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Completion());
        using var client = ChatClient(server, model, clientOptions is null ? null : Configure(clientOptions, server));
        await client.GetResponseAsync(messages, options);
        Assert.That(server.Requests[0].PathAndQuery, Is.EqualTo("/v1/chat/completions"));
        return SingleRequest(server);
    }

    private static OpenAIClientOptions Configure(OpenAIClientOptions options, ReplayServer server)
    {
        var defaults = Options(server);
        options.Endpoint = defaults.Endpoint;
        options.ApiKey ??= defaults.ApiKey;
        options.Environment = defaults.Environment;
        options.Resilience = defaults.Resilience;
        return options;
    }

    [Test]
    public async Task Roles_map_to_system_developer_user_assistant_and_tool_messages()
    {
        var body = await SendAsync(
        [
            new(ChatRole.System, "Be brief."),
            new(new ChatRole("developer"), "Answer in French."),
            new(ChatRole.User, "Weather in Paris?"),
            new(ChatRole.Assistant, [new FunctionCallContent("call_abc", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })]),
            new(ChatRole.Tool, [new FunctionResultContent("call_abc", "sunny")]),
            new(ChatRole.Assistant, "Il fait beau."),
        ], new ChatOptions { Instructions = "You are a weather bot." });

        AssertJson(body["messages"], """
            [
              {"role":"system","content":"You are a weather bot."},
              {"role":"system","content":"Be brief."},
              {"role":"developer","content":"Answer in French."},
              {"role":"user","content":"Weather in Paris?"},
              {"role":"assistant","tool_calls":[{"id":"call_abc","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
              {"role":"tool","tool_call_id":"call_abc","content":"sunny"},
              {"role":"assistant","content":"Il fait beau."}
            ]
            """);
        Assert.That(body["stream"]!.GetValue<bool>(), Is.False);
        Assert.That(body.ContainsKey("stream_options"), Is.False, "stream_options only on streams");
    }

    [Test]
    public async Task Images_go_as_image_url_parts_with_a_data_url_or_an_https_url_and_files_as_file_parts()
    {
        var png = new DataContent(new byte[] { 1, 2, 3 }, "image/png") { AdditionalProperties = new() { [OpenAIProperties.ImageDetail] = "low" } };
        var body = await SendAsync(
        [
            new(ChatRole.User,
            [
                new TextContent("Compare"),
                png,
                new UriContent("https://example.com/cat.jpg", "image/jpeg"),
                new DataContent(new byte[] { 9 }, "application/pdf") { Name = "report.pdf" },
                new DataContent(new byte[] { 7, 7 }, "audio/wav"),
            ]),
        ]);

        AssertJson(body["messages"]![0]!["content"], """
            [
              {"type":"text","text":"Compare"},
              {"type":"image_url","image_url":{"url":"data:image/png;base64,AQID","detail":"low"}},
              {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}},
              {"type":"file","file":{"filename":"report.pdf","file_data":"data:application/pdf;base64,CQ=="}},
              {"type":"input_audio","input_audio":{"data":"Bwc=","format":"wav"}}
            ]
            """);
    }

    [Test]
    public void Content_the_api_cannot_take_is_refused_before_sending_with_what_it_takes()
    {
        var error = Assert.ThrowsAsync<NotSupportedException>(() => SendAsync([new(ChatRole.User, [new UriContent("https://example.com/doc.pdf", "application/pdf")])]));
        Assert.That(error!.Message, Does.Contain("UriContent").And.Contain("downloaded first"));
    }

    [Test]
    public async Task Options_map_to_their_fields_and_max_output_tokens_to_max_completion_tokens_by_default()
    {
        var body = await SendAsync([new(ChatRole.User, "hi")], new ChatOptions
        {
            Temperature = 0.5f,
            TopP = 0.9f,
            MaxOutputTokens = 300,
            StopSequences = ["END"],
            Seed = 42,
            PresencePenalty = 0.1f,
            FrequencyPenalty = 0.2f,
            AdditionalProperties = new() { [OpenAIProperties.ServiceTier] = "flex", [OpenAIProperties.PromptCacheKey] = "tenant-1", ["unknown_field"] = "never sent" },
        });

        AssertJson(body, """
            {"model":"gpt-4.1-mini","messages":[{"role":"user","content":"hi"}],"stream":false,
             "temperature":0.5,"top_p":0.9,"max_completion_tokens":300,"stop":["END"],"seed":42,
             "presence_penalty":0.1,"frequency_penalty":0.2,"service_tier":"flex","prompt_cache_key":"tenant-1"}
            """);
    }

    [Test]
    public async Task A_generic_server_gets_max_tokens_and_a_setting_can_choose_either_field()
    {
        var generic = await SendAsync([new(ChatRole.User, "hi")], new ChatOptions { MaxOutputTokens = 50 }, clientOptions: new OpenAIClientOptions { Flavour = OpenAIFlavour.Generic });
        var chosen = await SendAsync([new(ChatRole.User, "hi")], new ChatOptions { MaxOutputTokens = 50 }, clientOptions: new OpenAIClientOptions { MaxTokensField = "max_tokens" });
        Assert.Multiple(() =>
        {
            Assert.That(generic["max_tokens"]!.GetValue<int>(), Is.EqualTo(50));
            Assert.That(generic.ContainsKey("max_completion_tokens"), Is.False);
            Assert.That(chosen["max_tokens"]!.GetValue<int>(), Is.EqualTo(50));
        });
        var error = Assert.Throws<ArgumentException>(() => new OpenAIClient(new OpenAIClientOptions { MaxTokensField = "tokens" }));
        Assert.That(error!.Message, Does.Contain("MaxTokensField").And.Contain("max_completion_tokens, max_tokens"));
    }

    [TestCase("auto", """ "auto" """)]
    [TestCase("required", """ "required" """)]
    [TestCase("none", """ "none" """)]
    [TestCase("specific", """ {"type":"function","function":{"name":"get_weather"}} """)]
    public async Task Tools_and_each_tool_choice_map_to_the_wire(string mode, string expected)
    {
        var tool = AIFunctionFactory.CreateDeclaration("get_weather", "Weather by city",
            JsonElement.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""));
        var body = await SendAsync([new(ChatRole.User, "hi")], new ChatOptions
        {
            Tools = [tool],
            ToolMode = mode switch
            {
                "auto" => ChatToolMode.Auto,
                "required" => ChatToolMode.RequireAny,
                "none" => ChatToolMode.None,
                _ => ChatToolMode.RequireSpecific("get_weather"),
            },
            AllowMultipleToolCalls = false,
            AdditionalProperties = new() { [OpenAIProperties.Strict] = true },
        });

        AssertJson(body["tool_choice"], expected);
        AssertJson(body["tools"], """
            [{"type":"function","function":{"name":"get_weather","description":"Weather by city",
              "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},"strict":true}}]
            """);
        Assert.That(body["parallel_tool_calls"]!.GetValue<bool>(), Is.False);
    }

    [Test]
    public void A_function_name_the_api_refuses_is_refused_with_the_rule()
    {
        var tool = AIFunctionFactory.CreateDeclaration("get weather!", null, JsonElement.Parse("""{"type":"object"}"""));
        var error = Assert.ThrowsAsync<ArgumentException>(() => SendAsync([new(ChatRole.User, "hi")], new ChatOptions { Tools = [tool] }));
        Assert.That(error!.Message, Does.Contain("get weather!").And.Contain("1 to 64 characters"));
    }

    [Test]
    public async Task Structured_output_maps_to_json_object_or_json_schema_with_name_and_strict()
    {
        var plain = await SendAsync([new(ChatRole.User, "hi")], new ChatOptions { ResponseFormat = ChatResponseFormat.Json });
        var schema = await SendAsync([new(ChatRole.User, "hi")], new ChatOptions
        {
            ResponseFormat = ChatResponseFormat.ForJsonSchema(JsonElement.Parse("""{"type":"object","properties":{"a":{"type":"string"}}}"""), "answer", "The answer"),
            AdditionalProperties = new() { [OpenAIProperties.Strict] = true },
        });

        AssertJson(plain["response_format"], """{"type":"json_object"}""");
        AssertJson(schema["response_format"], """
            {"type":"json_schema","json_schema":{"name":"answer","description":"The answer","schema":{"type":"object","properties":{"a":{"type":"string"}}},"strict":true}}
            """);
    }

    [TestCase("o3-mini", true)]
    [TestCase("gpt-5-mini", true)]
    [TestCase("openai.gpt-oss-120b", true)]
    [TestCase("gpt-4.1-mini", false)]
    [TestCase("gpt-4o", false)]
    public async Task Reasoning_effort_goes_to_the_reasoning_families_only(string model, bool sent)
    {
        var body = await SendAsync([new(ChatRole.User, "hi")], new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.High } }, model);
        Assert.That(body["reasoning_effort"]?.GetValue<string>(), Is.EqualTo(sent ? "high" : null));
    }

    [Test]
    public async Task The_reasoning_setting_overrides_the_rule_and_the_property_is_sent_as_given()
    {
        var forced = await SendAsync([new(ChatRole.User, "hi")], new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low } },
            "my-fine-tune", new OpenAIClientOptions { ReasoningEffortSupported = true });
        var refused = await SendAsync([new(ChatRole.User, "hi")], new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low } },
            "o3", new OpenAIClientOptions { ReasoningEffortSupported = false });
        var given = await SendAsync([new(ChatRole.User, "hi")], new ChatOptions { AdditionalProperties = new() { [OpenAIProperties.ReasoningEffort] = "minimal" } }, "gpt-5");
        Assert.Multiple(() =>
        {
            Assert.That(forced["reasoning_effort"]!.GetValue<string>(), Is.EqualTo("low"));
            Assert.That(refused.ContainsKey("reasoning_effort"), Is.False);
            Assert.That(given["reasoning_effort"]!.GetValue<string>(), Is.EqualTo("minimal"));
        });
    }

    [Test]
    public async Task Reasoning_and_another_providers_blocks_are_not_sent_back()
    {
        var foreign = new AIContent { AdditionalProperties = new() { [RegistryProperties.Origin] = "bedrock" } };
        var body = await SendAsync(
        [
            new(ChatRole.User, "hi"),
            new(ChatRole.Assistant, [new TextReasoningContent("thinking") { ProtectedData = "sig" }, foreign, new TextContent("Hello")]),
            new(ChatRole.User, "again"),
        ]);
        AssertJson(body["messages"]![1], """{"role":"assistant","content":"Hello"}""");
    }

    [Test]
    public async Task A_user_message_with_nothing_to_send_has_empty_text_not_an_empty_array()
    {
        var body = await SendAsync([new(ChatRole.User, [new UsageContent(new UsageDetails())])]);
        AssertJson(body["messages"], """[{"role":"user","content":""}]""");
    }

    [Test]
    public async Task A_raw_representation_wins_over_the_mapped_fields()
    {
        var body = await SendAsync([new(ChatRole.User, "hi")], new ChatOptions
        {
            Temperature = 0.1f,
            RawRepresentationFactory = _ => new System.Text.Json.Nodes.JsonObject { ["temperature"] = 0.7, ["moderation"] = new System.Text.Json.Nodes.JsonObject { ["model"] = "omni-moderation-latest" } },
        });
        Assert.Multiple(() =>
        {
            Assert.That(body["temperature"]!.GetValue<double>(), Is.EqualTo(0.7));
            Assert.That(body["moderation"]!["model"]!.GetValue<string>(), Is.EqualTo("omni-moderation-latest"));
        });
    }
}
