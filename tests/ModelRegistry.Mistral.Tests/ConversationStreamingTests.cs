using Microsoft.Extensions.AI;
using ModelRegistry.Providers;
using ModelRegistry.Testing;
using static ModelRegistry.Mistral.Tests.ConversationFixtures;
using static ModelRegistry.Mistral.Tests.MistralTestKit;

namespace ModelRegistry.Mistral.Tests;

/// <summary>
/// Conversation event streams (<c>event: &lt;type&gt;</c> with the same <c>type</c> in the data) become MEAI updates that
/// carry the conversation id; function calls come whole with the finish reason, usage last; errors go through the kit.
/// </summary>
public sealed class ConversationStreamingTests
{
    private static async Task<(List<ChatResponseUpdate> Updates, ReplayServer Server)> StreamAsync(
        ScriptedResponse response, string input = "hi", ChatOptions? options = null)
    {
        var server = await ReplayServer.StartAsync();
        server.Enqueue(response);
        using var client = Client(server);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(input, options))
        {
            updates.Add(update);
        }

        Assert.Multiple(() =>
        {
            Assert.That(server.Requests.Single().Header("accept"), Is.EqualTo("text/event-stream"));
            Assert.That(server.Requests[0].Json!["stream"]!.GetValue<bool>(), Is.True);
        });
        return (updates, server);
    }

    [Test]
    public async Task A_started_conversation_streams_text_with_its_id_on_every_update_and_usage_last()
    {
        var (updates, server) = await StreamAsync(Events(
            Started(),
            Delta("\"Edward\""),
            Delta("\" Hopper\""),
            Delta("""{"type":"text","text":", 1942."}"""),
            Done()));
        await using var _ = server;

        var response = updates.ToChatResponse();
        Assert.Multiple(() =>
        {
            Assert.That(server.Requests[0].PathAndQuery, Is.EqualTo("/v1/conversations"));
            Assert.That(updates, Has.Count.EqualTo(5));
            Assert.That(updates.Select(u => u.ConversationId), Is.All.EqualTo(ConversationId));
            Assert.That(updates.Select(u => u.Role), Is.All.EqualTo(ChatRole.Assistant));
            Assert.That(response.ConversationId, Is.EqualTo(ConversationId));
            Assert.That(response.Text, Is.EqualTo("Edward Hopper, 1942."));
            Assert.That(response.Messages, Has.Count.EqualTo(1));
            Assert.That(response.Messages[0].MessageId, Is.EqualTo("msg_0196a4c5e7f81b2c3d4e5f60718293a4"));
            Assert.That(response.ModelId, Is.EqualTo("mistral-medium-2505"));
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
            Assert.That(updates[^1].Contents.OfType<UsageContent>().Single().Details.TotalTokenCount, Is.EqualTo(53));
        });
    }

    [Test]
    public async Task Appending_streams_to_the_conversation_path_and_function_call_deltas_become_one_call()
    {
        var (updates, server) = await StreamAsync(
            Events(
                Started(),
                """{"type":"function.call.delta","created_at":"2026-11-29T18:02:11Z","output_index":0,"id":"fc_1","model":"mistral-medium-2505","agent_id":null,"name":"get_weather","tool_call_id":"Q7wErT5yU","arguments":"{\"city\":"}""",
                """{"type":"function.call.delta","created_at":"2026-11-29T18:02:11Z","output_index":0,"id":"fc_1","model":"mistral-medium-2505","agent_id":null,"name":"","tool_call_id":"Q7wErT5yU","arguments":" \"Lyon\"}"}""",
                Done()),
            options: new ChatOptions { ConversationId = ConversationId });
        await using var _ = server;

        var call = updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>().Single();
        Assert.Multiple(() =>
        {
            Assert.That(server.Requests[0].PathAndQuery, Is.EqualTo($"/v1/conversations/{ConversationId}"));
            Assert.That(call.CallId, Is.EqualTo("Q7wErT5yU"));
            Assert.That(call.Name, Is.EqualTo("get_weather"));
            Assert.That(call.Arguments!["city"]?.ToString(), Is.EqualTo("Lyon"));
            Assert.That(updates[^1].Contents, Does.Contain(call), "the call comes whole with the last update");
            Assert.That(updates[^1].FinishReason, Is.EqualTo(ChatFinishReason.ToolCalls));
            Assert.That(updates[^1].ConversationId, Is.EqualTo(ConversationId));
        });
    }

    [Test]
    public async Task A_restart_streams_and_every_update_names_the_new_conversation()
    {
        var (updates, server) = await StreamAsync(
            Events(Started(RestartedId), Delta("\"Again.\""), Done()),
            options: new ChatOptions { ConversationId = ConversationId, AdditionalProperties = new() { [MistralProperties.FromEntryId] = "msg_1" } });
        await using var _ = server;

        Assert.Multiple(() =>
        {
            Assert.That(server.Requests[0].PathAndQuery, Is.EqualTo($"/v1/conversations/{ConversationId}/restart"));
            Assert.That(server.Requests[0].Json!["from_entry_id"]!.GetValue<string>(), Is.EqualTo("msg_1"));
            Assert.That(updates.Select(u => u.ConversationId), Is.All.EqualTo(RestartedId));
        });
    }

    [Test]
    public async Task Connectors_stream_as_hosted_tool_contents_with_citations_and_files_marked_as_mistral()
    {
        var (updates, server) = await StreamAsync(Events(
            Started(),
            """{"type":"tool.execution.started","created_at":"2026-11-29T18:02:11Z","output_index":0,"id":"tool_ws_1","model":"mistral-medium-2505","agent_id":null,"name":"web_search","arguments":"{\"query\": \"Nighthawks painting year\"}"}""",
            """{"type":"tool.execution.delta","created_at":"2026-11-29T18:02:11Z","output_index":0,"id":"tool_ws_1","name":"web_search","arguments":"year\"}"}""",
            """{"type":"tool.execution.done","created_at":"2026-11-29T18:02:12Z","output_index":0,"id":"tool_ws_1","name":"web_search","info":{}}""",
            Delta("\"Hopper painted it in 1942.\"", id: "msg_2"),
            Delta("""{"type":"tool_reference","tool":"web_search","title":"Nighthawks (Hopper)","url":"https://www.artic.edu/artworks/111628/nighthawks","favicon":null,"description":"Art Institute of Chicago"}""", 1, id: "msg_2"),
            """{"type":"tool.execution.started","created_at":"2026-11-29T18:02:12Z","output_index":2,"id":"tool_img_1","model":"mistral-medium-2505","agent_id":null,"name":"image_generation","arguments":"{\"prompt\": \"a diner at night\"}"}""",
            """{"type":"tool.execution.done","created_at":"2026-11-29T18:02:14Z","output_index":2,"id":"tool_img_1","name":"image_generation","info":{}}""",
            Delta("""{"type":"tool_file","tool":"image_generation","file_id":"9b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e","file_name":"image_generated_0","file_type":"png"}""", id: "msg_3"),
            """{"type":"agent.handoff.started","created_at":"2026-11-29T18:02:15Z","output_index":4,"id":"handoff_1","previous_agent_id":"ag_a","previous_agent_name":"router"}""",
            Done("""{"prompt_tokens":210,"completion_tokens":40,"total_tokens":250,"connector_tokens":96,"connectors":{"web_search":1,"image_generation":1}}""")));
        await using var _ = server;

        var contents = updates.SelectMany(u => u.Contents).ToList();
        var search = contents.OfType<WebSearchToolCallContent>().Single();
        var searched = contents.OfType<WebSearchToolResultContent>().Single();
        var text = contents.OfType<TextContent>().First(t => t.Annotations is { Count: > 0 });
        var citation = (CitationAnnotation)text.Annotations!.Single();
        var image = contents.OfType<ImageGenerationToolCallContent>().Single();
        var file = contents.OfType<HostedFileContent>().Single();
        var usage = contents.OfType<UsageContent>().Single().Details;
        Assert.Multiple(() =>
        {
            Assert.That(search.CallId, Is.EqualTo("tool_ws_1"));
            Assert.That(search.Queries, Is.EqualTo(new[] { "Nighthawks painting year" }));
            Assert.That(searched.CallId, Is.EqualTo("tool_ws_1"));
            Assert.That(citation.Title, Is.EqualTo("Nighthawks (Hopper)"));
            Assert.That(citation.Url, Is.EqualTo(new Uri("https://www.artic.edu/artworks/111628/nighthawks")));
            Assert.That(citation.ToolName, Is.EqualTo("web_search"));
            Assert.That(citation.Snippet, Is.EqualTo("Art Institute of Chicago"));
            Assert.That(image.CallId, Is.EqualTo("tool_img_1"));
            Assert.That(contents.OfType<ImageGenerationToolResultContent>().Single().CallId, Is.EqualTo("tool_img_1"));
            Assert.That(file.FileId, Is.EqualTo("9b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e"));
            Assert.That(file.MediaType, Is.EqualTo("image/png"));
            Assert.That(new AIContent[] { search, searched, image, file }.Select(Origin), Is.All.EqualTo("mistral"));
            Assert.That(contents.Count(c => c.GetType() == typeof(AIContent)), Is.EqualTo(1), "the handoff, kept whole");
            Assert.That(contents.Any(c => c.RawRepresentation is System.Text.Json.JsonElement e && e.TryGetProperty("type", out var t) && t.GetString() == "tool.execution.delta"), Is.False);
            Assert.That(usage.TotalTokenCount, Is.EqualTo(250));
            Assert.That(usage.AdditionalCounts![MistralProperties.ConnectorTokens], Is.EqualTo(96));
            Assert.That(updates.ToChatResponse().Text, Does.Contain("Hopper painted it in 1942."));
        });
    }

    [Test]
    public async Task An_error_event_throws_the_kits_error_with_mistrals_code()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Events(
            Started(),
            Delta("\"Partial\""),
            """{"type":"conversation.response.error","created_at":"2026-11-29T18:02:12Z","message":"Service is temporarily overloaded","code":3505}"""));
        using var client = Client(server);
        var seen = new List<ChatResponseUpdate>();

        var error = Assert.ThrowsAsync<ModelProviderException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("hi"))
            {
                seen.Add(update);
            }
        });

        Assert.Multiple(() =>
        {
            Assert.That(seen, Has.Count.EqualTo(2), "the updates before the error arrived");
            Assert.That(error!.ErrorCode, Is.EqualTo("3505"));
            Assert.That(error.Message, Does.Contain("Service is temporarily overloaded"));
            Assert.That(error.Provider, Is.EqualTo("mistral"));
        });
    }

    [Test]
    public async Task A_stream_that_ends_before_done_is_truncated()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Events(Started(), Delta("\"Cut\"")));
        using var client = Client(server);

        var error = Assert.ThrowsAsync<ModelProviderException>(async () =>
        {
            await foreach (var _ in client.GetStreamingResponseAsync("hi"))
            {
            }
        });

        Assert.That(error!.ErrorCode, Is.EqualTo(ProviderErrorCodes.ResponseTruncated));
    }

    [Test]
    public async Task Streaming_to_an_unknown_conversation_names_it()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"detail":"Not Found"}""", 404));
        using var client = Client(server);

        var error = Assert.ThrowsAsync<ModelProviderException>(async () =>
        {
            await foreach (var _ in client.GetStreamingResponseAsync("hi", new ChatOptions { ConversationId = "conv_gone" }))
            {
            }
        });

        Assert.Multiple(() =>
        {
            Assert.That(error!.ErrorCode, Is.EqualTo("conversation_not_found"));
            Assert.That(error.StatusCode, Is.EqualTo(404));
            Assert.That(error.Message, Does.Contain("'conv_gone'"));
        });
    }

    private static string? Origin(AIContent content) =>
        content.AdditionalProperties?.TryGetValue(RegistryProperties.Origin, out var origin) == true ? origin as string : null;
}
