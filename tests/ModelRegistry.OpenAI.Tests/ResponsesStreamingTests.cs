using Microsoft.Extensions.AI;
using ModelRegistry.Providers;
using ModelRegistry.Testing;
using static ModelRegistry.OpenAI.Tests.OpenAITestKit;

namespace ModelRegistry.OpenAI.Tests;

/// <summary>Responses API event streams: deltas, items delivered whole when done, the final event, and errors.</summary>
public sealed class ResponsesStreamingTests
{
    private const string Created = """{"type":"response.created","sequence_number":0,"response":{"id":"resp_S1","object":"response","created_at":1764296393,"status":"in_progress","model":"gpt-5-mini-2025-08-07","store":true,"output":[]}}""";

    private static string Completed(string output, string status = "completed", string extra = "") =>
        $$$"""{"type":"response.{{{status}}}","sequence_number":99,"response":{"id":"resp_S1","object":"response","created_at":1764296393,"status":"{{{status}}}","model":"gpt-5-mini-2025-08-07","store":true,"output":{{{output}}},"usage":{"input_tokens":9,"input_tokens_details":{"cached_tokens":4},"output_tokens":3,"output_tokens_details":{"reasoning_tokens":1},"total_tokens":12}{{{extra}}}}}""";

    private static async Task<(List<ChatResponseUpdate> Updates, ReceivedRequest Request)> StreamAsync(ScriptedResponse stream)
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(stream);
        using var client = ChatClient(server, "gpt-5-mini", ResponsesOptions(server));
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("hi"))
        {
            updates.Add(update);
        }

        return (updates, server.Requests.Single());
    }

    [Test]
    public async Task Text_streams_as_deltas_and_the_last_event_brings_usage_finish_and_conversation()
    {
        var (updates, request) = await StreamAsync(ResponsesStream(
            Created,
            """{"type":"response.output_item.added","output_index":0,"item":{"type":"message","id":"msg_S1","status":"in_progress","role":"assistant","phase":"final_answer","content":[]}}""",
            """{"type":"response.output_text.delta","item_id":"msg_S1","output_index":0,"content_index":0,"delta":"Hel"}""",
            """{"type":"response.output_text.delta","item_id":"msg_S1","output_index":0,"content_index":0,"delta":"lo!"}""",
            """{"type":"response.output_item.done","output_index":0,"item":{"type":"message","id":"msg_S1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hello!","annotations":[]}]}}""",
            Completed("""[{"type":"message","id":"msg_S1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hello!","annotations":[]}]}]""")));

        var response = updates.ToChatResponse();
        Assert.Multiple(() =>
        {
            Assert.That(request.Header("accept"), Is.EqualTo("text/event-stream"));
            Assert.That(request.Json!["stream"]!.GetValue<bool>(), Is.True);
            Assert.That(updates.Where(u => u.Text.Length > 0).Select(u => u.Text), Is.EqualTo(new[] { "Hel", "lo!" }), "deltas as they come");
            Assert.That(response.Text, Is.EqualTo("Hello!"));
            Assert.That(response.ResponseId, Is.EqualTo("resp_S1"));
            Assert.That(response.ConversationId, Is.EqualTo("resp_S1"));
            Assert.That(response.Messages.Single().MessageId, Is.EqualTo("msg_S1"));
            Assert.That(response.Messages.Single().AdditionalProperties?[OpenAIProperties.Phase], Is.EqualTo("final_answer"), "on the message, to be sent back with it");
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
            Assert.That(response.Usage!.InputTokenCount, Is.EqualTo(9));
            Assert.That(response.Usage.CachedInputTokenCount, Is.EqualTo(4));
            Assert.That(response.Usage.ReasoningTokenCount, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Calls_and_encrypted_reasoning_arrive_whole_when_their_items_are_done()
    {
        const string Reasoning = """{"type":"reasoning","id":"rs_S1","encrypted_content":"enc-S1","summary":[{"type":"summary_text","text":"Look it up."}]}""";
        var (updates, _) = await StreamAsync(ResponsesStream(
            Created,
            """{"type":"response.output_item.added","output_index":0,"item":{"type":"reasoning","id":"rs_S1","summary":[]}}""",
            """{"type":"response.reasoning_summary_text.delta","item_id":"rs_S1","output_index":0,"summary_index":0,"delta":"Look it up."}""",
            $$"""{"type":"response.output_item.done","output_index":0,"item":{{Reasoning}}}""",
            """{"type":"response.output_item.added","output_index":1,"item":{"type":"function_call","id":"fc_S1","call_id":"call_S1","name":"get_weather","arguments":"","status":"in_progress"}}""",
            """{"type":"response.function_call_arguments.delta","item_id":"fc_S1","output_index":1,"delta":"{\"city\":"}""",
            """{"type":"response.function_call_arguments.delta","item_id":"fc_S1","output_index":1,"delta":"\"Paris\"}"}""",
            """{"type":"response.function_call_arguments.done","item_id":"fc_S1","output_index":1,"arguments":"{\"city\":\"Paris\"}"}""",
            """{"type":"response.output_item.done","output_index":1,"item":{"type":"function_call","id":"fc_S1","call_id":"call_S1","name":"get_weather","arguments":"{\"city\":\"Paris\"}","status":"completed"}}""",
            Completed($$"""[{{Reasoning}},{"type":"function_call","id":"fc_S1","call_id":"call_S1","name":"get_weather","arguments":"{\"city\":\"Paris\"}","status":"completed"}]""")));

        var contents = updates.SelectMany(u => u.Contents).ToList();
        var call = contents.OfType<FunctionCallContent>().Single();
        Assert.Multiple(() =>
        {
            Assert.That(string.Concat(contents.OfType<TextReasoningContent>().Select(r => r.Text)), Is.EqualTo("Look it up."));
            Assert.That(contents.OfType<TextReasoningContent>().Single(r => r.ProtectedData is not null).AdditionalProperties?[OpenAIProperties.ItemId], Is.EqualTo("rs_S1"));
            Assert.That(contents.OfType<TextReasoningContent>().Select(r => r.ProtectedData).OfType<string>(), Is.EqualTo(new[] { "enc-S1" }));
            Assert.That(call.CallId, Is.EqualTo("call_S1"));
            Assert.That(call.AdditionalProperties?[OpenAIProperties.ItemId], Is.EqualTo("fc_S1"));
            Assert.That(call.Arguments?["city"]?.ToString(), Is.EqualTo("Paris"));
            Assert.That(updates.ToChatResponse().FinishReason, Is.EqualTo(ChatFinishReason.ToolCalls));
        });
    }

    [Test]
    public async Task An_incomplete_stream_finishes_with_length()
    {
        var (updates, _) = await StreamAsync(ResponsesStream(
            Created,
            """{"type":"response.output_text.delta","item_id":"msg_S1","output_index":0,"content_index":0,"delta":"Once upon"}""",
            Completed("[]", status: "incomplete", extra: ""","incomplete_details":{"reason":"max_output_tokens"}""")));
        Assert.That(updates.ToChatResponse().FinishReason, Is.EqualTo(ChatFinishReason.Length));
    }

    [Test]
    public void An_error_event_a_failed_response_and_a_cut_stream_are_the_providers_errors()
    {
        var error = Assert.ThrowsAsync<ModelProviderException>(() => StreamAsync(ResponsesStream(
            Created, """{"type":"error","code":"rate_limit_exceeded","message":"Slow down.","param":null,"sequence_number":1}""")));
        var failed = Assert.ThrowsAsync<ModelProviderException>(() => StreamAsync(ResponsesStream(
            Created, Completed("[]", status: "failed", extra: ""","error":{"code":"server_error","message":"The model failed."}"""))));
        var cut = Assert.ThrowsAsync<ModelProviderException>(() => StreamAsync(ResponsesStream(
            Created, """{"type":"response.output_text.delta","item_id":"msg_S1","output_index":0,"content_index":0,"delta":"Hel"}""")));
        Assert.Multiple(() =>
        {
            Assert.That(error!.ErrorCode, Is.EqualTo("rate_limit_exceeded"));
            Assert.That(error.Message, Does.Contain("Slow down."));
            Assert.That(failed!.ErrorCode, Is.EqualTo("server_error"));
            Assert.That(failed.Message, Does.Contain("The model failed."));
            Assert.That(cut!.ErrorCode, Is.EqualTo(ProviderErrorCodes.ResponseTruncated));
        });
    }
}
