using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Testing;
using static ModelRegistry.OpenAI.Tests.OpenAITestKit;

namespace ModelRegistry.OpenAI.Tests;

/// <summary>How Responses API answers map to MEAI: text with citations, calls, reasoning, hosted tools, usage, finish reasons, conversation state and failures.</summary>
public sealed class ResponsesResponseMappingTests
{
    private static async Task<(ChatResponse Response, ReplayServer Server)> AnswerAsync(ScriptedResponse answer, ChatOptions? options = null, params ScriptedResponse[] more)
    {
        var server = await ReplayServer.StartAsync();
        server.Enqueue(answer);
        foreach (var next in more)
        {
            server.Enqueue(next);
        }

        using var client = ChatClient(server, "gpt-5-mini", ResponsesOptions(server));
        return (await client.GetResponseAsync("hi", options), server);
    }

    [Test]
    public async Task Text_with_citations_usage_phase_and_the_stored_response_as_conversation()
    {
        var (response, server) = await AnswerAsync(ResponsesBody(
            output: """
                [{"type":"message","id":"msg_1","status":"completed","role":"assistant","phase":"final_answer",
                  "content":[{"type":"output_text","text":"See the docs.","annotations":[
                    {"type":"url_citation","url":"https://example.com/docs","title":"Docs","start_index":4,"end_index":12}]}]}]
                """,
            usage: """{"input_tokens":100,"input_tokens_details":{"cached_tokens":60,"cache_write_tokens":30},"output_tokens":20,"output_tokens_details":{"reasoning_tokens":8},"total_tokens":120}"""));
        await using var _ = server;
        var message = response.Messages.Single();
        var citation = (CitationAnnotation)message.Contents.OfType<TextContent>().Single().Annotations!.Single();
        Assert.Multiple(() =>
        {
            Assert.That(response.Text, Is.EqualTo("See the docs."));
            Assert.That(response.ResponseId, Is.EqualTo("resp_Test0001"));
            Assert.That(response.ConversationId, Is.EqualTo("resp_Test0001"), "a stored response continues with previous_response_id");
            Assert.That(response.ModelId, Is.EqualTo("gpt-5-mini-2025-08-07"));
            Assert.That(response.CreatedAt, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(1764257531)));
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
            Assert.That(message.MessageId, Is.EqualTo("msg_1"));
            Assert.That(message.AdditionalProperties?[OpenAIProperties.Phase], Is.EqualTo("final_answer"));
            Assert.That(citation.Url, Is.EqualTo(new Uri("https://example.com/docs")));
            Assert.That(citation.Title, Is.EqualTo("Docs"));
            Assert.That(((TextSpanAnnotatedRegion)citation.AnnotatedRegions!.Single()).StartIndex, Is.EqualTo(4));
            Assert.That(response.Usage!.InputTokenCount, Is.EqualTo(100));
            Assert.That(response.Usage.CachedInputTokenCount, Is.EqualTo(60));
            Assert.That(response.Usage.AdditionalCounts?[RegistryProperties.CacheWriteInputTokens], Is.EqualTo(30));
            Assert.That(response.Usage.ReasoningTokenCount, Is.EqualTo(8));
            Assert.That(response.Usage.TotalTokenCount, Is.EqualTo(120));
        });
    }

    [Test]
    public async Task Calls_and_encrypted_reasoning_keep_their_item_ids_and_go_back_as_they_came()
    {
        const string Output = """
            [{"type":"reasoning","id":"rs_1","encrypted_content":"enc-1","summary":[{"type":"summary_text","text":"Need the weather."}]},
             {"type":"function_call","id":"fc_1","call_id":"call_1","name":"get_weather","arguments":"{\"city\":\"Paris\"}","status":"completed"}]
            """;
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ResponsesBody(output: Output));
        server.Enqueue(ResponsesBody());
        using var client = ChatClient(server, "gpt-5-mini", ResponsesOptions(server));
        var response = await client.GetResponseAsync("Weather in Paris?", new ChatOptions { AdditionalProperties = new() { [OpenAIProperties.Store] = false } });

        var reasoning = response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().Single();
        var call = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single();
        Assert.Multiple(() =>
        {
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.ToolCalls));
            Assert.That(response.ConversationId, Is.EqualTo("resp_Test0001"), "the body says store: true, which is what the server did");
            Assert.That(reasoning.Text, Is.EqualTo("Need the weather."));
            Assert.That(reasoning.ProtectedData, Is.EqualTo("enc-1"));
            Assert.That(reasoning.AdditionalProperties?[RegistryProperties.Origin], Is.EqualTo("openai"));
            Assert.That(call.CallId, Is.EqualTo("call_1"));
            Assert.That(call.Arguments?["city"]?.ToString(), Is.EqualTo("Paris"));
        });

        await client.GetResponseAsync([new(ChatRole.User, "Weather in Paris?"), .. response.Messages, new(ChatRole.Tool, [new FunctionResultContent("call_1", "sunny")])]);
        AssertJson(server.Requests[1].Json!["input"], """
            [{"role":"user","content":"Weather in Paris?"},
             {"type":"reasoning","id":"rs_1","encrypted_content":"enc-1","summary":[{"type":"summary_text","text":"Need the weather."}]},
             {"type":"function_call","id":"fc_1","call_id":"call_1","name":"get_weather","arguments":"{\"city\":\"Paris\"}"},
             {"type":"function_call_output","call_id":"call_1","output":"sunny"}]
            """);
    }

    [Test]
    public async Task Reasoning_output_none_drops_the_text_but_keeps_the_encrypted_content_for_the_round_trip()
    {
        var (response, server) = await AnswerAsync(
            ResponsesBody(output: """[{"type":"reasoning","id":"rs_1","encrypted_content":"enc-1","summary":[{"type":"summary_text","text":"secret thoughts"}]}]"""),
            new ChatOptions { Reasoning = new ReasoningOptions { Output = ReasoningOutput.None } });
        await using var _ = server;
        var reasoning = response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().Single();
        Assert.Multiple(() =>
        {
            Assert.That(reasoning.Text, Is.Empty);
            Assert.That(reasoning.ProtectedData, Is.EqualTo("enc-1"));
        });
    }

    [TestCase(null, "resp_NoStore")]
    [TestCase(false, null)]
    public async Task When_the_body_does_not_say_the_request_decides_whether_the_response_is_stored(bool? store, string? expected)
    {
        var body = ScriptedResponse.Json("""{"id":"resp_NoStore","object":"response","created_at":1764257531,"status":"completed","model":"openai.gpt-oss-120b","output":[]}""");
        var raw = new ChatOptions { RawRepresentationFactory = _ => store is null ? new JsonObject() : new JsonObject { ["store"] = store } };
        var properties = new ChatOptions { AdditionalProperties = store is null ? null : new() { [OpenAIProperties.Store] = store } };
        var (viaRaw, server) = await AnswerAsync(body, raw);
        await using var _ = server;
        var (viaProperties, other) = await AnswerAsync(body, properties);
        await using var __ = other;
        Assert.Multiple(() =>
        {
            Assert.That(viaRaw.ConversationId, Is.EqualTo(expected));
            Assert.That(viaProperties.ConversationId, Is.EqualTo(expected));
        });
    }

    [TestCase(""","store":false""", null, null)]
    [TestCase("", "conv_abc", "conv_abc")]
    public async Task ConversationId_is_null_when_nothing_is_stored_and_the_conversation_when_one_was_named(string extra, string? conversation, string? expected)
    {
        var (response, server) = await AnswerAsync(ResponsesBody(extra: extra), new ChatOptions { ConversationId = conversation });
        await using var _ = server;
        Assert.That(response.ConversationId, Is.EqualTo(expected));
    }

    [TestCase("max_output_tokens", "length")]
    [TestCase("content_filter", "content_filter")]
    public async Task An_incomplete_response_finishes_for_its_reason(string reason, string finish)
    {
        var (response, server) = await AnswerAsync(ResponsesBody(status: "incomplete", extra: $$""","incomplete_details":{"reason":"{{reason}}"}"""));
        await using var _ = server;
        Assert.That(response.FinishReason?.Value, Is.EqualTo(finish));
    }

    [Test]
    public async Task A_refusal_is_reported_in_additional_properties()
    {
        var (response, server) = await AnswerAsync(ResponsesBody(output: """
            [{"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"refusal","refusal":"I can't help with that."}]}]
            """));
        await using var _ = server;
        Assert.That(response.AdditionalProperties?[OpenAIProperties.Refusal], Is.EqualTo("I can't help with that."));
    }

    [Test]
    public async Task Hosted_tool_items_map_to_meai_contents_and_go_back_as_items()
    {
        const string Output = """
            [{"type":"web_search_call","id":"ws_1","status":"completed","action":{"type":"search","query":"weather paris"}},
             {"type":"code_interpreter_call","id":"ci_1","status":"completed","container_id":"cntr_1","code":"print(1+1)","outputs":[{"type":"logs","logs":"2\n"}]},
             {"type":"mcp_call","id":"mcp_1","name":"ask_question","server_label":"deepwiki","arguments":"{\"q\":\"why\"}","output":"because"},
             {"type":"image_generation_call","id":"ig_1","status":"completed","result":"AQID","output_format":"png"},
             {"type":"file_search_call","id":"fs_1","status":"completed","queries":["q"]},
             {"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Done.","annotations":[]}]}]
            """;
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ResponsesBody(output: Output));
        server.Enqueue(ResponsesBody());
        using var client = ChatClient(server, "gpt-5-mini", ResponsesOptions(server));
        var response = await client.GetResponseAsync("go");
        var contents = response.Messages.SelectMany(m => m.Contents).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(contents.OfType<WebSearchToolCallContent>().Single().Queries, Is.EqualTo(new[] { "weather paris" }));
            Assert.That(contents.OfType<CodeInterpreterToolCallContent>().Single().Inputs!.OfType<DataContent>().Single().Data.ToArray(), Is.EqualTo("print(1+1)"u8.ToArray()));
            Assert.That(contents.OfType<CodeInterpreterToolResultContent>().Single().Outputs!.OfType<TextContent>().Single().Text, Is.EqualTo("2\n"));
            Assert.That(contents.OfType<McpServerToolCallContent>().Single().ServerName, Is.EqualTo("deepwiki"));
            Assert.That(contents.OfType<McpServerToolResultContent>().Single().Outputs!.OfType<TextContent>().Single().Text, Is.EqualTo("because"));
            Assert.That(contents.OfType<ImageGenerationToolResultContent>().Single().Outputs!.OfType<DataContent>().Single().Data.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3 }));
            Assert.That(contents.Single(c => c.GetType() == typeof(AIContent)).RawRepresentation, Is.Not.Null, "an item the client does not map is kept");
            Assert.That(contents.Where(c => c is not TextContent).Select(c => c.AdditionalProperties?[RegistryProperties.Origin]), Is.All.EqualTo("openai"));
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop), "hosted tools ran on the server: nothing for the caller to call");
        });

        await client.GetResponseAsync([new(ChatRole.User, "go"), .. response.Messages, new(ChatRole.User, "again")]);
        var input = server.Requests[1].Json!["input"]!.AsArray();
        Assert.That(input.Select(i => i!["type"]?.GetValue<string>()), Is.EqualTo(new[]
        {
            null, "web_search_call", "code_interpreter_call", "mcp_call", "image_generation_call", "file_search_call", "message", null,
        }), input.ToJsonString());
        AssertJson(input[3], JsonNode.Parse(Output)![2]!.ToJsonString());
    }

    [Test]
    public async Task A_failed_response_and_an_error_body_are_the_providers_errors()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ResponsesBody(status: "failed", extra: ""","error":{"code":"server_error","message":"The model failed."}"""));
        server.Enqueue(ScriptedResponse.Json("""{"error":{"message":"Invalid 'input[0]'.","type":"invalid_request_error","param":"input","code":"invalid_value"}}""", 400));
        using var client = ChatClient(server, "gpt-5-mini", ResponsesOptions(server));

        var failed = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("hi"));
        var invalid = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("hi"));
        Assert.Multiple(() =>
        {
            Assert.That(failed!.ErrorCode, Is.EqualTo("server_error"));
            Assert.That(failed.Message, Does.Contain("The model failed."));
            Assert.That(invalid!.StatusCode, Is.EqualTo(400));
            Assert.That(invalid.ErrorCode, Is.EqualTo("invalid_value"));
            Assert.That(invalid.Message, Does.Contain("(param: input)").And.Not.Contain(ApiKey));
        });
    }
}
