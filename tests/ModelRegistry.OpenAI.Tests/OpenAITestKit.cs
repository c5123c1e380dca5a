using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;
using ModelRegistry.Testing;

namespace ModelRegistry.OpenAI.Tests;

/// <summary>Builds clients that talk to a loopback <see cref="ReplayServer"/>, and the Chat Completions answers our fixtures serve.</summary>
internal static class OpenAITestKit
{
    /// <summary>An obviously fake key; tests check it never leaks into messages.</summary>
    public const string ApiKey = "sk-test-OpenAI0Key1For2Tests";

    /// <summary>No environment variables at all: what the process has set never reaches a test.</summary>
    public static EnvironmentProvider NoEnvironment { get; } = EnvironmentProvider.FromVariables(new Dictionary<string, string?>());

    public static OpenAIClientOptions Options(ReplayServer server, int maxRetries = 0, TimeProvider? time = null) => new()
    {
        Endpoint = new Uri(server.BaseAddress, "v1"),
        ApiKey = ApiKey,
        TimeProvider = time,
        Environment = NoEnvironment,
        Resilience = new ProviderResilienceOptions { MaxRetries = maxRetries, UseJitter = false },
    };

    public static IChatClient ChatClient(ReplayServer server, string model = "gpt-4.1-mini", OpenAIClientOptions? options = null) =>
        new OpenAIClient(options ?? Options(server)).AsIChatClient(model);

    /// <summary>A non-streaming chat completion.</summary>
    public static ScriptedResponse Completion(
        string content = "\"Hello!\"", string finish = "stop", string toolCalls = "null",
        string usage = """{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}""", string model = "gpt-4.1-mini-2025-04-14", string extra = "") =>
        ScriptedResponse.Json($$"""
            {"id":"chatcmpl-Test0001","object":"chat.completion","model":"{{model}}","created":1764257531,
             "choices":[{"index":0,"message":{"role":"assistant","content":{{content}},"tool_calls":{{toolCalls}},"refusal":null{{extra}}},"finish_reason":"{{finish}}"}],
             "usage":{{usage}}}
            """);

    /// <summary>Options for a client of the Responses API on the loopback server.</summary>
    public static OpenAIClientOptions ResponsesOptions(ReplayServer server, int maxRetries = 0)
    {
        var options = Options(server, maxRetries);
        options.Api = OpenAIWireApi.Responses;
        return options;
    }

    /// <summary>A Responses API response object with the given output items (by default one assistant message saying "Hello!").</summary>
    public static string ResponseObject(
        string? output = null, string status = "completed", string usage = """{"input_tokens":5,"output_tokens":2,"total_tokens":7}""", string extra = "") =>
        $$"""
        {"id":"resp_Test0001","object":"response","created_at":1764257531,"status":"{{status}}","model":"gpt-5-mini-2025-08-07","store":true,
         "output":{{output ?? """[{"type":"message","id":"msg_Test0001","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hello!","annotations":[]}]}]"""}},
         "usage":{{usage}}{{extra}}}
        """;

    /// <summary>A non-streaming Responses API answer (<see cref="ResponseObject"/>).</summary>
    public static ScriptedResponse ResponsesBody(
        string? output = null, string status = "completed", string usage = """{"input_tokens":5,"output_tokens":2,"total_tokens":7}""", string extra = "") =>
        ScriptedResponse.Json(ResponseObject(output, status, usage, extra));

    /// <summary>A Responses API event stream: each payload as <c>event: {type}</c> and <c>data: {payload}</c>.</summary>
    public static ScriptedResponse ResponsesStream(params string[] payloads) => new()
    {
        Headers = [new("Content-Type", "text/event-stream; charset=utf-8")],
        Body = Encoding.UTF8.GetBytes(string.Concat(payloads.Select(p => $"event: {JsonNode.Parse(p)!["type"]}\ndata: {p}\n\n"))),
    };

    /// <summary>An event stream whose events are the given JSON payloads, ended by <c>[DONE]</c> unless told otherwise.</summary>
    public static ScriptedResponse Stream(IEnumerable<string> payloads, bool done = true) => new()
    {
        Headers = [new("Content-Type", "text/event-stream; charset=utf-8")],
        Body = Encoding.UTF8.GetBytes(string.Concat(payloads.Select(p => $"data: {p}\n\n")) + (done ? "data: [DONE]\n\n" : string.Empty)),
    };

    /// <summary>One stream chunk with the given delta JSON.</summary>
    public static string Chunk(string delta, string? finish = null) =>
        $$"""{"id":"chatcmpl-Stream01","object":"chat.completion.chunk","created":1764296393,"model":"gpt-4.1-mini-2025-04-14","choices":[{"index":0,"delta":{{delta}},"finish_reason":{{(finish is null ? "null" : $"\"{finish}\"")}}}],"usage":null}""";

    /// <summary>The last chunk of a stream with <c>include_usage</c>: no choices, the usage.</summary>
    public static string UsageChunk(string usage) =>
        $$"""{"id":"chatcmpl-Stream01","object":"chat.completion.chunk","created":1764296393,"model":"gpt-4.1-mini-2025-04-14","choices":[],"usage":{{usage}}}""";

    /// <summary>Asserts that JSON is semantically equal to the expected text, showing the actual JSON when not.</summary>
    public static void AssertJson(JsonNode? actual, string expected) =>
        Assert.That(JsonEquivalence.Differences(JsonNode.Parse(expected), actual), Is.Empty, actual?.ToJsonString());

    /// <summary>The JSON body of the only request the server received.</summary>
    public static JsonObject SingleRequest(ReplayServer server)
    {
        Assert.That(server.Requests, Has.Count.EqualTo(1), "exactly one request");
        return (JsonObject)server.Requests[0].Json!;
    }
}
