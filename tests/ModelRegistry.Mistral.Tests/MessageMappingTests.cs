using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Testing;
using static ModelRegistry.Mistral.Tests.MistralTestKit;

namespace ModelRegistry.Mistral.Tests;

/// <summary>Conversations are arranged into what Mistral's validator accepts.</summary>
public sealed class MessageMappingTests
{
    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    private static async Task<JsonArray> MessagesSentAsync(params ChatMessage[] messages)
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Completion());
        using var client = ChatClient(server);
        await client.GetResponseAsync(messages);
        return (JsonArray)SingleRequest(server)["messages"]!;
    }


    [Test]
    public async Task Parallel_calls_with_foreign_ids_stay_in_one_assistant_message_and_pair_with_their_results()
    {
        // A history from another provider: OpenAI-style and Anthropic-style call ids, text alongside the calls.
        var messages = new[]
        {
            new ChatMessage(ChatRole.User, "Weather in Paris and Lyon?"),
            new ChatMessage(ChatRole.Assistant,
            [
                new TextContent("Let me check both."),
                new FunctionCallContent("call_9f149c74c42f265b", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" }),
                new FunctionCallContent("toolu_01A09q90qw90lq917835lq9", "get_weather", new Dictionary<string, object?> { ["city"] = "Lyon" }),
            ]),
            new ChatMessage(ChatRole.Tool,
            [
                new FunctionResultContent("toolu_01A09q90qw90lq917835lq9", "Rain, 14C"),
                new FunctionResultContent("call_9f149c74c42f265b", "Sunny, 22C"),
            ]),
        };

        var sent = await MessagesSentAsync(messages);

        Assert.That(sent, Has.Count.EqualTo(5), sent.ToJsonString());
        var calls = sent[2]!["tool_calls"]!.AsArray();
        var parisId = calls[0]!["id"]!.GetValue<string>();
        var lyonId = calls[1]!["id"]!.GetValue<string>();
        Assert.Multiple(() =>
        {
            AssertJson(sent[1]!, """{"role":"assistant","content":"Let me check both."}""");
            Assert.That(sent[2]!["role"]!.GetValue<string>(), Is.EqualTo("assistant"));
            Assert.That(sent[2]!["content"]!.GetValue<string>(), Is.Empty, "content stays empty beside tool_calls");
            Assert.That(calls, Has.Count.EqualTo(2), "both calls of the turn in one assistant message");
            Assert.That(parisId, Does.Match("^[a-zA-Z0-9]{9}$"));
            Assert.That(lyonId, Does.Match("^[a-zA-Z0-9]{9}$"));
            Assert.That(parisId, Is.Not.EqualTo(lyonId));
            AssertJson(calls[0]!, $$"""{"id":"{{parisId}}","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"},"index":0}""");
            AssertJson(sent[3]!, $$"""{"role":"tool","content":"Rain, 14C","tool_call_id":"{{lyonId}}","name":"get_weather"}""");
            AssertJson(sent[4]!, $$"""{"role":"tool","content":"Sunny, 22C","tool_call_id":"{{parisId}}","name":"get_weather"}""");
        });

        var again = await MessagesSentAsync(messages);
        Assert.That(again[2]!["tool_calls"]![0]!["id"]!.GetValue<string>(), Is.EqualTo(parisId), "the remapping is deterministic across requests");
    }

    [Test]
    public async Task Mistral_ids_pass_unchanged_and_calls_split_over_messages_are_merged()
    {
        var sent = await MessagesSentAsync(
            new ChatMessage(ChatRole.User, "Two lookups"),
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("D681PevKs", "lookup", new Dictionary<string, object?> { ["q"] = 1 })]),
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("gSIMJiOkT", "lookup", new Dictionary<string, object?> { ["q"] = 2 })]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("D681PevKs", 1)]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("gSIMJiOkT", new { answer = 2 })]));

        Assert.Multiple(() =>
        {
            Assert.That(sent, Has.Count.EqualTo(4), sent.ToJsonString());
            Assert.That(sent[1]!["tool_calls"]!.AsArray().Select(c => c!["id"]!.GetValue<string>()), Is.EqualTo(new[] { "D681PevKs", "gSIMJiOkT" }));
            Assert.That(sent[1]!["tool_calls"]!.AsArray().Select(c => c!["index"]!.GetValue<int>()), Is.EqualTo(new[] { 0, 1 }));
            AssertJson(sent[2]!, """{"role":"tool","content":"1","tool_call_id":"D681PevKs","name":"lookup"}""");
            AssertJson(sent[3]!, """{"role":"tool","content":"{\"answer\":2}","tool_call_id":"gSIMJiOkT","name":"lookup"}""");
        });
    }

    [Test]
    public void A_function_name_in_the_history_that_mistral_refuses_is_a_clear_error()
    {
        var error = Assert.ThrowsAsync<ArgumentException>(() => MessagesSentAsync(
            new ChatMessage(ChatRole.User, "x"),
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("abcdefghi", "plugin.search")])));
        Assert.That(error!.Message, Does.Contain("'plugin.search'").And.Contain("chat history"));
    }

    [Test]
    public async Task Images_from_bytes_and_urls_become_image_url_chunks()
    {
        var sent = await MessagesSentAsync(new ChatMessage(ChatRole.User,
        [
            new TextContent("What is in these?"),
            new DataContent(Png, "image/png"),
            new UriContent("https://example.com/cat.jpg", "image/jpeg") { AdditionalProperties = new() { ["detail"] = "high" } },
        ]));
        AssertJson(sent[0]!, $$"""
            {"role":"user","content":[
              {"type":"text","text":"What is in these?"},
              {"type":"image_url","image_url":{"url":"data:image/png;base64,{{Convert.ToBase64String(Png)}}"} },
              {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg","detail":"high"} }]}
            """);
    }

    [Test]
    public async Task Documents_text_files_audio_and_hosted_files_have_their_chunks()
    {
        var pdf = Encoding.ASCII.GetBytes("%PDF-1.4 fake");
        var sent = await MessagesSentAsync(new ChatMessage(ChatRole.User,
        [
            new DataContent(pdf, "application/pdf") { Name = "report.pdf" },
            new UriContent("https://example.com/sample.pdf", "application/pdf"),
            new DataContent(Encoding.UTF8.GetBytes("plain notes"), "text/plain"),
            new DataContent(new byte[] { 1, 2, 3 }, "audio/wav"),
            new HostedFileContent("file-abc"),
        ]));
        AssertJson(sent[0]!["content"]!, $$"""
            [{"type":"document_url","document_url":"data:application/pdf;base64,{{Convert.ToBase64String(pdf)}}","document_name":"report.pdf"},
             {"type":"document_url","document_url":"https://example.com/sample.pdf"},
             {"type":"text","text":"plain notes"},
             {"type":"input_audio","input_audio":"AQID"},
             {"type":"file","file_id":"file-abc"}]
            """);
    }

    [Test]
    public void Video_is_refused_with_a_clear_error()
    {
        var error = Assert.ThrowsAsync<NotSupportedException>(() => MessagesSentAsync(
            new ChatMessage(ChatRole.User, [new UriContent("https://example.com/clip.mp4", "video/mp4")])));
        Assert.That(error!.Message, Does.Contain("video/mp4"));
    }

    [Test]
    public async Task Reasoning_is_replayed_as_one_thinking_chunk_with_its_signature_and_a_trailing_assistant_is_a_prefix()
    {
        var sent = await MessagesSentAsync(
            new ChatMessage(ChatRole.User, "2+2?"),
            new ChatMessage(ChatRole.Assistant, [new TextReasoningContent("Two plus two"), new TextReasoningContent(" is four.") { ProtectedData = "sig-1" }, new TextContent("4")]),
            new ChatMessage(ChatRole.User, "Now in words, starting with:"),
            new ChatMessage(ChatRole.Assistant, "Four is"));

        Assert.Multiple(() =>
        {
            AssertJson(sent[1]!, """
                {"role":"assistant","content":[
                  {"type":"thinking","thinking":[{"type":"text","text":"Two plus two"},{"type":"text","text":" is four."}],"signature":"sig-1"},
                  {"type":"text","text":"4"}]}
                """);
            AssertJson(sent[3]!, """{"role":"assistant","content":"Four is","prefix":true}""");
        });
    }

    [Test]
    public async Task Content_another_provider_marked_is_left_out_but_its_readable_reasoning_goes_without_its_signature()
    {
        static AdditionalPropertiesDictionary Bedrock() => new() { [RegistryProperties.Origin] = "bedrock" };
        var sent = await MessagesSentAsync(
            new ChatMessage(ChatRole.System, [new TextContent("Be brief."), new AIContent { AdditionalProperties = Bedrock() }]),
            new ChatMessage(ChatRole.User, [new TextContent("2+2?"), new AIContent { AdditionalProperties = Bedrock() }]),
            new ChatMessage(ChatRole.Assistant,
            [
                new TextReasoningContent("Two plus two.") { ProtectedData = "bedrock-sig", AdditionalProperties = Bedrock() },
                new TextReasoningContent(string.Empty) { ProtectedData = "UkVEQUNURUQ=", AdditionalProperties = Bedrock() },
                new TextReasoningContent("Mine.") { ProtectedData = "mistral-sig", AdditionalProperties = new() { [RegistryProperties.Origin] = "mistral" } },
                new CodeInterpreterToolCallContent("tooluse_1") { AdditionalProperties = Bedrock() },
                new TextContent("4"),
            ]),
            new ChatMessage(ChatRole.User, "Thanks"));

        // Bedrock's reasoning and Mistral's own never share a thinking chunk, so Mistral's signature covers only its text.
        AssertJson(new JsonArray([.. sent.Select(m => m?.DeepClone())]), """
            [{"role":"system","content":"Be brief."},
             {"role":"user","content":"2+2?"},
             {"role":"assistant","content":[
               {"type":"thinking","thinking":[{"type":"text","text":"Two plus two."}]},
               {"type":"thinking","thinking":[{"type":"text","text":"Mine."}],"signature":"mistral-sig"},
               {"type":"text","text":"4"}]},
             {"role":"user","content":"Thanks"}]
            """);
    }

    [Test]
    public async Task A_stored_conversation_read_back_still_keeps_another_providers_signature_out()
    {
        var stored = JsonSerializer.Serialize(
            new List<ChatMessage>
            {
                new(ChatRole.User, "2+2?"),
                new(ChatRole.Assistant, [new TextReasoningContent("Two plus two.") { ProtectedData = "bedrock-sig", AdditionalProperties = new() { [RegistryProperties.Origin] = "bedrock" } }, new TextContent("4")]),
                new(ChatRole.User, "Thanks"),
            },
            AIJsonUtilities.DefaultOptions);
        var history = JsonSerializer.Deserialize<List<ChatMessage>>(stored, AIJsonUtilities.DefaultOptions)!;
        Assert.That(history[1].Contents[0].AdditionalProperties![RegistryProperties.Origin], Is.InstanceOf<JsonElement>(), "the mark comes back as JSON");

        var sent = await MessagesSentAsync([.. history]);
        AssertJson(sent[1]!, """{"role":"assistant","content":[{"type":"thinking","thinking":[{"type":"text","text":"Two plus two."}]},{"type":"text","text":"4"}]}""");
    }

    [Test]
    public async Task Reasoning_and_unknown_chunks_of_an_answer_are_marked_as_Mistrals()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Completion(content: """[{"type":"thinking","thinking":[{"type":"text","text":"Hm."}],"signature":"s1"},{"type":"reference","reference_ids":[1]},{"type":"text","text":"4"}]"""));
        using var client = ChatClient(server);
        var contents = (await client.GetResponseAsync("2+2?")).Messages.Single().Contents;

        Assert.That(contents.Select(c => c.AdditionalProperties?.GetValueOrDefault(RegistryProperties.Origin)), Is.EqualTo(new object?[] { "mistral", "mistral", null }),
            "text is portable and stays unmarked");
    }

    [Test]
    public async Task Tool_results_with_images_become_chunks_and_results_in_user_messages_become_tool_messages()
    {
        var sent = await MessagesSentAsync(
            new ChatMessage(ChatRole.User, "Show me"),
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call-1", "get_image")]),
            new ChatMessage(ChatRole.User, [new FunctionResultContent("call-1", new AIContent[] { new TextContent("Here:"), new DataContent(Png, "image/png") }), new TextContent("Describe it")]));

        var id = sent[1]!["tool_calls"]![0]!["id"]!.GetValue<string>();
        Assert.Multiple(() =>
        {
            Assert.That(sent, Has.Count.EqualTo(4));
            AssertJson(sent[2]!, $$"""
                {"role":"tool","tool_call_id":"{{id}}","name":"get_image","content":[
                  {"type":"text","text":"Here:"},{"type":"image_url","image_url":{"url":"data:image/png;base64,{{Convert.ToBase64String(Png)}}"} }]}
                """);
            AssertJson(sent[3]!, """{"role":"user","content":"Describe it"}""");
            AssertJson(sent[1]!["tool_calls"]![0]!["function"]!, """{"name":"get_image","arguments":"{}"}""");
        });
    }

    [Test]
    public async Task Empty_system_messages_and_metadata_contents_are_not_sent()
    {
        var sent = await MessagesSentAsync(
            new ChatMessage(ChatRole.System, ""),
            new ChatMessage(ChatRole.User, [new TextContent("hi"), new UsageContent(new UsageDetails { InputTokenCount = 1 })]));
        AssertJson(sent, """[{"role":"user","content":"hi"}]""");
    }

    [Test]
    public void Unknown_roles_and_tool_messages_without_results_are_refused()
    {
        Assert.ThrowsAsync<ArgumentException>(() => MessagesSentAsync(new ChatMessage(new ChatRole("developer"), "x")));
        Assert.ThrowsAsync<ArgumentException>(() => MessagesSentAsync(new ChatMessage(ChatRole.User, "x"), new ChatMessage(ChatRole.Tool, "orphan")));
    }

    [Test]
    public async Task The_arguments_of_a_call_are_serialized_as_a_json_string()
    {
        var arguments = new Dictionary<string, object?> { ["n"] = 3, ["tags"] = new[] { "a", "b" }, ["nested"] = JsonElement.Parse("""{"x":true}""") };
        var sent = await MessagesSentAsync(
            new ChatMessage(ChatRole.User, "go"),
            new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("abcDEF123", "run", arguments)]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("abcDEF123", JsonElement.Parse("""{"ok":true}"""))]));
        var text = sent[1]!["tool_calls"]![0]!["function"]!["arguments"]!.GetValue<string>();
        Assert.Multiple(() =>
        {
            Assert.That(JsonEquivalence.Differences(JsonNode.Parse("""{"n":3,"tags":["a","b"],"nested":{"x":true}}"""), JsonNode.Parse(text)), Is.Empty);
            Assert.That(sent[2]!["content"]!.GetValue<string>(), Is.EqualTo("""{"ok":true}"""));
        });
    }
}
