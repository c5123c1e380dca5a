using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Bedrock.Tests.Support;
using static ModelRegistry.Bedrock.Tests.Support.Fixtures;

namespace ModelRegistry.Bedrock.Tests;

/// <summary>How Converse responses map to MEAI, from our own fixtures.</summary>
public sealed class ConverseResponseTests
{
    [Test]
    public async Task Text_tool_calls_reasoning_usage_and_metrics_map()
    {
        var response = await ResponseAsync(Converse(
            """
            [{"reasoningContent":{"reasoningText":{"text":"Thinking.","signature":"sig1"}}},
             {"reasoningContent":{"redactedContent":"UkVE"}},
             {"text":"Checking. "},
             {"toolUse":{"toolUseId":"tu1","name":"weather","input":{"city":"Paris","days":[1,2]},"type":"tool_use"}}]
            """,
            "tool_use",
            """
            {"inputTokens":13,"outputTokens":5,"totalTokens":1522,"cacheReadInputTokens":1504,"cacheWriteInputTokens":0,
             "cacheReadInputTokenCount":1504,"cacheWriteInputTokenCount":0,"serverToolUsage":{},"cacheDetails":[{"ttl":"5m","inputTokens":1504}]}
            """,
            ""","additionalModelResponseFields":{"stop_sequence":null},"trace":{"guardrail":{}},"performanceConfig":{"latency":"optimized"},"serviceTier":{"type":"flex"}"""));
        var contents = response.Messages.Single().Contents;
        Assert.That(response.Text, Is.EqualTo("Checking. "));
        var reasoning = contents.OfType<TextReasoningContent>().ToList();
        Assert.That(reasoning[0].Text, Is.EqualTo("Thinking."));
        Assert.That(reasoning[0].ProtectedData, Is.EqualTo("sig1"));
        Assert.That(reasoning[1].AdditionalProperties!["redactedContent"], Is.EqualTo("UkVE"));
        Assert.That((reasoning[1].Text, reasoning[1].ProtectedData), Is.EqualTo((string.Empty, "UkVE")), "redacted data is opaque data to send back");
        var call = contents.OfType<FunctionCallContent>().Single();
        Assert.That((call.CallId, call.Name), Is.EqualTo(("tu1", "weather")));
        Assert.That(call.Arguments!["city"]!.ToString(), Is.EqualTo("Paris"));
        Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.ToolCalls));
        // MEAI counts every input token: 13 uncached + 1504 read from the cache.
        Assert.That(response.Usage!.InputTokenCount, Is.EqualTo(1517));
        Assert.That(response.Usage.CachedInputTokenCount, Is.EqualTo(1504));
        Assert.That(response.Usage.OutputTokenCount, Is.EqualTo(5));
        Assert.That(response.Usage.TotalTokenCount, Is.EqualTo(1522));
        Assert.That(response.Usage.AdditionalCounts!["CacheWriteInputTokens"], Is.Zero);
        Assert.That(response.AdditionalProperties!["LatencyMs"], Is.EqualTo(42L));
        Assert.That(response.AdditionalProperties["trace"], Is.InstanceOf<JsonNode>());
        Assert.That(response.AdditionalProperties["performanceConfig"]!.ToString(), Does.Contain("optimized"));
        Assert.That(response.AdditionalProperties["serviceTier"]!.ToString(), Does.Contain("flex"));
        Assert.That(response.Messages[0].AdditionalProperties!["additionalModelResponseFields"], Is.InstanceOf<JsonNode>());
        Assert.That(response.ResponseId, Is.EqualTo("req-123"));
        Assert.That(response.ModelId, Is.EqualTo(Claude));
        Assert.That(response.CreatedAt, Is.EqualTo(TestClients.Clock().GetUtcNow()));
        Assert.That(response.RawRepresentation, Is.InstanceOf<JsonElement>());
    }

    [TestCase("end_turn", "stop")]
    [TestCase("stop_sequence", "stop")]
    [TestCase("max_tokens", "length")]
    [TestCase("model_context_window_exceeded", "length")]
    [TestCase("tool_use", "tool_calls")]
    [TestCase("content_filtered", "content_filter")]
    [TestCase("guardrail_intervened", "content_filter")]
    [TestCase("malformed_model_output", "malformed_model_output")]
    [TestCase("malformed_tool_use", "malformed_tool_use")]
    public async Task Stop_reasons_map(string stopReason, string expected)
    {
        var response = await ResponseAsync(Converse(stopReason: stopReason));
        Assert.That(response.FinishReason?.Value, Is.EqualTo(expected));
        Assert.That(response.AdditionalProperties!["stopReason"], Is.EqualTo(stopReason));
    }

    [Test]
    public async Task Citations_become_annotated_text()
    {
        var response = await ResponseAsync(Converse("""
            [{"citationsContent":{"content":[{"text":"Paris is the capital."}],
              "citations":[{"title":"Atlas","sourceContent":[{"text":"capital: Paris"}],"location":{"web":{"url":"https://example.com/atlas","domain":"example.com"}}}]}}]
            """));
        var text = response.Messages[0].Contents.OfType<TextContent>().Single();
        Assert.That(text.Text, Is.EqualTo("Paris is the capital."));
        var citation = (CitationAnnotation)text.Annotations!.Single();
        Assert.That((citation.Title, citation.Snippet, citation.Url?.AbsoluteUri), Is.EqualTo(("Atlas", "capital: Paris", "https://example.com/atlas")));
    }

    [Test]
    public async Task Server_tool_blocks_are_not_function_calls_and_round_trip()
    {
        var blocks = """
            [{"toolUse":{"toolUseId":"s1","name":"nova_code_interpreter","input":{"snippet":"1+1"},"type":"server_tool_use"}},
             {"toolResult":{"toolUseId":"s1","content":[{"json":{"stdOut":"2"}}],"status":"success","type":"nova_code_interpreter_result"}},
             {"text":"2"}]
            """;
        var response = await ResponseAsync(Converse(blocks));
        var contents = response.Messages[0].Contents;
        Assert.That(contents.OfType<FunctionCallContent>(), Is.Empty, "a server-side call must not be invoked by the caller");
        Assert.That(contents.OfType<CodeInterpreterToolCallContent>().Single().CallId, Is.EqualTo("s1"));
        Assert.That(contents.OfType<CodeInterpreterToolResultContent>().Single().CallId, Is.EqualTo("s1"));

        // The assistant message goes back into the history as Bedrock sent it.
        var sent = await SentAsync([new ChatMessage(ChatRole.User, "1+1?"), response.Messages[0], new ChatMessage(ChatRole.User, "Thanks")], model: Nova);
        AssertJson(sent["messages"]![1]!["content"], blocks);
    }

    [Test]
    public async Task A_response_message_round_trips_into_the_next_request()
    {
        var response = await ResponseAsync(Converse("""
            [{"reasoningContent":{"reasoningText":{"text":"Hmm.","signature":"sig9"}}},{"reasoningContent":{"redactedContent":"UkVE"}},
             {"text":"Calling."},{"toolUse":{"toolUseId":"tu1","name":"weather","input":{"city":"Paris"}}}]
            """, "tool_use"));
        var sent = await SentAsync(
        [
            new ChatMessage(ChatRole.User, "Weather?"),
            response.Messages[0],
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("tu1", "Sunny")]),
        ], new ChatOptions { Tools = [ConverseRequestTests.Tool("weather")] });
        AssertJson(sent["messages"]![1]!["content"], """
            [{"reasoningContent":{"reasoningText":{"text":"Hmm.","signature":"sig9"}}},{"reasoningContent":{"redactedContent":"UkVE"}},
             {"text":"Calling."},{"toolUse":{"toolUseId":"tu1","name":"weather","input":{"city":"Paris"}}}]
            """);
    }

    [Test]
    public async Task Malformed_tool_input_is_reported_on_the_call_without_echoing_it()
    {
        var response = await ResponseAsync(Converse("""[{"toolUse":{"toolUseId":"t","name":"f","input":"secret-user-data"}}]""", "tool_use"));
        var call = response.Messages[0].Contents.OfType<FunctionCallContent>().Single();
        Assert.That(call.Exception, Is.Not.Null);
        Assert.That(call.Exception!.Message, Does.Not.Contain("secret-user-data"));
    }

    [Test]
    public async Task The_client_describes_itself()
    {
        await using var server = await ModelRegistry.Testing.ReplayServer.StartAsync();
        using var client = TestClients.Chat(server, Claude);
        var metadata = client.GetService<ChatClientMetadata>()!;
        Assert.That(metadata.ProviderName, Is.EqualTo("aws.bedrock"));
        Assert.That(metadata.DefaultModelId, Is.EqualTo(Claude));
        Assert.That(server.Requests, Is.Empty, "creating a client does no I/O");
    }
}
