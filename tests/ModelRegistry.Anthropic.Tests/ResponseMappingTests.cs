using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelRegistry.Testing;
using static ModelRegistry.Anthropic.Tests.AnthropicTestKit;

namespace ModelRegistry.Anthropic.Tests;

/// <summary>How a whole Messages API answer maps to a <see cref="ChatResponse"/>.</summary>
public sealed class ResponseMappingTests
{
    private static async Task<ChatResponse> AnswerAsync(ScriptedResponse answer, ChatOptions? options = null)
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(answer);
        using var client = ChatClient(server);
        return await client.GetResponseAsync("Q", options);
    }

    [Test]
    public async Task The_output_tools_input_is_the_answers_compact_json_text_with_finish_reason_stop()
    {
        var response = await AnswerAsync(
            Message(stop: "tool_use", content: """[{"type":"tool_use","id":"toolu_01","name":"city","input":{ "city" : "Paris" }}]"""),
            new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(JsonDocument.Parse("""{"type":"object"}""").RootElement, "city") });
        Assert.Multiple(() =>
        {
            Assert.That(response.Text, Is.EqualTo("""{"city":"Paris"}"""));
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
            Assert.That(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>(), Is.Empty, "the answer is no call");
        });
    }

    [Test]
    public async Task A_call_of_another_tool_beside_the_output_tool_stays_a_call_and_keeps_finish_reason_tool_calls()
    {
        var response = await AnswerAsync(
            Message(stop: "tool_use", content: """[{"type":"tool_use","id":"toolu_01","name":"get_weather","input":{"city":"Paris"}}]"""),
            new ChatOptions { ResponseFormat = ChatResponseFormat.Json });
        Assert.Multiple(() =>
        {
            Assert.That(response.Messages.Single().Contents.OfType<FunctionCallContent>().Single().Name, Is.EqualTo("get_weather"));
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.ToolCalls));
        });
    }

    [Test]
    public async Task Without_a_response_format_a_tool_named_like_the_default_output_tool_is_a_call()
    {
        var response = await AnswerAsync(Message(stop: "tool_use", content: """[{"type":"tool_use","id":"toolu_01","name":"json_response","input":{}}]"""));
        Assert.That(response.Messages.Single().Contents.Single(), Is.InstanceOf<FunctionCallContent>());
    }

    [TestCase("end_turn", "stop")]
    [TestCase("stop_sequence", "stop")]
    [TestCase("max_tokens", "length")]
    [TestCase("tool_use", "tool_calls")]
    [TestCase("refusal", "content_filter")]
    [TestCase("pause_turn", "pause_turn")]
    public async Task Stop_reasons_map_to_finish_reasons(string stop, string finish)
    {
        var response = await AnswerAsync(Message(stop: stop));
        Assert.That(response.FinishReason?.Value, Is.EqualTo(finish));
    }

    [Test]
    public async Task Text_ids_model_and_usage_with_cache_reads_and_writes_map_the_meai_way()
    {
        var response = await AnswerAsync(Message(usage: """{"input_tokens":10,"cache_creation_input_tokens":4,"cache_read_input_tokens":6,"output_tokens":3}"""));
        Assert.Multiple(() =>
        {
            Assert.That(response.Text, Is.EqualTo("Hello!"));
            Assert.That(response.ResponseId, Is.EqualTo("msg_01Test"));
            Assert.That(response.ModelId, Is.EqualTo("claude-sonnet-4-5-20250929"));
            Assert.That(response.Messages.Single().Role, Is.EqualTo(ChatRole.Assistant));
            Assert.That(response.Usage!.InputTokenCount, Is.EqualTo(20), "every input token: uncached + read + written");
            Assert.That(response.Usage.CachedInputTokenCount, Is.EqualTo(6));
            Assert.That(response.Usage.AdditionalCounts![RegistryProperties.CacheWriteInputTokens], Is.EqualTo(4));
            Assert.That(response.Usage.OutputTokenCount, Is.EqualTo(3));
            Assert.That(response.Usage.TotalTokenCount, Is.EqualTo(23));
        });
    }

    [Test]
    public async Task Thinking_redacted_thinking_and_tool_use_map_and_are_marked_as_anthropic_where_only_it_can_take_them_back()
    {
        var response = await AnswerAsync(Message(stop: "tool_use", content: """
            [{"type":"thinking","thinking":"Weather needs a tool.","signature":"SIG1"},
             {"type":"redacted_thinking","data":"ENC"},
             {"type":"tool_use","id":"toolu_01","name":"get_weather","input":{"city":"Paris"},"caller":null},
             {"type":"server_tool_use","id":"srvtoolu_01","name":"web_fetch","input":{"url":"https://example.com"}}]
            """));
        var contents = response.Messages.Single().Contents;
        Assert.Multiple(() =>
        {
            var thinking = (TextReasoningContent)contents[0];
            Assert.That(thinking.Text, Is.EqualTo("Weather needs a tool."));
            Assert.That(thinking.ProtectedData, Is.EqualTo("SIG1"));
            Assert.That(thinking.AdditionalProperties![RegistryProperties.Origin], Is.EqualTo("anthropic"));
            var redacted = (TextReasoningContent)contents[1];
            Assert.That(redacted.ProtectedData, Is.EqualTo("ENC"));
            Assert.That(redacted.AdditionalProperties![AnthropicProperties.RedactedThinking], Is.EqualTo(true));
            var call = (FunctionCallContent)contents[2];
            Assert.That((call.CallId, call.Name), Is.EqualTo(("toolu_01", "get_weather")));
            Assert.That(call.Arguments!["city"]?.ToString(), Is.EqualTo("Paris"));
            Assert.That(call.AdditionalProperties?.ContainsKey(RegistryProperties.Origin) ?? false, Is.False, "function calls are portable");
            Assert.That(contents[3].GetType(), Is.EqualTo(typeof(AIContent)));
            Assert.That(contents[3].AdditionalProperties![RegistryProperties.Origin], Is.EqualTo("anthropic"));
        });
    }

    [Test]
    public async Task An_unmapped_block_goes_back_as_it_came_without_a_null_caller()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(
            Message(content: """[{"type":"server_tool_use","id":"srvtoolu_01","name":"web_search","input":{"query":"x"},"caller":null},{"type":"text","text":"Found."}]"""),
            Message());
        using var client = ChatClient(server);
        List<ChatMessage> history = [new(ChatRole.User, "Search")];
        history.AddRange((await client.GetResponseAsync(history)).Messages);
        history.Add(new ChatMessage(ChatRole.User, "More"));
        await client.GetResponseAsync(history);
        AssertJson(server.Requests[1].Json!["messages"]![1], """
            {"role":"assistant","content":[{"type":"server_tool_use","id":"srvtoolu_01","name":"web_search","input":{"query":"x"}},{"type":"text","text":"Found."}]}
            """);
    }

    [Test]
    public async Task A_body_that_is_not_a_message_is_an_invalid_response_not_a_framework_exception()
    {
        var error = Assert.ThrowsAsync<ModelProviderException>(() => AnswerAsync(ScriptedResponse.Json("[1,2]")));
        Assert.That(error!.ErrorCode, Is.EqualTo("invalid_response"));
        await Task.CompletedTask;
    }

    [Test]
    public async Task A_stop_sequence_is_reported_on_the_response()
    {
        var response = await AnswerAsync(ScriptedResponse.Json("""
            {"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"a"}],"stop_reason":"stop_sequence","stop_sequence":"END","usage":{"input_tokens":1,"output_tokens":1}}
            """));
        Assert.That(response.AdditionalProperties![AnthropicProperties.StopSequence], Is.EqualTo("END"));
        Assert.That(JsonSerializer.Serialize(response.Usage!.InputTokenCount), Is.EqualTo("1"));
    }
}
