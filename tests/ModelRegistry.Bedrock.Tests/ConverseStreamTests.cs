using Microsoft.Extensions.AI;
using ModelRegistry.Bedrock.Tests.Support;
using ModelRegistry.Providers;
using ModelRegistry.Testing;
using static ModelRegistry.Testing.EventStreamEncoder;

namespace ModelRegistry.Bedrock.Tests;

/// <summary>ConverseStream over the loopback server, with event streams built by our own encoder.</summary>
public sealed class ConverseStreamTests
{
    private const string NovaTwo = "us.amazon.nova-2-lite-v1:0";

    private static readonly byte[] Stream = Body(
        Event("messageStart", """{"role":"assistant"}"""),
        Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"Let me "}}}"""),
        Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"think."}}}"""),
        Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"reasoningContent":{"signature":"sig-1"}}}"""),
        Event("contentBlockStop", """{"contentBlockIndex":0}"""),
        Event("contentBlockDelta", """{"contentBlockIndex":1,"delta":{"text":"Checking "}}"""),
        Event("contentBlockDelta", """{"contentBlockIndex":1,"delta":{"text":"two cities."}}"""),
        Event("contentBlockStop", """{"contentBlockIndex":1}"""),
        Event("contentBlockStart", """{"contentBlockIndex":2,"start":{"toolUse":{"toolUseId":"a","name":"weather"}}}"""),
        Event("contentBlockStart", """{"contentBlockIndex":3,"start":{"toolUse":{"toolUseId":"b","name":"weather"}}}"""),
        Event("contentBlockDelta", """{"contentBlockIndex":2,"delta":{"toolUse":{"input":"{\"city\":"}}}"""),
        Event("contentBlockDelta", """{"contentBlockIndex":3,"delta":{"toolUse":{"input":"{\"city\":\"Rome\"}"}}}"""),
        Event("contentBlockDelta", """{"contentBlockIndex":2,"delta":{"toolUse":{"input":"\"Paris\"}"}}}"""),
        Event("contentBlockStop", """{"contentBlockIndex":3}"""),
        Event("contentBlockStop", """{"contentBlockIndex":2}"""),
        Event("messageStop", """{"stopReason":"tool_use"}"""),
        Event("metadata", """{"usage":{"inputTokens":20,"outputTokens":9,"totalTokens":29,"cacheWriteInputTokens":100},"metrics":{"latencyMs":321}}"""));

    [Test]
    public async Task Events_map_to_updates_as_they_arrive()
    {
        var updates = await StreamAsync(new ScriptedResponse { Body = Stream, Headers = [new("Content-Type", "application/vnd.amazon.eventstream")] });

        // Text and reasoning start with their first delta, and go out at once.
        Assert.That(updates.Select(u => u.Text).Where(t => t.Length > 0), Is.EqualTo(new[] { "Checking ", "two cities." }));
        var reasoning = updates.SelectMany(u => u.Contents).OfType<TextReasoningContent>().ToList();
        Assert.That(string.Concat(reasoning.Select(r => r.Text)), Is.EqualTo("Let me think."));
        Assert.That(reasoning.Last().ProtectedData, Is.EqualTo("sig-1"));

        // Interleaved fragments per contentBlockIndex: one call each.
        var calls = updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>().ToList();
        Assert.That(calls.Select(c => (c.CallId, c.Arguments!["city"]!.ToString())), Is.EqualTo(new[] { ("b", "Rome"), ("a", "Paris") }));
        Assert.That(updates.Single(u => u.FinishReason is not null).FinishReason, Is.EqualTo(ChatFinishReason.ToolCalls));
        var usage = updates.SelectMany(u => u.Contents).OfType<UsageContent>().Single().Details;
        Assert.That((usage.InputTokenCount, usage.OutputTokenCount, usage.AdditionalCounts!["CacheWriteInputTokens"]), Is.EqualTo((120L, 9L, 100L)));
        Assert.That(updates.Last().AdditionalProperties!["LatencyMs"], Is.EqualTo(321L));
        Assert.That(updates.All(u => u.Role == ChatRole.Assistant && u.ResponseId == "req-s" && u.ModelId == Fixtures.Claude));

        // The coalesced response keeps the reasoning signature for the next turn.
        var response = updates.ToChatResponse();
        var merged = response.Messages.Single().Contents.OfType<TextReasoningContent>().Single();
        Assert.That((merged.Text, merged.ProtectedData), Is.EqualTo(("Let me think.", "sig-1")));
    }

    [Test]
    public async Task Streamed_redacted_reasoning_keeps_each_block_and_goes_back_unchanged()
    {
        var body = Body(
            Event("messageStart", """{"role":"assistant"}"""),
            Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"reasoningContent":{"redactedContent":"UkVEQUNURUQtT05F"}}}"""),
            Event("contentBlockStop", """{"contentBlockIndex":0}"""),
            Event("contentBlockDelta", """{"contentBlockIndex":1,"delta":{"reasoningContent":{"redactedContent":"UkVEQUNURUQtVFdP"}}}"""),
            Event("contentBlockStop", """{"contentBlockIndex":1}"""),
            Event("contentBlockDelta", """{"contentBlockIndex":2,"delta":{"text":""}}"""),
            Event("contentBlockDelta", """{"contentBlockIndex":2,"delta":{"text":"I can't share "}}"""),
            Event("contentBlockDelta", """{"contentBlockIndex":2,"delta":{"text":"that reasoning."}}"""),
            Event("contentBlockStop", """{"contentBlockIndex":2}"""),
            Event("messageStop", """{"stopReason":"end_turn"}"""),
            Event("metadata", """{"usage":{"inputTokens":92,"outputTokens":253,"totalTokens":345},"metrics":{"latencyMs":8069}}"""));
        var updates = await StreamAsync(new ScriptedResponse { Body = body });

        var redacted = updates.SelectMany(u => u.Contents).OfType<TextReasoningContent>().ToList();
        Assert.That(redacted.Select(r => r.AdditionalProperties?["redactedContent"]), Is.EqualTo(new[] { "UkVEQUNURUQtT05F", "UkVEQUNURUQtVFdP" }));
        Assert.That(redacted.All(r => r.Text.Length == 0), "redacted reasoning has no readable text");
        Assert.That(string.Concat(updates.Select(u => u.Text)), Is.EqualTo("I can't share that reasoning."));
        Assert.That(updates.SelectMany(u => u.Contents).OfType<TextContent>().Select(t => t.Text), Has.None.Empty, "an empty text delta is no update");

        // Claude must get redacted blocks back as they came, one block each, before the text.
        var sent = await Fixtures.SentAsync([new ChatMessage(ChatRole.User, "Hi"), .. updates.ToChatResponse().Messages, new ChatMessage(ChatRole.User, "Why?")]);
        Fixtures.AssertJson(sent["messages"]![1]!["content"], """
            [{"reasoningContent":{"redactedContent":"UkVEQUNURUQtT05F"}},{"reasoningContent":{"redactedContent":"UkVEQUNURUQtVFdP"}},
             {"text":"I can't share that reasoning."}]
            """);
    }

    [Test]
    public async Task Streamed_server_tool_calls_and_results_are_code_interpreter_contents_and_go_back_as_sent()
    {
        var body = Body(
            Event("messageStart", """{"role":"assistant"}"""),
            Event("contentBlockStart", """{"contentBlockIndex":0,"start":{"toolUse":{"name":"nova_code_interpreter","toolUseId":"srv-1","type":"server_tool_use"}}}"""),
            Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"toolUse":{"input":"{\"snippet\":"}}}"""),
            Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"toolUse":{"input":"\"6 * 7\"}"}}}"""),
            Event("contentBlockStop", """{"contentBlockIndex":0}"""),
            Event("contentBlockStart", """{"contentBlockIndex":1,"start":{"toolResult":{"status":"success","toolUseId":"srv-1","type":"nova_code_interpreter_result"}}}"""),
            Event("contentBlockDelta", """{"contentBlockIndex":1,"delta":{"toolResult":[{"json":{"stdOut":"42","stdErr":"","exitCode":0,"isError":false}}]}}"""),
            Event("contentBlockStop", """{"contentBlockIndex":1}"""),
            Event("contentBlockStart", """{"contentBlockIndex":2,"start":{"toolUse":{"name":"final_result","toolUseId":"fn-1","type":"tool_use"}}}"""),
            Event("contentBlockDelta", """{"contentBlockIndex":2,"delta":{"toolUse":{"input":"{\"result\":42.0}"}}}"""),
            Event("contentBlockStop", """{"contentBlockIndex":2}"""),
            Event("messageStop", """{"stopReason":"tool_use"}"""),
            Event("metadata", """{"usage":{"inputTokens":1002,"outputTokens":59,"serverToolUsage":{},"totalTokens":1061},"metrics":{"latencyMs":1600}}"""));
        var updates = await StreamAsync(new ScriptedResponse { Body = body }, model: NovaTwo);
        var contents = updates.SelectMany(u => u.Contents).ToList();

        Assert.That(contents.OfType<CodeInterpreterToolCallContent>().Single().CallId, Is.EqualTo("srv-1"));
        var result = contents.OfType<CodeInterpreterToolResultContent>().Single();
        Assert.That(result.CallId, Is.EqualTo("srv-1"));
        Assert.That(result.Outputs!.OfType<TextContent>().Single().Text, Does.Contain("\"stdOut\":\"42\""));
        var call = contents.OfType<FunctionCallContent>().Single();
        Assert.That((call.CallId, call.Name, call.Arguments!["result"]!.ToString()), Is.EqualTo(("fn-1", "final_result", "42.0")));
        Assert.That(updates.Single(u => u.FinishReason is not null).FinishReason, Is.EqualTo(ChatFinishReason.ToolCalls));
        Assert.That(contents.OfType<UsageContent>().Single().Details.TotalTokenCount, Is.EqualTo(1061));

        // Bedrock wants the server tool's blocks back in the history as it sent them; the caller's own call is rebuilt.
        var sent = await Fixtures.SentAsync(
        [
            new ChatMessage(ChatRole.User, "What is 6 * 7?"),
            .. updates.ToChatResponse().Messages,
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("fn-1", "Final result processed.")]),
        ], new ChatOptions { Tools = [ConverseRequestTests.Tool("final_result"), new HostedCodeInterpreterTool()] }, NovaTwo);
        Fixtures.AssertJson(sent["messages"]![1]!["content"], """
            [{"toolUse":{"name":"nova_code_interpreter","toolUseId":"srv-1","type":"server_tool_use","input":{"snippet":"6 * 7"}}},
             {"toolResult":{"status":"success","toolUseId":"srv-1","type":"nova_code_interpreter_result",
                            "content":[{"json":{"stdOut":"42","stdErr":"","exitCode":0,"isError":false}}]}},
             {"toolUse":{"toolUseId":"fn-1","name":"final_result","input":{"result":42.0}}}]
            """);
    }

    [Test]
    public async Task The_stream_is_decoded_incrementally_from_small_network_writes()
    {
        var chunks = Stream.Chunk(7).Select(c => (c, TimeSpan.Zero)).ToList();
        var updates = await StreamAsync(new ScriptedResponse { Chunks = chunks, Headers = [new("Content-Type", "application/vnd.amazon.eventstream")] });
        Assert.That(updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>().Count(), Is.EqualTo(2));
    }

    [Test]
    public void An_exception_event_throws_the_typed_error()
    {
        var body = Body(
            Event("messageStart", """{"role":"assistant"}"""),
            Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"Hel"}}"""),
            EventStreamEncoder.Exception("throttlingException", "Too many tokens, please wait."));
        var error = Assert.ThrowsAsync<ModelProviderException>(() => StreamAsync(new ScriptedResponse { Body = body }));
        Assert.That(error!.ErrorCode, Is.EqualTo("ThrottlingException"));
        Assert.That(error.StatusCode, Is.EqualTo(429));
        Assert.That(error.IsThrottling && error.IsRetryable);
        Assert.That(error.Message, Does.Contain("Too many tokens"));

        body = Body(EventStreamEncoder.Exception("modelStreamErrorException", "The model failed."));
        error = Assert.ThrowsAsync<ModelProviderException>(() => StreamAsync(new ScriptedResponse { Body = body }));
        Assert.That((error!.ErrorCode, error.StatusCode, error.IsRetryable), Is.EqualTo(("ModelStreamErrorException", (int?)424, false)));
    }

    [Test]
    public void A_cut_connection_is_a_retryable_connection_failure_not_a_hang()
    {
        var error = Assert.ThrowsAsync<ModelProviderException>(
            () => StreamAsync(new ScriptedResponse { Body = Stream, TruncateAfter = Stream.Length / 2 }).WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.That((error!.ErrorCode, error.IsRetryable), Is.EqualTo((ProviderErrorCodes.ConnectionFailed, true)));
    }

    [Test]
    public void A_stream_that_ends_inside_a_message_is_truncated()
    {
        var error = Assert.ThrowsAsync<ModelProviderException>(() => StreamAsync(new ScriptedResponse { Body = Stream[..(Stream.Length / 2)] }));
        Assert.That((error!.ErrorCode, error.IsRetryable), Is.EqualTo((ProviderErrorCodes.ResponseTruncated, true)));
        Assert.That(error.Message, Does.Contain("middle of a message"));
    }

    [Test]
    public async Task A_stream_that_stalls_ends_after_the_idle_timeout()
    {
        var first = Body(Event("messageStart", """{"role":"assistant"}"""), Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"Hel"}}"""));
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(new ScriptedResponse { Chunks = [(first, TimeSpan.Zero), (Stream, TimeSpan.FromHours(1))], Headers = [new("Content-Type", "application/vnd.amazon.eventstream")] });
        var clock = TestClients.Clock();
        var options = TestClients.Options(server, clock);
        options.Resilience!.StreamIdleTimeout = TimeSpan.FromSeconds(5);
        using var client = TestClients.Chat(options, Fixtures.Claude);

        await using var updates = client.GetStreamingResponseAsync("Hi").GetAsyncEnumerator();
        Assert.That(await updates.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)), Is.True);
        Assert.That(updates.Current.Text, Is.EqualTo("Hel"));
        var idle = TimeSpan.FromSeconds(5);
        var reads = clock.ArmedTimers.Count(t => t == idle);
        var next = updates.MoveNextAsync().AsTask();
        for (var read = 0; read <= reads; read++)
        {
            await clock.WaitForTimerAsync(idle); // the earlier reads' timers, then the one of the read that stalls
        }

        clock.Advance(idle);

        var error = Assert.ThrowsAsync<ModelProviderException>(() => next.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.That((error!.ErrorCode, error.IsRetryable), Is.EqualTo((ProviderErrorCodes.StreamIdleTimeout, true)));
    }

    [Test]
    public async Task A_message_larger_than_max_event_bytes_fails_as_too_large()
    {
        var big = Event("contentBlockDelta", $$$"""{"contentBlockIndex":0,"delta":{"text":"{{{new string('x', 5000)}}}"}}""");
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(new ScriptedResponse { Body = Body(Event("messageStart", """{"role":"assistant"}"""), big), Headers = [new("Content-Type", "application/vnd.amazon.eventstream")] });
        var options = TestClients.Options(server);
        options.Resilience!.MaxEventBytes = 4096;
        using var client = TestClients.Chat(options, Fixtures.Claude);
        var error = Assert.ThrowsAsync<ModelProviderException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("Hi"))
            {
                _ = update;
            }
        });
        Assert.That((error!.ErrorCode, error.IsRetryable), Is.EqualTo((ProviderErrorCodes.ResponseTooLarge, false)));
    }

    [Test]
    public void A_frame_with_valid_crcs_but_impossible_header_lengths_is_an_invalid_response()
    {
        var broken = EventStreamEncoder.Changed(Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"Hi"}}"""), m => m[12] = 250);
        var error = Assert.ThrowsAsync<ModelProviderException>(() => StreamAsync(new ScriptedResponse { Body = Body(Event("messageStart", """{"role":"assistant"}"""), broken) }));
        Assert.That((error!.ErrorCode, error.IsRetryable), Is.EqualTo((ProviderErrorCodes.InvalidResponse, true)));
    }

    [Test]
    public async Task A_stream_is_never_retried_once_its_headers_arrived()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(
            new ScriptedResponse { Body = Stream, TruncateAfter = 100, Headers = [new("Content-Type", "application/vnd.amazon.eventstream")] },
            new ScriptedResponse { Body = Stream });
        using var client = TestClients.Chat(server, Fixtures.Claude, maxRetries: 3);
        Assert.ThrowsAsync<ModelProviderException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("Hi"))
            {
                _ = update;
            }
        });
        Assert.That(server.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public void A_stream_that_ends_before_messageStop_is_incomplete()
    {
        var body = Body(Event("messageStart", """{"role":"assistant"}"""), Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"Hi"}}"""));
        var error = Assert.ThrowsAsync<ModelProviderException>(() => StreamAsync(new ScriptedResponse { Body = body }));
        Assert.That((error!.ErrorCode, error.IsRetryable), Is.EqualTo((ProviderErrorCodes.ResponseTruncated, true)));
        Assert.That(error.Message, Does.Contain("messageStop"));
    }

    [Test]
    public void A_corrupt_frame_is_reported()
    {
        var body = (byte[])Stream.Clone();
        body[^10] ^= 0xFF;
        var error = Assert.ThrowsAsync<ModelProviderException>(() => StreamAsync(new ScriptedResponse { Body = body }));
        Assert.That((error!.ErrorCode, error.IsRetryable), Is.EqualTo((ProviderErrorCodes.InvalidResponse, true)));
        Assert.That(error.Message, Does.Contain("CRC32"));
    }

    [Test]
    public async Task An_empty_stop_reason_ends_the_stream_without_a_finish_reason()
    {
        var body = Body(
            Event("messageStart", """{"role":"assistant"}"""),
            Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"Hi"}}"""),
            Event("messageStop", """{"stopReason":""}"""));
        var updates = await StreamAsync(new ScriptedResponse { Body = body });
        Assert.That(string.Concat(updates.Select(u => u.Text)), Is.EqualTo("Hi"));
        Assert.That(updates.Where(u => u.FinishReason is not null), Is.Empty);
    }

    [TestCase("""{"stopReason":5}""", "stopReason")]
    [TestCase("""{"stopReason":"end_turn","stopReason":"tool_use"}""", null)]
    [TestCase("""[{"stopReason":"end_turn"}]""", null)]
    public void A_broken_event_payload_fails_the_stream(string payload, string? named)
    {
        // Unpadded, byte for byte: the broken JSON must reach the client as written.
        var stop = Message([(":event-type", "messageStop"), (":content-type", "application/json"), (":message-type", "event")], System.Text.Encoding.UTF8.GetBytes(payload));
        var body = Body(Event("messageStart", """{"role":"assistant"}"""), stop);
        var error = Assert.ThrowsAsync<ModelProviderException>(() => StreamAsync(new ScriptedResponse { Body = body }));
        if (named is not null)
        {
            Assert.That(error!.InnerException?.Message, Does.Contain(named));
        }
    }

    [Test]
    public async Task Structured_output_through_a_forced_tool_streams_as_text()
    {
        var body = Body(
            Event("messageStart", """{"role":"assistant"}"""),
            Event("contentBlockStart", """{"contentBlockIndex":0,"start":{"toolUse":{"toolUseId":"o","name":"City"}}}"""),
            Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"toolUse":{"input":"{\"city\":\"Paris\"}"}}}"""),
            Event("contentBlockStop", """{"contentBlockIndex":0}"""),
            Event("messageStop", """{"stopReason":"tool_use"}"""));
        var schema = System.Text.Json.JsonDocument.Parse("""{"type":"object"}""").RootElement.Clone();
        var updates = await StreamAsync(new ScriptedResponse { Body = body }, new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "City") }, Fixtures.Nova);
        Assert.That(string.Concat(updates.Select(u => u.Text)), Is.EqualTo("""{"city":"Paris"}"""));
        Assert.That(updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>(), Is.Empty);
        Assert.That(updates.ToChatResponse().FinishReason, Is.EqualTo(ChatFinishReason.Stop), "the answer is complete: there is no call to make");
    }

    [Test]
    public async Task A_failed_stream_request_is_not_a_stream()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"message":"The provided model identifier is invalid."}""", 400, ("x-amzn-ErrorType", "ValidationException")));
        using var client = TestClients.Chat(server, "us.does-not-exist-v1:0");
        var error = Assert.ThrowsAsync<ModelProviderException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("hello"))
            {
                Assert.Fail($"no update expected, got {update}");
            }
        });
        Assert.That((error!.StatusCode, error.ErrorCode, error.IsRetryable), Is.EqualTo(((int?)400, "ValidationException", false)));
        Assert.That(server.Requests.Single().PathAndQuery, Is.EqualTo("/model/us.does-not-exist-v1%3A0/converse-stream"));
        Assert.That(server.Requests[0].Header("accept"), Is.EqualTo("application/vnd.amazon.eventstream"));
    }

    private static async Task<List<ChatResponseUpdate>> StreamAsync(ScriptedResponse response, ChatOptions? options = null, string model = Fixtures.Claude)
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(new ScriptedResponse
        {
            Status = response.Status,
            Body = response.Body,
            Chunks = response.Chunks,
            TruncateAfter = response.TruncateAfter,
            Headers = [new("Content-Type", "application/vnd.amazon.eventstream"), new("x-amzn-RequestId", "req-s")],
        });
        using var client = TestClients.Chat(server, model);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Hi")], options))
        {
            updates.Add(update);
        }

        return updates;
    }
}
