using Microsoft.Extensions.AI;
using ModelRegistry.Providers;
using ModelRegistry.Testing;
using static ModelRegistry.OpenAI.Tests.OpenAITestKit;

namespace ModelRegistry.OpenAI.Tests;

/// <summary>Streams: SSE chunks, usage on the last chunk, tool-call argument deltas assembled by index, truncation and in-stream errors.</summary>
public sealed class StreamingTests
{
    private static async Task<(List<ChatResponseUpdate> Updates, ReceivedRequest Request)> StreamAsync(ScriptedResponse answer)
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(answer);
        using var client = ChatClient(server);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("hi"))
        {
            updates.Add(update);
        }

        return (updates, server.Requests.Single());
    }

    [Test]
    public async Task Text_streams_and_usage_arrives_on_the_last_chunk_asked_for_with_include_usage()
    {
        var (updates, request) = await StreamAsync(Stream(
        [
            Chunk("""{"role":"assistant","content":""}"""),
            Chunk("""{"content":"Hel"}"""),
            Chunk("""{"content":"lo"}"""),
            Chunk("{}", "stop"),
            UsageChunk("""{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11,"prompt_tokens_details":{"cached_tokens":4}}"""),
        ]));

        var response = updates.ToChatResponse();
        Assert.Multiple(() =>
        {
            Assert.That(request.Header("accept"), Is.EqualTo("text/event-stream"));
            AssertJson(request.Json!["stream_options"], """{"include_usage":true}""");
            Assert.That(request.Json!["stream"]!.GetValue<bool>(), Is.True);
            Assert.That(response.Text, Is.EqualTo("Hello"));
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
            Assert.That(response.ResponseId, Is.EqualTo("chatcmpl-Stream01"));
            Assert.That(response.Usage!.InputTokenCount, Is.EqualTo(9));
            Assert.That(response.Usage.CachedInputTokenCount, Is.EqualTo(4));
            Assert.That(updates.All(u => u.Role == ChatRole.Assistant), Is.True);
        });
    }

    [Test]
    public async Task Tool_call_argument_deltas_are_assembled_by_index_for_parallel_calls()
    {
        var (updates, _) = await StreamAsync(Stream(
        [
            Chunk("""{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":""}}]}"""),
            Chunk("""{"tool_calls":[{"index":0,"function":{"arguments":"{\"ci"}}]}"""),
            Chunk("""{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"get_time","arguments":"{\"tz\":"}}]}"""),
            Chunk("""{"tool_calls":[{"index":0,"function":{"arguments":"ty\":\"Paris\"}"}}]}"""),
            Chunk("""{"tool_calls":[{"index":1,"function":{"arguments":"\"CET\"}"}}]}"""),
            Chunk("{}", "tool_calls"),
        ]));

        var calls = updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(calls.Select(c => (c.CallId, c.Name)), Is.EqualTo(new[] { ("call_a", "get_weather"), ("call_b", "get_time") }));
            Assert.That(calls[0].Arguments!["city"]?.ToString(), Is.EqualTo("Paris"));
            Assert.That(calls[1].Arguments!["tz"]?.ToString(), Is.EqualTo("CET"));
            Assert.That(calls.All(c => c.Exception is null), Is.True);
            Assert.That(updates.ToChatResponse().FinishReason, Is.EqualTo(ChatFinishReason.ToolCalls));
        });
    }

    [Test]
    public void A_stream_that_ends_without_finish_reason_or_done_is_truncated()
    {
        var error = Assert.ThrowsAsync<ModelProviderException>(() => StreamAsync(Stream([Chunk("""{"content":"Hel"}""")], done: false)));
        Assert.That(error!.ErrorCode, Is.EqualTo(ProviderErrorCodes.ResponseTruncated));
    }

    [Test]
    public void An_error_object_in_the_stream_is_the_providers_error()
    {
        var error = Assert.ThrowsAsync<ModelProviderException>(() => StreamAsync(Stream(
        [
            Chunk("""{"content":"Hel"}"""),
            """{"error":{"message":"The server had an error while processing your request.","type":"server_error","code":null}}""",
        ], done: false)));
        Assert.Multiple(() =>
        {
            Assert.That(error!.ErrorCode, Is.EqualTo("server_error"));
            Assert.That(error.Message, Does.Contain("The server had an error"));
            Assert.That(error.IsRetryable, Is.True);
        });
    }

    [Test]
    public void A_context_window_error_in_the_stream_gets_the_kits_code()
    {
        var error = Assert.ThrowsAsync<ModelProviderException>(() => StreamAsync(Stream(
        [
            """{"error":{"message":"This model's maximum context length is 128000 tokens.","type":"invalid_request_error","code":"context_length_exceeded","param":"messages"}}""",
        ], done: false)));
        Assert.Multiple(() =>
        {
            Assert.That(error!.ErrorCode, Is.EqualTo(ProviderErrorCodes.ContextWindowExceeded));
            Assert.That(error.IsRetryable, Is.False);
        });
    }
}
