using Microsoft.Extensions.AI;
using ModelRegistry.Testing;
using static ModelRegistry.Anthropic.Tests.AnthropicTestKit;

namespace ModelRegistry.Anthropic.Tests;

/// <summary>How a Messages API event stream maps to updates.</summary>
public sealed class StreamingTests
{
    private static async Task<(List<ChatResponseUpdate> Updates, ReplayServer Server)> StreamAsync(ScriptedResponse answer, IList<ChatMessage>? history = null, ChatOptions? options = null)
    {
        var server = await ReplayServer.StartAsync();
        server.Enqueue(answer);
        using var client = ChatClient(server);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(history ?? [new ChatMessage(ChatRole.User, "Q")], options))
        {
            updates.Add(update);
        }

        return (updates, server);
    }

    [Test]
    public async Task Text_arrives_piece_by_piece_with_the_stop_reason_and_usage_at_the_end()
    {
        var (updates, server) = await StreamAsync(Stream(
            MessageStart("""{"input_tokens":10,"cache_read_input_tokens":3,"cache_creation_input_tokens":2,"output_tokens":1}"""),
            BlockStart(0, """{"type":"text","text":""}"""), Ping(),
            Delta(0, """{"type":"text_delta","text":"Hel"}"""), Delta(0, """{"type":"text_delta","text":"lo"}"""),
            BlockStop(0), MessageDelta(usage: """{"output_tokens":7}"""), MessageStop()));
        await using var _ = server;
        var response = updates.ToChatResponse();
        Assert.Multiple(() =>
        {
            Assert.That(updates.Select(u => u.Text).Where(t => t.Length > 0), Is.EqualTo(new[] { "Hel", "lo" }));
            Assert.That(updates, Has.All.Property(nameof(ChatResponseUpdate.Role)).EqualTo(ChatRole.Assistant));
            Assert.That(response.Text, Is.EqualTo("Hello"));
            Assert.That(response.ResponseId, Is.EqualTo("msg_01Stream"));
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
            Assert.That(response.Usage!.InputTokenCount, Is.EqualTo(15), "input counts of message_start, as message_delta leaves them out");
            Assert.That(response.Usage.CachedInputTokenCount, Is.EqualTo(3));
            Assert.That(response.Usage.AdditionalCounts![RegistryProperties.CacheWriteInputTokens], Is.EqualTo(2));
            Assert.That(response.Usage.OutputTokenCount, Is.EqualTo(7));
            Assert.That(server.Requests.Single().Json!["stream"]!.GetValue<bool>(), Is.True);
            Assert.That(server.Requests.Single().Header("accept"), Is.EqualTo("text/event-stream"));
        });
    }

    [Test]
    public async Task Thinking_and_its_signature_stream_and_go_back_as_one_signed_block()
    {
        var (updates, server) = await StreamAsync(Stream(
            MessageStart(),
            BlockStart(0, """{"type":"thinking","thinking":"","signature":""}"""),
            Delta(0, """{"type":"thinking_delta","thinking":"Think "}"""), Delta(0, """{"type":"thinking_delta","thinking":"hard."}"""),
            Delta(0, """{"type":"signature_delta","signature":"SIG"}"""), BlockStop(0),
            BlockStart(1, """{"type":"redacted_thinking","data":"ENC"}"""), BlockStop(1),
            BlockStart(2, """{"type":"text","text":""}"""), Delta(2, """{"type":"text_delta","text":"Done."}"""), BlockStop(2),
            MessageDelta(), MessageStop()));
        await using var _ = server;
        var response = updates.ToChatResponse();
        var reasoning = response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().ToList();
        Assert.That(string.Concat(reasoning.Select(r => r.Text)), Is.EqualTo("Think hard."));
        Assert.That(reasoning.Select(r => r.ProtectedData).Where(p => p is not null), Is.EqualTo(new[] { "SIG", "ENC" }));

        await using var next = await ReplayServer.StartAsync();
        next.Enqueue(Message());
        using var client = ChatClient(next);
        List<ChatMessage> history = [new(ChatRole.User, "Q"), .. response.Messages, new(ChatRole.User, "And?")];
        await client.GetResponseAsync(history);
        AssertJson(next.Requests[0].Json!["messages"]![1], """
            {"role":"assistant","content":[{"type":"thinking","thinking":"Think hard.","signature":"SIG"},{"type":"redacted_thinking","data":"ENC"},{"type":"text","text":"Done."}]}
            """);
    }

    [Test]
    public async Task The_output_tools_streamed_input_becomes_one_text_update_of_compact_json_at_the_end_of_its_block()
    {
        var (updates, server) = await StreamAsync(
            Stream(
                MessageStart(),
                BlockStart(0, """{"type":"tool_use","id":"toolu_01","name":"json_response","input":{}}"""),
                Delta(0, """{"type":"input_json_delta","partial_json":"{\"city\": \"Pa"}"""),
                Delta(0, """{"type":"input_json_delta","partial_json":"ris\"}"}"""),
                BlockStop(0), MessageDelta(stop: "tool_use"), MessageStop()),
            options: new ChatOptions { ResponseFormat = ChatResponseFormat.Json });
        await using var _ = server;
        var texts = updates.SelectMany(u => u.Contents).OfType<TextContent>().ToList();
        var response = updates.ToChatResponse();
        Assert.Multiple(() =>
        {
            Assert.That(texts.Select(t => t.Text), Is.EqualTo(new[] { """{"city":"Paris"}""" }));
            Assert.That(response.Text, Is.EqualTo("""{"city":"Paris"}"""));
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
            Assert.That(updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>(), Is.Empty);
            AssertJson(SingleRequest(server)["tool_choice"], """{"type":"tool","name":"json_response"}""");
        });
    }

    [Test]
    public async Task A_tool_call_comes_whole_once_its_input_is_complete()
    {
        var (updates, server) = await StreamAsync(Stream(
            MessageStart(),
            BlockStart(0, """{"type":"tool_use","id":"toolu_01","name":"get_weather","input":{}}"""),
            Delta(0, """{"type":"input_json_delta","partial_json":""}"""),
            Delta(0, """{"type":"input_json_delta","partial_json":"{\"city\": \"Pa"}"""),
            Delta(0, """{"type":"input_json_delta","partial_json":"ris\"}"}"""),
            BlockStop(0), MessageDelta(stop: "tool_use"), MessageStop()));
        await using var _ = server;
        var calls = updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(calls, Has.Count.EqualTo(1));
            Assert.That((calls[0].CallId, calls[0].Name), Is.EqualTo(("toolu_01", "get_weather")));
            Assert.That(calls[0].Arguments!["city"]?.ToString(), Is.EqualTo("Paris"));
            Assert.That(updates.ToChatResponse().FinishReason, Is.EqualTo(ChatFinishReason.ToolCalls));
        });
    }

    [Test]
    public async Task An_error_event_becomes_the_classified_provider_error()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Stream(MessageStart(), ("error", """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""")));
        using var client = ChatClient(server);
        var error = Assert.ThrowsAsync<ModelProviderException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("Q"))
            {
                _ = update;
            }
        });
        Assert.Multiple(() =>
        {
            Assert.That(error!.ErrorCode, Is.EqualTo("overloaded_error"));
            Assert.That(error.StatusCode, Is.EqualTo(529));
            Assert.That(error.IsRetryable, Is.True);
            Assert.That(error.Message, Does.Contain("Overloaded"));
        });
    }

    [Test]
    public async Task A_prompt_too_long_error_event_is_the_context_window_code()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Stream(("error", """{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum"}}""")));
        using var client = ChatClient(server);
        var error = Assert.ThrowsAsync<ModelProviderException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("Q"))
            {
                _ = update;
            }
        });
        Assert.That(error!.ErrorCode, Is.EqualTo("context_window_exceeded"));
        Assert.That(error.IsRetryable, Is.False);
    }

    [Test]
    public async Task A_stream_that_ends_before_message_stop_is_truncated()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Stream(MessageStart(), BlockStart(0, """{"type":"text","text":""}"""), Delta(0, """{"type":"text_delta","text":"Hel"}""")));
        using var client = ChatClient(server);
        var seen = new List<string>();
        var error = Assert.ThrowsAsync<ModelProviderException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("Q"))
            {
                seen.Add(update.Text);
            }
        });
        Assert.That(error!.ErrorCode, Is.EqualTo("response_truncated"));
        Assert.That(seen, Does.Contain("Hel"), "what arrived was delivered first");
    }
}
