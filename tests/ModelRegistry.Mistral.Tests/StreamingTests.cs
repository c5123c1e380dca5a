using System.Text;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;
using ModelRegistry.Testing;
using static ModelRegistry.Mistral.Tests.MistralTestKit;

namespace ModelRegistry.Mistral.Tests;

/// <summary>Server-sent event streams map to updates with the assistant role, one call per tool call, and usage.</summary>
public sealed class StreamingTests
{
    private static async Task<List<ChatResponseUpdate>> StreamAsync(ScriptedResponse response, ChatOptions? options = null)
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(response);
        using var client = ChatClient(server);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("hi", options))
        {
            updates.Add(update);
        }

        var request = SingleRequest(server);
        Assert.Multiple(() =>
        {
            Assert.That(request["stream"]!.GetValue<bool>(), Is.True);
            Assert.That(server.Requests[0].Header("accept"), Is.EqualTo("text/event-stream"));
            Assert.That(request.ContainsKey("stream_options"), Is.False, "usage arrives without OpenAI's stream_options, which Mistral refuses");
        });
        return updates;
    }

    [Test]
    public async Task Text_deltas_carry_the_assistant_role_on_every_update_and_usage_arrives_last()
    {
        var updates = await StreamAsync(Stream(
        [
            Chunk("""{"role":"assistant","content":""}"""),
            Chunk("""{"content":"84"}"""),
            Chunk("""{"role":null,"content":" is"}"""),
            Chunk("""{"content":" 42+42"}""", finish: "stop", usage: """{"prompt_tokens":10,"total_tokens":15,"completion_tokens":5}"""),
        ]));

        var response = updates.ToChatResponse();
        Assert.Multiple(() =>
        {
            Assert.That(updates, Has.Count.EqualTo(4));
            Assert.That(updates.Select(u => u.Role), Is.All.EqualTo(ChatRole.Assistant));
            Assert.That(updates.Select(u => u.ResponseId), Is.All.EqualTo("c0ffee00c0ffee00c0ffee00c0ffee00"));
            Assert.That(response.Text, Is.EqualTo("84 is 42+42"));
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
            Assert.That(response.Usage!.TotalTokenCount, Is.EqualTo(15));
            Assert.That(updates[^1].Contents.OfType<UsageContent>().Single().Details.InputTokenCount, Is.EqualTo(10));
            Assert.That(response.Messages, Has.Count.EqualTo(1));
            Assert.That(response.ModelId, Is.EqualTo("mistral-small-latest"));
        });
    }

    [Test]
    public async Task Thinking_deltas_become_reasoning_then_text()
    {
        var updates = await StreamAsync(Stream(
        [
            Chunk("""{"role":"assistant","content":[{"type":"thinking","thinking":[{"type":"text","text":"Okay"}]}]}"""),
            Chunk("""{"content":[{"type":"thinking","thinking":[{"type":"text","text":", the user"}]}]}"""),
            Chunk("""{"content":[{"type":"thinking","thinking":[{"type":"text","text":" asks."}],"closed":true},{"type":"text","text":"To"}]}"""),
            Chunk("""{"content":" cross"}""", finish: "stop"),
        ]));

        var message = updates.ToChatResponse().Messages.Single();
        Assert.Multiple(() =>
        {
            Assert.That(string.Concat(message.Contents.OfType<TextReasoningContent>().Select(r => r.Text)), Is.EqualTo("Okay, the user asks."));
            Assert.That(message.Text, Is.EqualTo("To cross"));
        });
    }

    [Test]
    public async Task Whole_parallel_tool_calls_in_one_delta_become_one_call_each()
    {
        var updates = await StreamAsync(Stream(
        [
            Chunk("""{"role":"assistant","content":""}"""),
            Chunk("""{"content":null,"tool_calls":[{"id":"gSIMJiOkT","function":{"name":"weather","arguments":"{\"location\": \"San Francisco\"}"},"index":0},{"id":"D681PevKs","function":{"name":"weather","arguments":"{\"location\": \"Paris\"}"},"index":1}]}""",
                finish: "tool_calls", usage: """{"prompt_tokens":20,"total_tokens":40,"completion_tokens":20}"""),
        ]));

        var calls = updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(calls.Select(c => c.CallId), Is.EqualTo(new[] { "gSIMJiOkT", "D681PevKs" }));
            Assert.That(calls.Select(c => c.Arguments!["location"]!.ToString()), Is.EqualTo(new[] { "San Francisco", "Paris" }));
            Assert.That(updates[^1].FinishReason, Is.EqualTo(ChatFinishReason.ToolCalls));
        });
    }

    [Test]
    public async Task Fragmented_tool_calls_are_gathered_by_index_into_one_call()
    {
        // The OpenAI-style stream third-party models on Mistral send: id and name first, then argument pieces with empty names.
        var updates = await StreamAsync(Stream(
        [
            Chunk("""{"role":"assistant","content":""}"""),
            Chunk("""{"tool_calls":[{"id":"chatcmpl-tool-9f149c74c42f265b","type":"function","function":{"name":"weather","arguments":""},"index":0}]}"""),
            Chunk("""{"tool_calls":[{"function":{"name":"","arguments":"{\"loc"},"index":0}]}"""),
            Chunk("""{"tool_calls":[{"id":"chatcmpl-tool-00000000000000aa","function":{"name":"time","arguments":"{}"},"index":1}]}"""),
            Chunk("""{"tool_calls":[{"function":{"name":"","arguments":"ation\": \"Paris\"}"},"index":0}]}"""),
            Chunk("""{"content":""}""", finish: "tool_calls"),
        ]));

        var calls = updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(calls, Has.Count.EqualTo(2));
            Assert.That(calls[0].CallId, Is.EqualTo("chatcmpl-tool-9f149c74c42f265b"));
            Assert.That(calls[0].Name, Is.EqualTo("weather"));
            Assert.That(calls[0].Arguments!["location"]!.ToString(), Is.EqualTo("Paris"));
            Assert.That(calls[0].Exception, Is.Null);
            Assert.That(calls[1].Name, Is.EqualTo("time"));
            Assert.That(updates.Take(updates.Count - 1).SelectMany(u => u.Contents).OfType<FunctionCallContent>(), Is.Empty, "calls are emitted once complete");
        });
    }

    [Test]
    public async Task Empty_choices_padding_fields_crlf_comments_and_split_network_reads_are_tolerated()
    {
        var text = string.Concat(
            ": keep-alive\r\n\r\n",
            "data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[],\"usage\":null,\"p\":\"abcdefghijklmnopqrstuvwxyz0123456789\"}\r\n\r\n",
            "data: " + Chunk("""{"role":"assistant","content":"Hel"}""") + "\r\n\r\n",
            "data: " + Chunk("""{"content":"lo"}""", finish: "stop") + "\r\n\r\n",
            "data: [DONE]\r\n\r\n");
        var bytes = Encoding.UTF8.GetBytes(text);
        // Cut the body into 7-byte pieces so lines, CRLFs and JSON are split across reads.
        var pieces = bytes.Chunk(7).Select(p => (p, TimeSpan.Zero)).ToList();

        var updates = await StreamAsync(new ScriptedResponse { Headers = [new("Content-Type", "text/event-stream")], Chunks = pieces });

        Assert.Multiple(() =>
        {
            Assert.That(updates.ToChatResponse().Text, Is.EqualTo("Hello"));
            Assert.That(updates, Has.Count.EqualTo(2), "a chunk with no choices and no usage yields nothing");
        });
    }

    [Test]
    public void An_error_object_in_the_middle_of_the_stream_throws_the_typed_exception()
    {
        var error = Assert.ThrowsAsync<ModelProviderException>(() => StreamAsync(Stream(
        [
            Chunk("""{"role":"assistant","content":"Partial"}"""),
            """{"object":"error","message":"Rate limit exceeded","type":"rate_limited","param":null,"code":"1300","raw_status_code":429}""",
        ])));
        Assert.Multiple(() =>
        {
            Assert.That(error!.ErrorCode, Is.EqualTo("1300"));
            Assert.That(error.StatusCode, Is.EqualTo(429), "classified by the error's own status, as the same error over HTTP (the kit's in-band rule)");
            Assert.That(error.Message, Does.Contain("status 429"));
            Assert.That(error.IsRetryable && error.IsThrottling, Is.True, "retryable throttling, like an HTTP 429");
            Assert.That(error.Provider, Is.EqualTo("mistral"));
            Assert.That(error.Message, Does.Contain("Rate limit exceeded"));
        });
    }

    [Test]
    public void An_error_event_throws_the_typed_exception()
    {
        var body = "data: " + Chunk("""{"content":"a"}""") + "\n\nevent: error\ndata: {\"message\":\"boom\",\"code\":3000}\n\n";
        var error = Assert.ThrowsAsync<ModelProviderException>(() => StreamAsync(new ScriptedResponse { Body = Encoding.UTF8.GetBytes(body) }));
        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("boom"));
            Assert.That(error.ErrorCode, Is.EqualTo("3000"));
        });
    }

    [Test]
    public async Task A_stream_that_ends_with_a_finish_reason_but_no_DONE_is_complete()
    {
        var updates = await StreamAsync(Stream([Chunk("""{"role":"assistant","content":"all"}"""), Chunk("""{"content":" here"}""", finish: "stop")], done: false));

        var response = updates.ToChatResponse();
        Assert.Multiple(() =>
        {
            Assert.That(response.Text, Is.EqualTo("all here"));
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
        });
    }

    [Test]
    public void A_stream_that_ends_with_neither_a_finish_reason_nor_DONE_is_truncated_and_retryable()
    {
        var error = Assert.ThrowsAsync<ModelProviderException>(() => StreamAsync(Stream([Chunk("""{"content":"a"}""")], done: false)));
        Assert.Multiple(() =>
        {
            Assert.That(error!.ErrorCode, Is.EqualTo(ProviderErrorCodes.ResponseTruncated));
            Assert.That(error.IsRetryable, Is.True);
            Assert.That(error.InnerException, Is.InstanceOf<EndOfStreamException>());
        });
    }

    [Test]
    public void A_connection_cut_mid_stream_is_a_retryable_connection_failure()
    {
        var first = "data: " + Chunk("""{"content":"a"}""") + "\n\n";
        var body = Encoding.UTF8.GetBytes(first + "data: " + Chunk("""{"content":"b"}""", finish: "stop") + "\n\ndata: [DONE]\n\n");
        var error = Assert.ThrowsAsync<ModelProviderException>(() => StreamAsync(new ScriptedResponse { Body = body, TruncateAfter = first.Length + 10 }));
        Assert.Multiple(() =>
        {
            Assert.That(error!.ErrorCode, Is.EqualTo(ProviderErrorCodes.ConnectionFailed));
            Assert.That(error.IsRetryable, Is.True);
            Assert.That(error.InnerException, Is.InstanceOf<IOException>().Or.InstanceOf<HttpRequestException>());
        });
    }

    [Test]
    public async Task An_empty_finish_reason_is_no_finish_reason()
    {
        // Before the kit, "finish_reason": "" threw ArgumentException (new ChatFinishReason("")) out of the client.
        var updates = await StreamAsync(Stream([Chunk("""{"role":"assistant","content":"a"}""", finish: ""), Chunk("""{"content":"b"}""", finish: "stop")]));

        Assert.Multiple(() =>
        {
            Assert.That(updates[0].FinishReason, Is.Null);
            Assert.That(updates.ToChatResponse().Text, Is.EqualTo("ab"));
            Assert.That(updates[^1].FinishReason, Is.EqualTo(ChatFinishReason.Stop));
        });
    }

    [Test]
    public void An_empty_finish_reason_does_not_complete_a_stream()
    {
        var error = Assert.ThrowsAsync<ModelProviderException>(() => StreamAsync(Stream([Chunk("""{"content":"a"}""", finish: "")], done: false)));
        Assert.That(error!.ErrorCode, Is.EqualTo(ProviderErrorCodes.ResponseTruncated));
    }

    [Test]
    public void Data_null_in_a_stream_is_an_invalid_response()
    {
        // Before the kit, TryGetProperty on the null element threw InvalidOperationException out of the client.
        var error = Assert.ThrowsAsync<ModelProviderException>(() => StreamAsync(Stream([Chunk("""{"role":"assistant","content":"a"}"""), "null"])));
        Assert.Multiple(() =>
        {
            Assert.That(error!.ErrorCode, Is.EqualTo(ProviderErrorCodes.InvalidResponse));
            Assert.That(error.IsRetryable, Is.True, "a malformed answer is the provider's fault: the registry may fall back");
            Assert.That(error.Provider, Is.EqualTo("mistral"));
        });
    }

    [Test]
    public void One_invalid_utf8_byte_in_streamed_content_is_an_invalid_response()
    {
        var good = "data: " + Chunk("""{"role":"assistant","content":"caf"}""") + "\n\n";
        var bad = Encoding.UTF8.GetBytes("data: " + Chunk("""{"content":"X"}""", finish: "stop") + "\n\ndata: [DONE]\n\n");
        bad[Array.IndexOf(bad, (byte)'X')] = 0xE9; // Latin-1 'é': not UTF-8 on its own
        var error = Assert.ThrowsAsync<ModelProviderException>(() => StreamAsync(new ScriptedResponse
        {
            Headers = [new("Content-Type", "text/event-stream")],
            Body = [.. Encoding.UTF8.GetBytes(good), .. bad],
        }));
        Assert.That(error!.ErrorCode, Is.EqualTo(ProviderErrorCodes.InvalidResponse));
    }

    [Test]
    public async Task A_created_that_is_a_string_or_past_year_9999_is_ignored()
    {
        var updates = await StreamAsync(Stream(
        [
            Chunk("""{"role":"assistant","content":"a"}""").Replace("\"created\":1764296393", "\"created\":\"1700000000\"", StringComparison.Ordinal),
            Chunk("""{"content":"b"}""", finish: "stop").Replace("\"created\":1764296393", "\"created\":253402300800", StringComparison.Ordinal),
        ]));

        Assert.Multiple(() =>
        {
            Assert.That(updates.Select(u => u.CreatedAt), Is.All.Null);
            Assert.That(updates.ToChatResponse().Text, Is.EqualTo("ab"));
        });
    }
}
