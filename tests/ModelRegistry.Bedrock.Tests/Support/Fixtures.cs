using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Testing;

namespace ModelRegistry.Bedrock.Tests.Support;

/// <summary>Our own Converse fixtures, written from the service model, and a helper that returns what the client sent.</summary>
internal static class Fixtures
{
    public const string Claude = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
    public const string Nova = "us.amazon.nova-micro-v1:0";
    public const string Llama = "us.meta.llama4-maverick-17b-instruct-v1:0";

    public static string Converse(string contentJson = """[{"text":"Paris."}]""", string stopReason = "end_turn", string usage = """{"inputTokens":10,"outputTokens":3,"totalTokens":13}""", string extra = "") =>
        $$$"""{"output":{"message":{"role":"assistant","content":{{{contentJson}}}}},"stopReason":"{{{stopReason}}}","usage":{{{usage}}},"metrics":{"latencyMs":42}{{{extra}}}}""";

    public static ScriptedResponse Ok(string? body = null) => ScriptedResponse.Json(body ?? Converse(), 200, ("x-amzn-RequestId", "req-123"));

    /// <summary>Sends one call and returns the JSON body the server received.</summary>
    public static async Task<JsonObject> SentAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, string model = Claude, Action<BedrockClientOptions>? configure = null)
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Ok());
        var clientOptions = TestClients.Options(server);
        configure?.Invoke(clientOptions);
        using var client = TestClients.Chat(clientOptions, model);
        await client.GetResponseAsync(messages, options);
        return server.Requests.Single().Json!.AsObject();
    }

    /// <summary>Sends one call answered by <paramref name="response"/> and returns the mapped response.</summary>
    public static async Task<ChatResponse> ResponseAsync(string response, ChatOptions? options = null, string model = Claude)
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Ok(response));
        using var client = TestClients.Chat(server, model);
        return await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Hi")], options);
    }

    public static void AssertJson(JsonNode? actual, string expected)
    {
        var differences = JsonEquivalence.Differences(JsonNode.Parse(expected), actual);
        Assert.That(differences, Is.Empty, actual?.ToJsonString());
    }
}
