using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelRegistry.Testing;
using static ModelRegistry.Mistral.Tests.MistralTestKit;

namespace ModelRegistry.Mistral.Tests;

/// <summary>Mistral responses map to the right MEAI objects.</summary>
public sealed class ResponseMappingTests
{
    private static async Task<ChatResponse> AnswerAsync(ScriptedResponse response, ChatOptions? options = null)
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(response);
        using var client = ChatClient(server);
        return await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], options);
    }

    [Test]
    public async Task Text_id_model_created_usage_and_raw_representation()
    {
        var response = await AnswerAsync(Completion(
            content: "\"Bonjour\"",
            usage: """{"prompt_tokens":11,"completion_tokens":268,"total_tokens":279,"prompt_tokens_details":{"cached_tokens":64},"completion_tokens_details":{"reasoning_tokens":40},"service_tier":"standard","p":"padding"}"""));

        Assert.Multiple(() =>
        {
            Assert.That(response.Text, Is.EqualTo("Bonjour"));
            Assert.That(response.Messages.Single().Role, Is.EqualTo(ChatRole.Assistant));
            Assert.That(response.ResponseId, Is.EqualTo("0123456789abcdef0123456789abcdef"));
            Assert.That(response.ModelId, Is.EqualTo("mistral-large-latest"));
            Assert.That(response.CreatedAt, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(1764257531)));
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
            Assert.That(response.Usage!.InputTokenCount, Is.EqualTo(11));
            Assert.That(response.Usage.OutputTokenCount, Is.EqualTo(268));
            Assert.That(response.Usage.TotalTokenCount, Is.EqualTo(279));
            Assert.That(response.Usage.CachedInputTokenCount, Is.EqualTo(64));
            Assert.That(response.Usage.ReasoningTokenCount, Is.EqualTo(40));
            Assert.That(response.RawRepresentation, Is.InstanceOf<JsonElement>());
            Assert.That(((JsonElement)response.RawRepresentation!).GetProperty("object").GetString(), Is.EqualTo("chat.completion"));
        });
    }

    [TestCase("""{"prompt_tokens":68,"completion_tokens":6,"total_tokens":74,"num_cached_tokens":32}""", 32)]
    [TestCase("""{"prompt_tokens":68,"completion_tokens":6,"total_tokens":74,"prompt_token_details":{"cached_tokens":48}}""", 48)]
    [TestCase("""{"prompt_tokens":68,"completion_tokens":6,"total_tokens":74}""", null)]
    public async Task Cached_tokens_are_read_from_each_field_the_api_uses(string usage, long? cached)
    {
        var response = await AnswerAsync(Completion(usage: usage));
        Assert.That(response.Usage!.CachedInputTokenCount, Is.EqualTo(cached));
    }

    [TestCase("stop", "stop")]
    [TestCase("length", "length")]
    [TestCase("model_length", "length")]
    [TestCase("tool_calls", "tool_calls")]
    [TestCase("error", "error")]
    [TestCase("content_filter_v2", "content_filter_v2")]
    public async Task Finish_reasons(string wire, string expected)
    {
        var response = await AnswerAsync(Completion(finish: wire));
        Assert.That(response.FinishReason?.Value, Is.EqualTo(expected));
    }

    [Test]
    public async Task Tool_calls_become_function_calls_with_parsed_arguments()
    {
        var response = await AnswerAsync(Completion(
            content: "null",
            finish: "tool_calls",
            toolCalls: """
                [{"id":"D681PevKs","type":"function","function":{"name":"retrieve_payment_status","arguments":"{\"transaction_id\": \"T1001\"}"},"index":0},
                 {"id":"ejOH4Z1A2","function":{"name":"plot","arguments":{"x":[1,2]}},"index":1},
                 {"function":{"name":"broken","arguments":"{not json"}}]
                """));

        var calls = response.Messages.Single().Contents.OfType<FunctionCallContent>().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.ToolCalls));
            Assert.That(response.Text, Is.Empty);
            Assert.That(calls.Select(c => c.Name), Is.EqualTo(new[] { "retrieve_payment_status", "plot", "broken" }));
            Assert.That(calls[0].CallId, Is.EqualTo("D681PevKs"));
            Assert.That(((JsonElement)calls[0].Arguments!["transaction_id"]!).GetString(), Is.EqualTo("T1001"));
            Assert.That(((JsonElement)calls[1].Arguments!["x"]!).GetArrayLength(), Is.EqualTo(2), "arguments given as an object are accepted");
            Assert.That(calls[2].CallId, Does.Match("^[a-zA-Z0-9]{9}$"), "a call without id gets a usable one");
            Assert.That(calls[2].Exception, Is.Not.Null, "unparseable arguments are reported on the call, not thrown");
        });
    }

    [Test]
    public async Task Thinking_chunks_become_reasoning_content_unless_reasoning_output_is_none()
    {
        const string content = """
            [{"type":"thinking","thinking":[{"type":"text","text":"Let me think. "},{"type":"text","text":"Four."}],"signature":"sig"},
             {"type":"text","text":"2+2 = 4"},
             {"type":"reference","reference_ids":[1]}]
            """;
        var response = await AnswerAsync(Completion(content: content));
        var hidden = await AnswerAsync(Completion(content: content), new ChatOptions { Reasoning = new ReasoningOptions { Output = ReasoningOutput.None } });

        var contents = response.Messages.Single().Contents;
        Assert.Multiple(() =>
        {
            Assert.That(contents[0], Is.InstanceOf<TextReasoningContent>());
            Assert.That(((TextReasoningContent)contents[0]).Text, Is.EqualTo("Let me think. Four."));
            Assert.That(((TextReasoningContent)contents[0]).ProtectedData, Is.EqualTo("sig"));
            Assert.That(response.Text, Is.EqualTo("2+2 = 4"));
            Assert.That(contents[2].GetType(), Is.EqualTo(typeof(AIContent)), "unknown chunks are kept raw, not dropped or misread");
            Assert.That(((JsonElement)contents[2].RawRepresentation!).GetProperty("type").GetString(), Is.EqualTo("reference"));
            Assert.That(hidden.Messages.Single().Contents.OfType<TextReasoningContent>(), Is.Empty);
            Assert.That(hidden.Text, Is.EqualTo("2+2 = 4"));
        });
    }

    [Test]
    public async Task An_error_object_in_a_200_body_is_a_provider_exception()
    {
        var error = Assert.ThrowsAsync<ModelProviderException>(() => AnswerAsync(ScriptedResponse.Json(
            """{"object":"error","message":"Service unavailable","type":"service_unavailable","code":"1000","raw_status_code":503}""")));
        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(503));
            Assert.That(error.ErrorCode, Is.EqualTo("1000"));
            Assert.That(error.IsRetryable, Is.True);
        });
        await Task.CompletedTask;
    }

    [Test]
    public void A_body_that_is_not_json_is_a_provider_exception()
    {
        var error = Assert.ThrowsAsync<ModelProviderException>(() => AnswerAsync(new ScriptedResponse { Body = "<html>oops"u8.ToArray() }));
        Assert.That(error!.ErrorCode, Is.EqualTo("invalid_response"));
    }

    [Test]
    public async Task Metadata_names_the_provider_mistral_ai_and_the_model()
    {
        await using var server = await ReplayServer.StartAsync();
        using var client = ChatClient(server, "codestral-latest");
        var metadata = client.GetService<ChatClientMetadata>();
        Assert.Multiple(() =>
        {
            Assert.That(metadata!.ProviderName, Is.EqualTo("mistral_ai"));
            Assert.That(metadata.DefaultModelId, Is.EqualTo("codestral-latest"));
            Assert.That(metadata.ProviderUri, Is.EqualTo(server.BaseAddress));
            Assert.That(client.GetService<IChatClient>(), Is.SameAs(client));
            Assert.That(client.GetService<IChatClient>("key"), Is.Null);
            Assert.That(server.Requests, Is.Empty, "asking for services does no I/O");
        });
    }
}
