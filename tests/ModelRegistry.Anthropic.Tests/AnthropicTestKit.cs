using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;
using ModelRegistry.Testing;

namespace ModelRegistry.Anthropic.Tests;

/// <summary>Builds clients that talk to a loopback <see cref="ReplayServer"/>, and the Messages API answers our fixtures serve.</summary>
internal static class AnthropicTestKit
{
    /// <summary>An obviously fake key; tests check it never leaks into messages.</summary>
    public const string ApiKey = "sk-ant-test-Fake0Key1For2Tests";

    /// <summary>No environment variables at all: what the process has set never reaches a test.</summary>
    public static EnvironmentProvider NoEnvironment { get; } = EnvironmentProvider.FromVariables(new Dictionary<string, string?>());

    public static AnthropicClientOptions Options(ReplayServer server, int maxRetries = 0, TimeProvider? time = null) => new()
    {
        Endpoint = server.BaseAddress,
        ApiKey = ApiKey,
        TimeProvider = time,
        Environment = NoEnvironment,
        Resilience = new ProviderResilienceOptions { MaxRetries = maxRetries, UseJitter = false },
    };

    public static IChatClient ChatClient(ReplayServer server, string model = "claude-sonnet-4-5", AnthropicClientOptions? options = null) =>
        new AnthropicClient(options ?? Options(server)).AsIChatClient(model);

    /// <summary>A whole message with the given content blocks (JSON array text).</summary>
    public static ScriptedResponse Message(
        string content = """[{"type":"text","text":"Hello!"}]""", string stop = "end_turn",
        string usage = """{"input_tokens":5,"output_tokens":2}""", string id = "msg_01Test", string model = "claude-sonnet-4-5-20250929") =>
        ScriptedResponse.Json($$"""
            {"id":"{{id}}","type":"message","role":"assistant","model":"{{model}}","content":{{content}},
             "stop_reason":"{{stop}}","stop_sequence":null,"usage":{{usage}}}
            """);

    /// <summary>An event stream of (event name, data JSON) pairs.</summary>
    public static ScriptedResponse Stream(params (string Event, string Data)[] events) => new()
    {
        Headers = [new("Content-Type", "text/event-stream; charset=utf-8")],
        Body = Encoding.UTF8.GetBytes(string.Concat(events.Select(e => $"event: {e.Event}\ndata: {e.Data}\n\n"))),
    };

    /// <summary>The events that open a stream.</summary>
    public static (string, string) MessageStart(string usage = """{"input_tokens":5,"output_tokens":1}""") =>
        ("message_start", $$$"""{"type":"message_start","message":{"id":"msg_01Stream","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"usage":{{{usage}}}}}""");

    public static (string, string) BlockStart(int index, string block) =>
        ("content_block_start", $$"""{"type":"content_block_start","index":{{index}},"content_block":{{block}}}""");

    public static (string, string) Delta(int index, string delta) =>
        ("content_block_delta", $$"""{"type":"content_block_delta","index":{{index}},"delta":{{delta}}}""");

    public static (string, string) BlockStop(int index) =>
        ("content_block_stop", $$"""{"type":"content_block_stop","index":{{index}}}""");

    public static (string, string) MessageDelta(string stop = "end_turn", string usage = """{"output_tokens":2}""") =>
        ("message_delta", $$"""{"type":"message_delta","delta":{"stop_reason":"{{stop}}","stop_sequence":null},"usage":{{usage}}}""");

    public static (string, string) MessageStop() => ("message_stop", """{"type":"message_stop"}""");

    public static (string, string) Ping() => ("ping", """{"type":"ping"}""");

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
