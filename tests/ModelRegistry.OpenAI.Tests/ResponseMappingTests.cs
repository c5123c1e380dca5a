using Microsoft.Extensions.AI;
using ModelRegistry.Testing;
using static ModelRegistry.OpenAI.Tests.OpenAITestKit;

namespace ModelRegistry.OpenAI.Tests;

/// <summary>How whole answers map: text, tool calls, usage with cached and reasoning tokens, finish reasons, refusals.</summary>
public sealed class ResponseMappingTests
{
    private static async Task<ChatResponse> AnswerAsync(ScriptedResponse answer, ChatOptions? options = null)
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(answer);
        using var client = ChatClient(server);
        return await client.GetResponseAsync("hi", options);
    }

    [Test]
    public async Task Text_ids_and_usage_with_cached_and_reasoning_tokens_map()
    {
        var response = await AnswerAsync(Completion(usage: """
            {"prompt_tokens":1200,"completion_tokens":80,"total_tokens":1280,
             "prompt_tokens_details":{"cached_tokens":1024,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":64}}
            """));
        Assert.Multiple(() =>
        {
            Assert.That(response.Text, Is.EqualTo("Hello!"));
            Assert.That(response.ResponseId, Is.EqualTo("chatcmpl-Test0001"));
            Assert.That(response.ModelId, Is.EqualTo("gpt-4.1-mini-2025-04-14"));
            Assert.That(response.CreatedAt, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(1764257531)));
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
            Assert.That(response.Usage!.InputTokenCount, Is.EqualTo(1200));
            Assert.That(response.Usage.OutputTokenCount, Is.EqualTo(80));
            Assert.That(response.Usage.TotalTokenCount, Is.EqualTo(1280));
            Assert.That(response.Usage.CachedInputTokenCount, Is.EqualTo(1024));
            Assert.That(response.Usage.ReasoningTokenCount, Is.EqualTo(64));
        });
    }

    [TestCase("stop", "stop")]
    [TestCase("length", "length")]
    [TestCase("tool_calls", "tool_calls")]
    [TestCase("content_filter", "content_filter")]
    [TestCase("function_call", "tool_calls")]
    public async Task Finish_reasons_map(string wire, string expected)
    {
        var response = await AnswerAsync(Completion(finish: wire));
        Assert.That(response.FinishReason?.Value, Is.EqualTo(expected));
    }

    [Test]
    public async Task Tool_calls_map_with_their_ids_and_parsed_arguments()
    {
        var response = await AnswerAsync(Completion(content: "null", finish: "tool_calls", toolCalls: """
            [{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
             {"id":"call_2","type":"function","function":{"name":"get_time","arguments":"{}"}}]
            """));
        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(calls.Select(c => (c.CallId, c.Name)), Is.EqualTo(new[] { ("call_1", "get_weather"), ("call_2", "get_time") }));
            Assert.That(calls[0].Arguments!["city"]?.ToString(), Is.EqualTo("Paris"));
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.ToolCalls));
        });
    }

    [Test]
    public async Task A_tool_call_without_an_id_gets_a_stable_one()
    {
        var answer = """[{"type":"function","function":{"name":"get_time","arguments":"{}"}}]""";
        var first = await AnswerAsync(Completion(content: "null", finish: "tool_calls", toolCalls: answer));
        var second = await AnswerAsync(Completion(content: "null", finish: "tool_calls", toolCalls: answer));
        var id = first.Messages[0].Contents.OfType<FunctionCallContent>().Single().CallId;
        Assert.That(id, Does.StartWith("call_").And.Length.EqualTo(29));
        Assert.That(second.Messages[0].Contents.OfType<FunctionCallContent>().Single().CallId, Is.EqualTo(id));
    }

    [Test]
    public async Task A_refusal_is_kept_on_the_response()
    {
        var response = await AnswerAsync(ScriptedResponse.Json("""
            {"id":"chatcmpl-R","object":"chat.completion","model":"gpt-4o","created":1,
             "choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"I can't help with that."},"finish_reason":"stop"}]}
            """));
        Assert.That(response.AdditionalProperties?[OpenAIProperties.Refusal], Is.EqualTo("I can't help with that."));
    }

    [Test]
    public async Task Reasoning_text_of_compatible_servers_maps_and_is_marked_as_this_providers()
    {
        var response = await AnswerAsync(Completion(extra: ""","reasoning_content":"Let me think." """));
        var reasoning = response.Messages[0].Contents.OfType<TextReasoningContent>().Single();
        Assert.Multiple(() =>
        {
            Assert.That(reasoning.Text, Is.EqualTo("Let me think."));
            Assert.That(reasoning.AdditionalProperties?[RegistryProperties.Origin], Is.EqualTo("openai"));
            Assert.That(response.Text, Is.EqualTo("Hello!"));
        });

        var hidden = await AnswerAsync(Completion(extra: ""","reasoning":"Let me think." """), new ChatOptions { Reasoning = new ReasoningOptions { Output = ReasoningOutput.None } });
        Assert.That(hidden.Messages[0].Contents.OfType<TextReasoningContent>(), Is.Empty);
    }
}
