using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Bedrock.Tests.Support;
using static ModelRegistry.Bedrock.Tests.Support.Fixtures;

namespace ModelRegistry.Bedrock.Tests;

/// <summary>What the client sends for MEAI messages and options, checked on the loopback server.</summary>
public sealed class ConverseRequestTests
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 1, 2, 3];

    [Test]
    public async Task Instructions_and_system_messages_become_system_blocks_and_roles_alternate()
    {
        var sent = await SentAsync(
        [
            new ChatMessage(ChatRole.System, "Be brief."),
            new ChatMessage(ChatRole.User, "One"),
            new ChatMessage(ChatRole.User, "Two"),
            new ChatMessage(ChatRole.Assistant, "Three"),
            new ChatMessage(ChatRole.System, "Answer in French."),
            new ChatMessage(ChatRole.Assistant, "Four  "),
        ], new ChatOptions { Instructions = "You are a chatbot." });
        AssertJson(sent, """
            {"system":[{"text":"You are a chatbot."},{"text":"Be brief."},{"text":"Answer in French."}],
             "messages":[{"role":"user","content":[{"text":"One"},{"text":"Two"}]},
                         {"role":"assistant","content":[{"text":"Three"},{"text":"Four"}]}]}
            """);
    }

    [Test]
    public async Task Media_is_sent_inline_or_from_s3()
    {
        var sent = await SentAsync([new ChatMessage(ChatRole.User,
        [
            new TextContent("Look"),
            new DataContent(Png, "image/png"),
            new DataContent("%PDF"u8.ToArray(), "application/pdf") { Name = "report.2024" },
            new DataContent("%PDF"u8.ToArray(), "application/pdf"),
            new DataContent("a,b"u8.ToArray(), "text/csv") { Name = "report.2024" },
            new UriContent(new Uri("s3://bucket/clip.mp4"), "video/mp4") { AdditionalProperties = new() { ["bucketOwner"] = "123456789012" } },
            new DataContent(new byte[] { 1, 2 }, "audio/wav"),
        ])]);
        AssertJson(sent["messages"]![0]!["content"], """
            [{"text":"Look"},
             {"image":{"format":"png","source":{"bytes":"iVBORwECAw=="}}},
             {"document":{"format":"pdf","name":"report 2024","source":{"bytes":"JVBERg=="}}},
             {"document":{"format":"pdf","name":"Document 2","source":{"bytes":"JVBERg=="}}},
             {"document":{"format":"csv","name":"report 2024 (2)","source":{"bytes":"YSxi"}}},
             {"video":{"format":"mp4","source":{"s3Location":{"uri":"s3://bucket/clip.mp4","bucketOwner":"123456789012"}}}},
             {"audio":{"format":"wav","source":{"bytes":"AQI="}}}]
            """);
    }

    [Test]
    public void Http_urls_and_unknown_media_fail_clearly()
    {
        var error = Assert.ThrowsAsync<NotSupportedException>(() => SentAsync([new ChatMessage(ChatRole.User, [new UriContent(new Uri("https://example.com/a.png"), "image/png")])]));
        Assert.That(error!.Message, Does.Contain("s3://").And.Contain("DataContent"));
        error = Assert.ThrowsAsync<NotSupportedException>(() => SentAsync([new ChatMessage(ChatRole.User, [new DataContent(new byte[] { 1 }, "application/zip")])]));
        Assert.That(error!.Message, Does.Contain("application/zip"));
    }

    [Test]
    public async Task Tool_calls_and_results_map_to_toolUse_and_toolResult()
    {
        var sent = await SentAsync(
        [
            new ChatMessage(ChatRole.User, "Weather?"),
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call-1", "weather", new Dictionary<string, object?> { ["city"] = "Paris", ["days"] = 2 })]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call-1", JsonSerializer.SerializeToElement(new Dictionary<string, int> { ["celsius"] = 21 }))]),
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call-2", "weather", new Dictionary<string, object?> { ["city"] = "Nowhere" })]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call-2", "Unknown city") { Exception = new InvalidOperationException("boom") }]),
            new ChatMessage(ChatRole.User, "Thanks"),
        ], new ChatOptions { Tools = [Tool("weather")] });
        AssertJson(sent["messages"], """
            [{"role":"user","content":[{"text":"Weather?"}]},
             {"role":"assistant","content":[{"toolUse":{"toolUseId":"call-1","name":"weather","input":{"city":"Paris","days":2}}}]},
             {"role":"user","content":[{"toolResult":{"toolUseId":"call-1","content":[{"json":{"celsius":21}}],"status":"success"}}]},
             {"role":"assistant","content":[{"toolUse":{"toolUseId":"call-2","name":"weather","input":{"city":"Nowhere"}}}]},
             {"role":"user","content":[{"toolResult":{"toolUseId":"call-2","content":[{"text":"Unknown city"}],"status":"error"}},{"text":"Thanks"}]}]
            """);
    }

    [Test]
    public void A_tool_result_json_cannot_hold_is_refused_naming_its_type_and_what_to_give_instead()
    {
        // System.Type stands for any type MEAI's options know nothing of: refused by the serializer here as in an AOT app.
        var error = Assert.ThrowsAsync<NotSupportedException>(() => SentAsync(
        [
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c", "get_type", new Dictionary<string, object?>())]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c", typeof(string))]),
        ], new ChatOptions { Tools = [Tool("get_type")] }));
        Assert.That(error!.Message, Does.Contain("System.RuntimeType").And.Contain("function result").And.Contain("JsonElement"));
    }

    [Test]
    public async Task Multimodal_tool_results_carry_their_media()
    {
        var sent = await SentAsync(
        [
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c", "get_file", new Dictionary<string, object?>())]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c", new List<AIContent> { new TextContent("Here"), new DataContent(Png, "image/png") })]),
        ], new ChatOptions { Tools = [Tool("get_file")] });
        AssertJson(sent["messages"]![1]!["content"]![0]!["toolResult"]!["content"], """[{"text":"Here"},{"image":{"format":"png","source":{"bytes":"iVBORwECAw=="}}}]""");
    }

    [Test]
    public async Task Tool_results_carry_documents_images_and_videos_inline_or_from_s3_with_unique_document_names()
    {
        var sent = await SentAsync(
        [
            new ChatMessage(ChatRole.User, [new TextContent("Compare with"), new DataContent("%PDF"u8.ToArray(), "application/pdf") { Name = "report" }]),
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c", "get_files", new Dictionary<string, object?>())]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c", new List<AIContent>
            {
                new DataContent("%PDF"u8.ToArray(), "application/pdf") { Name = "report" },
                new UriContent(new Uri("s3://files/scan.pdf"), "application/pdf"),
                new UriContent(new Uri("s3://files/kiwi.jpg"), "image/jpeg"),
                new UriContent(new Uri("s3://files/clip.mp4"), "video/mp4"),
            })]),
        ], new ChatOptions { Tools = [Tool("get_files")] });
        AssertJson(sent["messages"]![2]!["content"]![0]!["toolResult"]!["content"], """
            [{"document":{"format":"pdf","name":"report (2)","source":{"bytes":"JVBERg=="}}},
             {"document":{"format":"pdf","name":"Document 3","source":{"s3Location":{"uri":"s3://files/scan.pdf"}}}},
             {"image":{"format":"jpeg","source":{"s3Location":{"uri":"s3://files/kiwi.jpg"}}}},
             {"video":{"format":"mp4","source":{"s3Location":{"uri":"s3://files/clip.mp4"}}}}]
            """);
    }

    [Test]
    public async Task Writer_tool_results_carry_no_status()
    {
        var sent = await SentAsync(
        [
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("t1", "check", new Dictionary<string, object?>()), new FunctionCallContent("t2", "check", new Dictionary<string, object?>())]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("t1", "ok"), new FunctionResultContent("t2", null) { Exception = new InvalidOperationException("disk full") }]),
            new ChatMessage(ChatRole.User, "Go on"),
        ], new ChatOptions { Tools = [Tool("check")] }, "us.writer.palmyra-x4-v1:0");
        AssertJson(sent["messages"]![1]!["content"], """
            [{"toolResult":{"toolUseId":"t1","content":[{"text":"ok"}]}},
             {"toolResult":{"toolUseId":"t2","content":[{"text":"Error: disk full"}]}},
             {"text":"Go on"}]
            """);
    }

    [Test]
    public async Task Reasoning_round_trips_its_signature_and_redacted_content()
    {
        var sent = await SentAsync(
        [
            new ChatMessage(ChatRole.User, "Think"),
            new ChatMessage(ChatRole.Assistant,
            [
                new TextReasoningContent("Let me think.") { ProtectedData = "sig-abc" },
                new TextReasoningContent(string.Empty) { AdditionalProperties = new() { ["redactedContent"] = "UkVEQUNURUQ=" } },
                new TextContent("Done."),
            ]),
            new ChatMessage(ChatRole.User, "Again"),
        ]);
        AssertJson(sent["messages"]![1]!["content"], """
            [{"reasoningContent":{"reasoningText":{"text":"Let me think.","signature":"sig-abc"}}},
             {"reasoningContent":{"redactedContent":"UkVEQUNURUQ="}},
             {"text":"Done."}]
            """);
    }

    [Test]
    public async Task Another_providers_reasoning_and_blocks_are_left_out_whole()
    {
        static AdditionalPropertiesDictionary Mistral() => new() { [RegistryProperties.Origin] = "mistral" };
        var chunk = JsonElement.Parse("""{"type":"reference"}""");
        var sent = await SentAsync(
        [
            new ChatMessage(ChatRole.User, [new TextContent("Think"), new AIContent { RawRepresentation = chunk, AdditionalProperties = Mistral() }]),
            new ChatMessage(ChatRole.Assistant,
            [
                new TextReasoningContent("Mistral thought.") { ProtectedData = "mistral-sig", AdditionalProperties = Mistral() },
                new TextReasoningContent("Unsigned Mistral thought.") { AdditionalProperties = Mistral() },
                new TextReasoningContent("Bedrock thought.") { ProtectedData = "bedrock-sig", AdditionalProperties = new() { [RegistryProperties.Origin] = "bedrock" } },
                new TextContent("Done."),
            ]),
            new ChatMessage(ChatRole.User, "Again"),
        ]);
        AssertJson(sent["messages"], """
            [{"role":"user","content":[{"text":"Think"}]},
             {"role":"assistant","content":[{"reasoningContent":{"reasoningText":{"text":"Bedrock thought.","signature":"bedrock-sig"}}},{"text":"Done."}]},
             {"role":"user","content":[{"text":"Again"}]}]
            """);
    }

    [TestCase("tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q")]
    [TestCase("Ab3dE5gH7", "Ab3dE5gH7")]
    [TestCase("call_9f149c74-c42f", "call_9f149c74-c42f")]
    [TestCase("fc_68c1|call_abc.1", "2s123BcE6ClinoFvT0KcA360")]
    [TestCase("", "rTM0nKHr3jYAdqp3HwT9tKIa")]
    public async Task Tool_use_ids_Bedrock_would_refuse_are_mapped_the_same_for_a_call_and_its_result(string id, string expected)
    {
        var sent = await SentAsync(
        [
            new ChatMessage(ChatRole.User, "Weather?"),
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent(id, "get_weather")]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent(id, "Sunny")]),
        ]);
        Assert.That(((string?)sent["messages"]![1]!["content"]![0]!["toolUse"]!["toolUseId"], (string?)sent["messages"]![2]!["content"]![0]!["toolResult"]!["toolUseId"]),
            Is.EqualTo((expected, expected)));
    }

    [Test]
    public void An_id_longer_than_64_characters_is_mapped()
    {
        var id = new string('a', 65);
        Assert.That(Internal.ConverseRequestWriter.ToolUseId(id), Is.EqualTo("NuFqkkOw2HpJVJFfzD3HlXrQ"));
        Assert.That(Internal.ConverseRequestWriter.ToolUseId(id[..64]), Is.EqualTo(id[..64]));
    }

    [Test]
    public async Task Reasoning_tool_records_and_cache_points_are_marked_as_Bedrocks()
    {
        var response = await ResponseAsync(Converse("""
            [{"reasoningContent":{"reasoningText":{"text":"Hm.","signature":"s1"}}},{"reasoningContent":{"redactedContent":"UkVEQUNURUQ="}},
             {"searchResult":{"source":"x"}},{"text":"4"},{"toolUse":{"toolUseId":"t1","name":"get_weather","input":{}}}]
            """, "tool_use"));
        Assert.Multiple(() =>
        {
            Assert.That(response.Messages.Single().Contents.Select(c => c.AdditionalProperties?.GetValueOrDefault(RegistryProperties.Origin)),
                Is.EqualTo(new object?[] { "bedrock", "bedrock", "bedrock", null, null }), "text and function calls are portable and stay unmarked");
            Assert.That(new BedrockCachePointContent("1h").AdditionalProperties![RegistryProperties.Origin], Is.EqualTo("bedrock"));
        });
    }

    [Test]
    public async Task Cache_points_go_where_the_caller_put_them()
    {
        var sent = await SentAsync(
        [
            new ChatMessage(ChatRole.System, [new TextContent("Long system prompt"), new BedrockCachePointContent()]),
            new ChatMessage(ChatRole.User, [new TextContent("Long document"), new BedrockCachePointContent("1h"), new TextContent("Question")]),
        ], new ChatOptions { Tools = [Tool("lookup")], AdditionalProperties = new() { ["toolsCachePoint"] = true } });
        AssertJson(sent["system"], """[{"text":"Long system prompt"},{"cachePoint":{"type":"default"}}]""");
        AssertJson(sent["messages"]![0]!["content"], """[{"text":"Long document"},{"cachePoint":{"type":"default","ttl":"1h"}},{"text":"Question"}]""");
        AssertJson(sent["toolConfig"]!["tools"]![1], """{"cachePoint":{"type":"default"}}""");
    }

    [Test]
    public async Task Inference_settings_map_to_inferenceConfig()
    {
        var sent = await SentAsync([new ChatMessage(ChatRole.User, "Hi")],
            new ChatOptions { MaxOutputTokens = 100, Temperature = 0.7f, TopP = 0.9f, StopSequences = ["END"], Seed = 7, FrequencyPenalty = 0.5f });
        AssertJson(sent["inferenceConfig"], """{"maxTokens":100,"temperature":0.7,"topP":0.9,"stopSequences":["END"]}""");
        Assert.That(sent["additionalModelRequestFields"], Is.Null, "seed and penalties have no Converse field and no family-documented one");
    }

    [TestCase(Claude, """{"top_k":20}""")]
    [TestCase(Nova, """{"inferenceConfig":{"topK":20}}""")]
    [TestCase(Llama, null)]
    public async Task TopK_goes_where_the_family_accepts_it(string model, string? expected)
    {
        var sent = await SentAsync([new ChatMessage(ChatRole.User, "Hi")], new ChatOptions { TopK = 20 }, model);
        if (expected is null)
        {
            Assert.That(sent["additionalModelRequestFields"], Is.Null);
        }
        else
        {
            AssertJson(sent["additionalModelRequestFields"], expected);
        }
    }

    [TestCase(Claude, ReasoningEffort.High, 8000, """{"thinking":{"type":"enabled","budget_tokens":7999}}""")]
    [TestCase(Claude, ReasoningEffort.Low, null, """{"thinking":{"type":"enabled","budget_tokens":1024}}""")]
    [TestCase(Claude, ReasoningEffort.Medium, null, """{"thinking":{"type":"enabled","budget_tokens":4096}}""")]
    [TestCase(Claude, ReasoningEffort.ExtraHigh, 64000, """{"thinking":{"type":"enabled","budget_tokens":32768}}""")]
    [TestCase(Claude, null, null, """{"thinking":{"type":"enabled","budget_tokens":10000}}""")]
    [TestCase(Claude, ReasoningEffort.High, 1024, null)]
    [TestCase(Claude, ReasoningEffort.None, null, null)]
    [TestCase("us.anthropic.claude-3-7-sonnet-20250219-v1:0", ReasoningEffort.Low, null, """{"thinking":{"type":"enabled","budget_tokens":1024}}""")]
    [TestCase("us.anthropic.claude-sonnet-4-6", null, null, """{"thinking":{"type":"adaptive"}}""")]
    [TestCase("us.anthropic.claude-sonnet-4-6", ReasoningEffort.High, null, """{"thinking":{"type":"adaptive"},"output_config":{"effort":"high"}}""")]
    [TestCase("global.anthropic.claude-opus-4-6-v1", ReasoningEffort.Low, 2000, """{"thinking":{"type":"adaptive"},"output_config":{"effort":"low"}}""")]
    [TestCase("anthropic.claude-opus-4-7", ReasoningEffort.Medium, null, """{"thinking":{"type":"adaptive"},"output_config":{"effort":"medium"}}""")]
    [TestCase("anthropic.claude-opus-5", ReasoningEffort.ExtraHigh, null, """{"thinking":{"type":"adaptive"},"output_config":{"effort":"max"}}""")]
    [TestCase("anthropic.claude-mythos-preview", null, null, """{"thinking":{"type":"adaptive"}}""")]
    [TestCase("openai.gpt-oss-120b-1:0", ReasoningEffort.Low, null, """{"reasoning_effort":"low"}""")]
    [TestCase("openai.gpt-oss-120b-1:0", ReasoningEffort.ExtraHigh, null, """{"reasoning_effort":"high"}""")]
    [TestCase("openai.gpt-oss-120b-1:0", null, null, null)]
    [TestCase("qwen.qwen3-32b-v1:0", ReasoningEffort.Low, null, """{"reasoning_config":"low"}""")]
    [TestCase("qwen.qwen3-32b-v1:0", ReasoningEffort.Medium, null, """{"reasoning_config":"high"}""")]
    [TestCase("qwen.qwen3-32b-v1:0", null, null, """{"reasoning_config":"high"}""")]
    [TestCase(Llama, ReasoningEffort.High, null, null)]
    public async Task Reasoning_maps_per_family(string model, ReasoningEffort? effort, int? maxTokens, string? expected)
    {
        var sent = await SentAsync([new ChatMessage(ChatRole.User, "Hi")],
            new ChatOptions { MaxOutputTokens = maxTokens, Reasoning = new ReasoningOptions { Effort = effort } }, model);
        AssertJson(sent["additionalModelRequestFields"], expected ?? "null");

        // maxTokens is the caller's alone: Bedrock's default is the model's own maximum, which leaves room to think.
        Assert.That((int?)sent["inferenceConfig"]?["maxTokens"], Is.EqualTo(maxTokens));
    }

    [Test]
    public async Task Reasoning_fields_the_caller_set_win()
    {
        var sent = await SentAsync([new ChatMessage(ChatRole.User, "Hi")], new ChatOptions
        {
            Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low },
            AdditionalProperties = new() { ["additionalModelRequestFields"] = """{"thinking":{"type":"enabled","budget_tokens":2048}}""" },
        });
        AssertJson(sent["additionalModelRequestFields"], """{"thinking":{"type":"enabled","budget_tokens":2048}}""");
    }

    [Test]
    public async Task Tool_modes_map_to_toolChoice_and_the_whole_schema_is_kept()
    {
        var schema = """
            {"type":"object","properties":{"address":{"$ref":"#/$defs/Address"}},"required":["address"],"additionalProperties":false,
             "$defs":{"Address":{"type":"object","properties":{"street":{"type":"string"}}}}}
            """;
        var tool = new WireToMeai.DeclaredTool("locate", "Finds a place.", JsonDocument.Parse(schema).RootElement.Clone(), true);
        foreach (var (mode, choice) in new (ChatToolMode?, string?)[]
        {
            (ChatToolMode.Auto, """{"auto":{}}"""), (ChatToolMode.RequireAny, """{"any":{}}"""),
            (ChatToolMode.RequireSpecific("locate"), """{"tool":{"name":"locate"}}"""), (null, null),
        })
        {
            var sent = await SentAsync([new ChatMessage(ChatRole.User, "Hi")], new ChatOptions { Tools = [tool], ToolMode = mode });
            AssertJson(sent["toolConfig"]!["tools"], $$$"""[{"toolSpec":{"name":"locate","description":"Finds a place.","inputSchema":{"json":{{{schema}}}},"strict":true}}]""");
            AssertJson(sent["toolConfig"]!["toolChoice"], choice ?? "null");
        }
    }

    [Test]
    public async Task Strict_in_the_chat_options_is_every_tools_default_and_makes_the_output_tool_strict()
    {
        var schema = JsonDocument.Parse("""{"type":"object"}""").RootElement.Clone();
        var loose = new WireToMeai.DeclaredTool("loose", null, schema, false);
        var options = new ChatOptions
        {
            Tools = [Tool("weather"), loose],
            ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "City"),
            AdditionalProperties = new() { ["strict"] = true },
        };

        var sent = await SentAsync([new ChatMessage(ChatRole.User, "Hi")], options, Nova);

        var tools = sent["toolConfig"]!["tools"]!.AsArray().Select(t => ((string?)t!["toolSpec"]!["name"], (bool?)t["toolSpec"]!["strict"]));
        Assert.That(tools, Is.EqualTo(new (string?, bool?)[] { ("weather", true), ("loose", false), ("City", true) }), "a tool's own flag wins");
        var unset = await SentAsync([new ChatMessage(ChatRole.User, "Hi")], new ChatOptions { Tools = [Tool("weather")], ResponseFormat = options.ResponseFormat }, Nova);
        Assert.That(unset["toolConfig"]!["tools"]!.AsArray().Select(t => t!["toolSpec"]!["strict"]), Is.All.Null, "no flag unless asked for");
    }

    [Test]
    public async Task Tool_mode_none_sends_no_tools()
    {
        var sent = await SentAsync([new ChatMessage(ChatRole.User, "Hi")], new ChatOptions { Tools = [Tool("weather")], ToolMode = ChatToolMode.None });
        Assert.That(sent["toolConfig"], Is.Null);
    }

    [Test]
    public async Task The_hosted_code_interpreter_is_Nova_2s_system_tool()
    {
        var options = new ChatOptions { Tools = [Tool("final_result"), new HostedCodeInterpreterTool()], ToolMode = ChatToolMode.RequireAny };
        var sent = await SentAsync([new ChatMessage(ChatRole.User, "What is 6 * 7?")], options, "us.amazon.nova-2-lite-v1:0");
        AssertJson(sent["toolConfig"], """
            {"tools":[{"toolSpec":{"name":"final_result","inputSchema":{"json":{"type":"object","properties":{}}}}},
                      {"systemTool":{"name":"nova_code_interpreter"}}],
             "toolChoice":{"any":{}}}
            """);

        // Models without it are not sent a system tool they would refuse; the caller's functions still go.
        foreach (var model in new[] { Nova, Claude })
        {
            sent = await SentAsync([new ChatMessage(ChatRole.User, "What is 6 * 7?")], options, model);
            Assert.That(sent["toolConfig"]!["tools"]!.AsArray().Select(t => t!.AsObject().Single().Key), Is.EqualTo(new[] { "toolSpec" }), model);
        }
    }

    [Test]
    public async Task A_history_with_tool_blocks_always_has_a_toolConfig()
    {
        List<ChatMessage> history =
        [
            new ChatMessage(ChatRole.User, "Weather?"),
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "weather", new Dictionary<string, object?>())]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", "Sunny")]),
        ];
        var none = await SentAsync(history, new ChatOptions { Tools = [Tool("weather")], ToolMode = ChatToolMode.None });
        AssertJson(none["toolConfig"], """
            {"tools":[{"toolSpec":{"name":"weather","description":"A tool used earlier in this conversation; not offered in this turn.","inputSchema":{"json":{"type":"object"}}}}]}
            """);
        var noTools = await SentAsync(history);
        Assert.That(noTools["toolConfig"]!["tools"]!.AsArray(), Has.Count.EqualTo(1));
        Assert.That(noTools["toolConfig"]!["toolChoice"], Is.Null);
    }

    [Test]
    public async Task Structured_output_is_native_where_supported()
    {
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}""").RootElement.Clone();
        var sent = await SentAsync([new ChatMessage(ChatRole.User, "Where?")],
            new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "City", "A city.") });
        var jsonSchema = sent["outputConfig"]!["textFormat"]!["structure"]!["jsonSchema"]!;
        Assert.That((string?)sent["outputConfig"]!["textFormat"]!["type"], Is.EqualTo("json_schema"));
        Assert.That((string?)jsonSchema["name"], Is.EqualTo("City"));
        Assert.That((string?)jsonSchema["description"], Is.EqualTo("A city."));
        AssertJson(JsonNode.Parse((string)jsonSchema["schema"]!), schema.GetRawText());
        Assert.That(sent["toolConfig"], Is.Null);
    }

    [Test]
    public async Task Structured_output_is_a_forced_tool_elsewhere_and_its_input_is_the_answer()
    {
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}}}""").RootElement.Clone();
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "City") };
        var sent = await SentAsync([new ChatMessage(ChatRole.User, "Where?")], options, Nova);
        Assert.That(sent["outputConfig"], Is.Null);
        AssertJson(sent["toolConfig"]!["toolChoice"], """{"tool":{"name":"City"}}""");
        AssertJson(sent["toolConfig"]!["tools"]![0]!["toolSpec"]!["inputSchema"]!["json"], schema.GetRawText());

        var response = await ResponseAsync(Converse("""[{"toolUse":{"toolUseId":"t1","name":"City","input":{"city":"Paris"}}}]""", "tool_use"), options, Nova);
        AssertJson(JsonNode.Parse(response.Text), """{"city":"Paris"}""");
        Assert.That(response.Messages[0].Contents.OfType<FunctionCallContent>(), Is.Empty);
        Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop), "the answer is complete: there is no call to make");

        var alsoCalled = await ResponseAsync(
            Converse("""[{"toolUse":{"toolUseId":"t1","name":"City","input":{"city":"Paris"}}},{"toolUse":{"toolUseId":"t2","name":"lookup","input":{}}}]""", "tool_use"), options, Nova);
        Assert.That(alsoCalled.FinishReason, Is.EqualTo(ChatFinishReason.ToolCalls), "a function call beside the answer is still a call to make");

        var withTools = await SentAsync([new ChatMessage(ChatRole.User, "Where?")], new ChatOptions { ResponseFormat = options.ResponseFormat, Tools = [Tool("lookup")] }, Nova);
        AssertJson(withTools["toolConfig"]!["toolChoice"], """{"any":{}}""");

        var forced = await SentAsync([new ChatMessage(ChatRole.User, "Where?")], options, Claude, o => o.StructuredOutput = BedrockStructuredOutputMode.Tool);
        Assert.That(forced["outputConfig"], Is.Null);
    }

    [TestCase("google.gemma-3-27b-it", true)]
    [TestCase("google.gemma-3-4b-it", true)]
    [TestCase("moonshot.kimi-k2-thinking", true)]
    [TestCase("moonshotai.kimi-k2.5", true)]
    [TestCase("us.anthropic.claude-sonnet-4-5-20250929-v1:0", true)]
    [TestCase("global.anthropic.claude-haiku-4-5-20251001-v1:0", true)]
    [TestCase("us.anthropic.claude-sonnet-4-6", true)]
    [TestCase("anthropic.claude-opus-5", true)]
    [TestCase("qwen.qwen3-32b-v1:0", true)]
    [TestCase("anthropic.claude-3-5-sonnet-20241022-v2:0", false)]
    [TestCase("us.anthropic.claude-3-5-haiku-20241022-v1:0", false)]
    [TestCase("us.anthropic.claude-sonnet-4-20250514-v1:0", false)]
    [TestCase(Nova, false)]
    [TestCase(Llama, false)]
    [TestCase("mistral.mistral-large-2407-v1:0", false)]
    public async Task Auto_structured_output_is_native_for_the_documented_families_and_a_tool_for_the_rest(string model, bool native)
    {
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}}}""").RootElement.Clone();
        var sent = await SentAsync([new ChatMessage(ChatRole.User, "Where?")], new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "City") }, model);
        if (native)
        {
            Assert.That((string?)sent["outputConfig"]?["textFormat"]?["type"], Is.EqualTo("json_schema"));
            Assert.That(sent["toolConfig"], Is.Null);
        }
        else
        {
            Assert.That(sent["outputConfig"], Is.Null);
            AssertJson(sent["toolConfig"]!["toolChoice"], """{"tool":{"name":"City"}}""");
        }
    }

    [Test]
    public async Task A_whitespace_text_block_stays_in_a_message_with_other_content()
    {
        var sent = await SentAsync(
        [
            new ChatMessage(ChatRole.User, [new TextContent("Part one"), new TextContent("\n\n"), new BedrockCachePointContent(), new TextContent("Part two")]),
            new ChatMessage(ChatRole.Assistant, [new TextContent(" "), new FunctionCallContent("c1", "lookup", new Dictionary<string, object?>())]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", "found")]),
        ], new ChatOptions { Tools = [Tool("lookup")] });
        AssertJson(sent["messages"], """
            [{"role":"user","content":[{"text":"Part one"},{"text":"\n\n"},{"cachePoint":{"type":"default"}},{"text":"Part two"}]},
             {"role":"assistant","content":[{"text":" "},{"toolUse":{"toolUseId":"c1","name":"lookup","input":{}}}]},
             {"role":"user","content":[{"toolResult":{"toolUseId":"c1","content":[{"text":"found"}],"status":"success"}}]}]
            """);
    }

    [Test]
    public async Task A_message_that_is_otherwise_blank_loses_its_blank_text()
    {
        var sent = await SentAsync(
        [
            new ChatMessage(ChatRole.User, "Hi"),
            new ChatMessage(ChatRole.Assistant, [new TextContent("  "), new TextContent("\n")]),
            new ChatMessage(ChatRole.User, [new TextContent(" "), new BedrockCachePointContent()]),
            new ChatMessage(ChatRole.User, [new TextContent(string.Empty), new TextContent("Again")]),
            new ChatMessage(ChatRole.Assistant, [new TextContent("Done."), new TextContent("  ")]),
        ]);
        AssertJson(sent["messages"], """
            [{"role":"user","content":[{"text":"Hi"},{"cachePoint":{"type":"default"}},{"text":"Again"}]},
             {"role":"assistant","content":[{"text":"Done."}]}]
            """);
    }

    [Test]
    public async Task Bedrock_fields_pass_through_from_AdditionalProperties()
    {
        var sent = await SentAsync([new ChatMessage(ChatRole.User, "Hi")], new ChatOptions
        {
            AdditionalProperties = new()
            {
                ["guardrailConfig"] = JsonNode.Parse("""{"guardrailIdentifier":"gr1","guardrailVersion":"2","trace":"enabled"}"""),
                ["performanceConfig"] = "optimized",
                ["serviceTier"] = "flex",
                ["requestMetadata"] = new Dictionary<string, string> { ["team"] = "search" },
                ["additionalModelResponseFieldPaths"] = new[] { "/stop_sequence" },
                ["additionalModelRequestFields"] = """{"anthropic_beta":["x"]}""",
            },
        });
        AssertJson(sent, """
            {"messages":[{"role":"user","content":[{"text":"Hi"}]}],
             "guardrailConfig":{"guardrailIdentifier":"gr1","guardrailVersion":"2","trace":"enabled"},
             "performanceConfig":{"latency":"optimized"},"serviceTier":{"type":"flex"},"requestMetadata":{"team":"search"},
             "additionalModelResponseFieldPaths":["/stop_sequence"],"additionalModelRequestFields":{"anthropic_beta":["x"]}}
            """);
    }

    [Test]
    public async Task The_native_request_from_RawRepresentationFactory_wins_and_ours_fills_the_rest()
    {
        var sent = await SentAsync([new ChatMessage(ChatRole.User, "Hi")], new ChatOptions
        {
            Temperature = 0.2f,
            MaxOutputTokens = 50,
            Instructions = "Be kind.",
            RawRepresentationFactory = _ => JsonNode.Parse("""
                {"inferenceConfig":{"temperature":0.9},"system":[{"text":"From raw."}],
                 "guardrailConfig":{"guardrailIdentifier":"raw","guardrailVersion":"1"},"promptVariables":{"x":{"text":"y"}}}
                """),
        });
        AssertJson(sent, """
            {"inferenceConfig":{"temperature":0.9,"maxTokens":50},"system":[{"text":"From raw."},{"text":"Be kind."}],
             "guardrailConfig":{"guardrailIdentifier":"raw","guardrailVersion":"1"},"promptVariables":{"x":{"text":"y"}},
             "messages":[{"role":"user","content":[{"text":"Hi"}]}]}
            """);
    }

    [Test]
    public async Task Unknown_blocks_round_trip_through_RawRepresentation()
    {
        var block = JsonNode.Parse("""{"guardContent":{"text":{"text":"check me"}}}""")!.AsObject();
        var sent = await SentAsync([new ChatMessage(ChatRole.User, [new AIContent { RawRepresentation = block }, new TextContent("Hi")])]);
        AssertJson(sent["messages"]![0]!["content"], """[{"guardContent":{"text":{"text":"check me"}}},{"text":"Hi"}]""");
    }

    [Test]
    public async Task A_per_call_model_id_is_the_path()
    {
        await using var server = await ModelRegistry.Testing.ReplayServer.StartAsync();
        server.Enqueue(Ok());
        using var client = TestClients.Chat(server, Claude);
        await client.GetResponseAsync("Hi", new ChatOptions { ModelId = "eu.amazon.nova-pro-v1:0" });
        Assert.That(server.Requests[0].PathAndQuery, Is.EqualTo("/model/eu.amazon.nova-pro-v1%3A0/converse"));
    }

    internal static AIFunctionDeclaration Tool(string name) =>
        new WireToMeai.DeclaredTool(name, null, JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement.Clone(), null);
}
