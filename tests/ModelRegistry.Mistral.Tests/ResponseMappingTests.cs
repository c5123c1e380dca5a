using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;
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
    public async Task Web_search_references_become_citations_on_the_text_before_them_and_tool_files_hosted_files()
    {
        var response = await AnswerAsync(Completion(content: """
            [{"type":"text","text":"Hopper painted it in 1942."},
             {"type":"tool_reference","tool":"web_search","title":"Nighthawks","url":"https://www.artic.edu/artworks/111628/nighthawks","favicon":null,"description":"Art Institute of Chicago"},
             {"type":"text","text":" Here is a sketch:"},
             {"type":"tool_file","tool":"image_generation","file_id":"f_77a1","file_name":"image_generated_0","file_type":"jpeg"}]
            """));

        var contents = response.Messages.Single().Contents;
        var cited = (TextContent)contents[0];
        var citation = (CitationAnnotation)cited.Annotations!.Single();
        var file = (HostedFileContent)contents[2];
        Assert.Multiple(() =>
        {
            Assert.That(contents, Has.Count.EqualTo(3));
            Assert.That(cited.Text, Is.EqualTo("Hopper painted it in 1942."));
            Assert.That(citation.Title, Is.EqualTo("Nighthawks"));
            Assert.That(citation.Url!.AbsoluteUri, Is.EqualTo("https://www.artic.edu/artworks/111628/nighthawks"));
            Assert.That(citation.ToolName, Is.EqualTo("web_search"));
            Assert.That(((TextContent)contents[1]).Annotations, Is.Null);
            Assert.That(file.FileId, Is.EqualTo("f_77a1"));
            Assert.That(file.MediaType, Is.EqualTo("image/jpeg"));
            Assert.That(file.AdditionalProperties![RegistryProperties.Origin], Is.EqualTo("mistral"));
        });
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
    public void An_error_object_in_a_200_body_is_a_provider_exception()
    {
        var error = Assert.ThrowsAsync<ModelProviderException>(() => AnswerAsync(ScriptedResponse.Json(
            """{"object":"error","message":"Service unavailable","type":"service_unavailable","code":"1000","raw_status_code":503}""")));
        Assert.Multiple(() =>
        {
            Assert.That(error!.ErrorCode, Is.EqualTo("1000"));
            Assert.That(error.Message, Does.Contain("Service unavailable").And.Contain("status 503"));
            Assert.That(error.IsRetryable, Is.True);
            Assert.That(error.Provider, Is.EqualTo("mistral"));
        });
    }

    [Test]
    public void An_error_object_in_a_200_body_for_a_refused_request_is_not_retryable()
    {
        var error = Assert.ThrowsAsync<ModelProviderException>(() => AnswerAsync(ScriptedResponse.Json(
            """{"object":"error","message":"Invalid model: xyz","type":"invalid_model","code":"1500","raw_status_code":400}""")));
        Assert.That(error!.IsRetryable, Is.False);
    }

    [TestCase("<html>oops", ProviderErrorCodes.InvalidResponse)]
    [TestCase("[1,2,3]", ProviderErrorCodes.InvalidResponse)]
    [TestCase("null", ProviderErrorCodes.InvalidResponse)]
    [TestCase("""{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"cut he""", ProviderErrorCodes.ResponseTruncated)]
    [TestCase("", ProviderErrorCodes.ResponseTruncated)]
    public void A_body_that_is_not_a_complete_json_object_is_a_retryable_provider_exception(string body, string code)
    {
        // Chunked (no Content-Length): the body ends cleanly, so only its JSON shows it was cut.
        var error = Assert.ThrowsAsync<ModelProviderException>(() => AnswerAsync(new ScriptedResponse
        {
            Headers = [new("Content-Type", "application/json")],
            Chunks = [(System.Text.Encoding.UTF8.GetBytes(body), TimeSpan.Zero)],
        }));
        Assert.Multiple(() =>
        {
            Assert.That(error!.ErrorCode, Is.EqualTo(code));
            Assert.That(error.IsRetryable, Is.True, "a malformed answer is the provider's fault: the registry may fall back");
        });
    }

    [Test]
    public async Task An_empty_finish_reason_is_no_finish_reason()
    {
        // Before the kit, new ChatFinishReason("") threw ArgumentException out of the client.
        var response = await AnswerAsync(Completion(finish: ""));
        Assert.Multiple(() =>
        {
            Assert.That(response.FinishReason, Is.Null);
            Assert.That(response.Text, Is.EqualTo("Hello!"));
        });
    }

    [TestCase("\"1700000000\"")]
    [TestCase("253402300800")]
    [TestCase("-62135596801")]
    [TestCase("1e300")]
    [TestCase("null")]
    public async Task A_created_that_is_no_unix_time_in_range_is_ignored(string created)
    {
        // Before the kit, a string threw InvalidOperationException and a time past year 9999 ArgumentOutOfRangeException.
        var body = System.Text.Encoding.UTF8.GetString(Completion().Body).Replace("\"created\":1764257531", $"\"created\":{created}", StringComparison.Ordinal);
        var response = await AnswerAsync(ScriptedResponse.Json(body));
        Assert.Multiple(() =>
        {
            Assert.That(response.CreatedAt, Is.Null);
            Assert.That(response.Text, Is.EqualTo("Hello!"));
        });
    }

    [Test]
    public async Task The_last_representable_created_time_is_read()
    {
        var body = System.Text.Encoding.UTF8.GetString(Completion().Body).Replace("\"created\":1764257531", "\"created\":253402300799", StringComparison.Ordinal);
        var response = await AnswerAsync(ScriptedResponse.Json(body));
        Assert.That(response.CreatedAt, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(253402300799)));
    }

    [Test]
    public void One_invalid_utf8_byte_in_content_is_an_invalid_response()
    {
        // Before the kit, JsonElement.GetString threw InvalidOperationException out of the client.
        var bytes = Completion(content: "\"caf\u00e9 X\"").Body;
        bytes[Array.LastIndexOf(bytes, (byte)'X')] = 0xFF;
        var error = Assert.ThrowsAsync<ModelProviderException>(() => AnswerAsync(new ScriptedResponse { Headers = [new("Content-Type", "application/json")], Body = bytes }));
        Assert.Multiple(() =>
        {
            Assert.That(error!.ErrorCode, Is.EqualTo(ProviderErrorCodes.InvalidResponse));
            Assert.That(error.IsRetryable, Is.True);
        });
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
