using System.Text;
using Microsoft.Extensions.AI;
using ModelRegistry.Testing;

namespace ModelRegistry.Mistral.Tests;

/// <summary>
/// Conversations API answers written from Mistral's OpenAPI document (<c>ConversationResponse</c>, <c>ConversationHistory</c>,
/// the <c>ConversationEvents</c> stream): no recorded conversation traffic exists, so these are our own, shaped as the spec says.
/// </summary>
internal static class ConversationFixtures
{
    public const string ConversationId = "conv_0196a4c5e2d17a8b9c0d1e2f3a4b5c6d";
    public const string RestartedId = "conv_0196a4c9f0e1d2c3b4a5968778695a4b";
    public const string Created = "2026-11-29T18:02:11.482937Z";
    public const string Completed = "2026-11-29T18:02:12.901244Z";
    public const string Usage = """{"prompt_tokens":41,"completion_tokens":12,"total_tokens":53,"connector_tokens":null,"connectors":null}""";

    /// <summary>A client over the Conversations API (direct use with <see cref="MistralClientOptions.Conversations"/>).</summary>
    public static IChatClient Client(ReplayServer server, string model = "mistral-medium-latest", string? agentId = null, int maxRetries = 0)
    {
        var options = MistralTestKit.Options(server, maxRetries);
        options.Conversations = true;
        var mistral = new MistralClient(options);
        return agentId is null ? mistral.AsIChatClient(model) : mistral.AsIAgentChatClient(agentId);
    }

    /// <summary>A <c>message.output</c> entry whose content is the given JSON (a string or chunks).</summary>
    public static string Output(string content, string id = "msg_0196a4c5e7f81b2c3d4e5f60718293a4", string model = "mistral-medium-2505") =>
        $$"""{"object":"entry","type":"message.output","created_at":"{{Created}}","completed_at":"{{Completed}}","agent_id":null,"model":"{{model}}","id":"{{id}}","role":"assistant","content":{{content}}}""";

    /// <summary>A <c>function.call</c> entry.</summary>
    public static string FunctionCall(string toolCallId, string name, string arguments, string id = "fc_0196a4c5e7f81b2c3d4e5f60718293b5") =>
        $$"""{"object":"entry","type":"function.call","created_at":"{{Created}}","completed_at":null,"agent_id":null,"model":"mistral-medium-2505","id":"{{id}}","tool_call_id":"{{toolCallId}}","name":"{{name}}","arguments":{{System.Text.Json.JsonSerializer.Serialize(arguments)}}}""";

    /// <summary>A <c>ConversationResponse</c> with the given output entries.</summary>
    public static ScriptedResponse Response(string conversationId, params string[] outputs) => ScriptedResponse.Json(
        $$"""{"object":"conversation.response","conversation_id":"{{conversationId}}","outputs":[{{string.Join(",", outputs)}}],"usage":{{Usage}}}""");

    /// <summary>A conversation event stream: each pair is an SSE <c>event:</c> name and its <c>data</c> JSON (which repeats the name as <c>type</c>).</summary>
    public static ScriptedResponse Events(params string[] data) => new()
    {
        Headers = [new("Content-Type", "text/event-stream; charset=utf-8")],
        Body = Encoding.UTF8.GetBytes(string.Concat(data.Select(d => $"event: {TypeOf(d)}\ndata: {d}\n\n"))),
    };

    public static string Started(string conversationId = ConversationId) =>
        $$"""{"type":"conversation.response.started","created_at":"{{Created}}","conversation_id":"{{conversationId}}"}""";

    public static string Delta(string content, int contentIndex = 0, string id = "msg_0196a4c5e7f81b2c3d4e5f60718293a4") =>
        $$"""{"type":"message.output.delta","created_at":"{{Created}}","output_index":0,"id":"{{id}}","content_index":{{contentIndex}},"model":"mistral-medium-2505","agent_id":null,"role":"assistant","content":{{content}}}""";

    public static string Done(string usage = Usage) =>
        $$"""{"type":"conversation.response.done","created_at":"{{Completed}}","usage":{{usage}}}""";

    private static string TypeOf(string data)
    {
        using var document = System.Text.Json.JsonDocument.Parse(data);
        return document.RootElement.GetProperty("type").GetString()!;
    }
}
