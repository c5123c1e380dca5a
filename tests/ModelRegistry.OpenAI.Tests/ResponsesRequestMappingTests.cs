using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Testing;
using static ModelRegistry.OpenAI.Tests.OpenAITestKit;

namespace ModelRegistry.OpenAI.Tests;

/// <summary>What the client sends to the Responses API (<c>api: responses</c>): input items, options, tools, reasoning and conversation state.</summary>
public sealed class ResponsesRequestMappingTests
{
    private static async Task<JsonObject> SendAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, string model = "gpt-5-mini")
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ResponsesBody());
        using var client = ChatClient(server, model, ResponsesOptions(server));
        await client.GetResponseAsync(messages, options);
        Assert.That(server.Requests[0].PathAndQuery, Is.EqualTo("/v1/responses"));
        return SingleRequest(server);
    }

    private static T Marked<T>(T content, string? itemId = null, string origin = "openai")
        where T : AIContent
    {
        content.AdditionalProperties ??= [];
        content.AdditionalProperties[RegistryProperties.Origin] = origin;
        if (itemId is not null)
        {
            content.AdditionalProperties[OpenAIProperties.ItemId] = itemId;
        }

        return content;
    }

    [Test]
    public async Task Messages_become_input_items_with_ids_phase_and_encrypted_reasoning_sent_back()
    {
        var call = new FunctionCallContent("call_1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" });
        call.AdditionalProperties = new() { [OpenAIProperties.ItemId] = "fc_1" };
        var body = await SendAsync(
        [
            new(ChatRole.System, "Be brief."),
            new(new ChatRole("developer"), "Answer in French."),
            new(ChatRole.User, "Weather in Paris?"),
            new(ChatRole.Assistant, [Marked(new TextReasoningContent("Thinking about Paris.") { ProtectedData = "enc-1" }, "rs_1"), call]),
            new(ChatRole.Tool, [new FunctionResultContent("call_1", "sunny")]),
            new(ChatRole.Assistant,
            [
                Marked(new TextReasoningContent("plain reasoning without its encrypted content")),
                Marked(new TextReasoningContent("another provider's") { ProtectedData = "sig" }, origin: "anthropic"),
                new TextContent("Il fait "),
                new TextContent("beau."),
            ])
            {
                MessageId = "msg_1",
                AdditionalProperties = new() { [OpenAIProperties.Phase] = "final_answer" },
            },
            new(ChatRole.Assistant, "From another provider") { MessageId = "chatcmpl-1" },
        ], new ChatOptions { Instructions = "You are a weather bot." });

        Assert.That(body["instructions"]!.GetValue<string>(), Is.EqualTo("You are a weather bot."));
        Assert.That(body["stream"]!.GetValue<bool>(), Is.False);
        AssertJson(body["input"], """
            [
              {"role":"system","content":"Be brief."},
              {"role":"developer","content":"Answer in French."},
              {"role":"user","content":"Weather in Paris?"},
              {"type":"reasoning","id":"rs_1","encrypted_content":"enc-1","summary":[{"type":"summary_text","text":"Thinking about Paris."}]},
              {"type":"function_call","id":"fc_1","call_id":"call_1","name":"get_weather","arguments":"{\"city\":\"Paris\"}"},
              {"type":"function_call_output","call_id":"call_1","output":"sunny"},
              {"type":"message","role":"assistant","id":"msg_1","status":"completed","phase":"final_answer",
               "content":[{"type":"output_text","text":"Il fait beau.","annotations":[]}]},
              {"type":"message","role":"assistant","content":[{"type":"output_text","text":"From another provider","annotations":[]}]}
            ]
            """);
    }

    [Test]
    public async Task User_parts_map_to_input_text_image_and_file()
    {
        var image = new DataContent(new byte[] { 1, 2, 3 }, "image/png") { AdditionalProperties = new() { [OpenAIProperties.ImageDetail] = "low" } };
        var body = await SendAsync(
        [
            new(ChatRole.User,
            [
                new TextContent("Look:"),
                image,
                new UriContent("https://example.com/cat.jpg", "image/jpeg"),
                new DataContent(new byte[] { 37, 80, 68, 70 }, "application/pdf") { Name = "report.pdf" },
                new UriContent("https://example.com/report.pdf", "application/pdf"),
                new DataContent("hello"u8.ToArray(), "text/plain"),
                new HostedFileContent("file-abc"),
            ]),
        ]);

        AssertJson(body["input"], """
            [{"role":"user","content":[
              {"type":"input_text","text":"Look:"},
              {"type":"input_image","image_url":"data:image/png;base64,AQID","detail":"low"},
              {"type":"input_image","image_url":"https://example.com/cat.jpg"},
              {"type":"input_file","filename":"report.pdf","file_data":"data:application/pdf;base64,JVBERg=="},
              {"type":"input_file","file_url":"https://example.com/report.pdf"},
              {"type":"input_text","text":"hello"},
              {"type":"input_file","file_id":"file-abc"}
            ]}]
            """);
    }

    [Test]
    public async Task Options_tools_format_and_reasoning_are_written_in_the_responses_shape()
    {
        var schema = JsonElement.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}""");
        var body = await SendAsync([new(ChatRole.User, "hi")], new ChatOptions
        {
            Temperature = 0.5f,
            TopP = 0.9f,
            MaxOutputTokens = 300,
            ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "City", "A city"),
            Tools = [AIFunctionFactory.Create((string city) => city, "get_weather", "Weather of a city")],
            ToolMode = ChatToolMode.RequireSpecific("get_weather"),
            AllowMultipleToolCalls = false,
            Reasoning = new ReasoningOptions { Effort = ReasoningEffort.High, Output = ReasoningOutput.Summary },
            AdditionalProperties = new()
            {
                [OpenAIProperties.Strict] = true,
                [OpenAIProperties.Store] = false,
                [OpenAIProperties.Include] = new[] { "reasoning.encrypted_content" },
                [OpenAIProperties.PromptCacheKey] = "tenant-1",
                [OpenAIProperties.ServiceTier] = "flex",
                [OpenAIProperties.Metadata] = new Dictionary<string, string> { ["run"] = "7" },
                [OpenAIProperties.TopLogprobs] = 2,
                [OpenAIProperties.Verbosity] = "low",
                ["not_a_field"] = "left out",
            },
        });

        body.Remove("input");
        AssertJson(body, """
            {"model":"gpt-5-mini","stream":false,"temperature":0.5,"top_p":0.9,"max_output_tokens":300,
             "text":{"format":{"type":"json_schema","name":"City","description":"A city",
                               "schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false},"strict":true},
                     "verbosity":"low"},
             "tools":[{"type":"function","name":"get_weather","description":"Weather of a city",
                       "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},"strict":true}],
             "tool_choice":{"type":"function","name":"get_weather"},
             "parallel_tool_calls":false,
             "reasoning":{"effort":"high","summary":"auto"},
             "store":false,"include":["reasoning.encrypted_content"],"prompt_cache_key":"tenant-1","service_tier":"flex",
             "metadata":{"run":"7"},"top_logprobs":2}
            """);
    }

    [Test]
    public async Task Reasoning_options_are_left_out_for_a_model_that_does_not_reason_unless_given_as_properties()
    {
        var body = await SendAsync([new(ChatRole.User, "hi")], new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low } }, model: "gpt-4.1-mini");
        Assert.That(body.ContainsKey("reasoning"), Is.False);

        body = await SendAsync([new(ChatRole.User, "hi")], new ChatOptions
        {
            AdditionalProperties = new() { [OpenAIProperties.ReasoningEffort] = "minimal", [OpenAIProperties.ReasoningSummary] = "concise" },
        }, model: "gpt-4.1-mini");
        AssertJson(body["reasoning"], """{"effort":"minimal","summary":"concise"}""");
    }

    [Test]
    public async Task Hosted_tools_map_to_the_apis_own_tools()
    {
        var body = await SendAsync([new(ChatRole.User, "hi")], new ChatOptions
        {
            Tools =
            [
                new HostedWebSearchTool(new Dictionary<string, object?> { ["search_context_size"] = "low" }),
                new HostedCodeInterpreterTool { Inputs = [new HostedFileContent("file-1")] },
                new HostedFileSearchTool { Inputs = [new HostedVectorStoreContent("vs_1")], MaximumResultCount = 3 },
                new HostedMcpServerTool("deepwiki", "https://mcp.deepwiki.com/mcp")
                {
                    ServerDescription = "Docs",
                    AllowedTools = ["ask_question"],
                    ApprovalMode = HostedMcpServerToolApprovalMode.NeverRequire,
                },
                new HostedImageGenerationTool { Options = new ImageGenerationOptions { MediaType = "image/webp", ImageSize = new System.Drawing.Size(1024, 1024) } },
            ],
            ToolMode = ChatToolMode.Auto,
        });

        AssertJson(body["tools"], """
            [
              {"type":"web_search","search_context_size":"low"},
              {"type":"code_interpreter","container":{"type":"auto","file_ids":["file-1"]}},
              {"type":"file_search","vector_store_ids":["vs_1"],"max_num_results":3},
              {"type":"mcp","server_label":"deepwiki","server_url":"https://mcp.deepwiki.com/mcp","server_description":"Docs",
               "allowed_tools":["ask_question"],"require_approval":"never"},
              {"type":"image_generation","output_format":"webp","size":"1024x1024"}
            ]
            """);
        Assert.That(body["tool_choice"]!.GetValue<string>(), Is.EqualTo("auto"));
    }

    [TestCase("resp_abc123", "previous_response_id")]
    [TestCase("conv_abc123", "conversation")]
    public async Task ConversationId_continues_a_stored_response_or_names_a_conversation(string id, string field)
    {
        var body = await SendAsync([new(ChatRole.User, "and then?")], new ChatOptions { ConversationId = id });
        Assert.Multiple(() =>
        {
            Assert.That(body[field]!.GetValue<string>(), Is.EqualTo(id));
            Assert.That(body.ContainsKey(field == "conversation" ? "previous_response_id" : "conversation"), Is.False);
        });
    }

    [Test]
    public async Task What_the_api_cannot_take_is_refused_before_sending()
    {
        await using var server = await ReplayServer.StartAsync();
        using var client = ChatClient(server, "gpt-5-mini", ResponsesOptions(server));
        var stop = Assert.ThrowsAsync<NotSupportedException>(() => client.GetResponseAsync("hi", new ChatOptions { StopSequences = ["END"] }));
        var seed = Assert.ThrowsAsync<NotSupportedException>(() => client.GetResponseAsync("hi", new ChatOptions { Seed = 1 }));
        var search = Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync("hi", new ChatOptions { Tools = [new HostedFileSearchTool()] }));
        var audio = Assert.ThrowsAsync<NotSupportedException>(() => client.GetResponseAsync([new ChatMessage(ChatRole.User, [new DataContent(new byte[] { 1 }, "audio/wav")])]));
        Assert.Multiple(() =>
        {
            Assert.That(server.Requests, Is.Empty);
            Assert.That(stop!.Message, Does.Contain("StopSequences").And.Contain("chat_completions"));
            Assert.That(seed!.Message, Does.Contain("Seed"));
            Assert.That(search!.Message, Does.Contain("HostedVectorStoreContent"));
            Assert.That(audio!.Message, Does.Contain("audio/wav"));
        });
    }
}
