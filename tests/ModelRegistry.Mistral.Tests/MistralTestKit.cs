using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;
using ModelRegistry.Testing;

namespace ModelRegistry.Mistral.Tests;

/// <summary>Builds clients that talk to a loopback <see cref="ReplayServer"/>, and the Mistral responses our fixtures serve.</summary>
internal static class MistralTestKit
{
    /// <summary>An obviously fake key; tests check it never leaks into messages.</summary>
    public const string ApiKey = "sk-fake-Mistral0Key1For2Tests";

    /// <summary>No environment variables at all: what the process has set never reaches a test.</summary>
    public static EnvironmentProvider NoEnvironment { get; } = EnvironmentProvider.FromVariables(new Dictionary<string, string?>());

    public static MistralClientOptions Options(ReplayServer server, int maxRetries = 0, TimeProvider? time = null) => new()
    {
        Endpoint = server.BaseAddress,
        ApiKey = ApiKey,
        TimeProvider = time,
        Environment = NoEnvironment,
        Resilience = new ProviderResilienceOptions { MaxRetries = maxRetries, UseJitter = false },
    };

    public static IChatClient ChatClient(ReplayServer server, string model = "mistral-large-latest", MistralClientOptions? options = null) =>
        new MistralClient(options ?? Options(server)).AsIChatClient(model);

    /// <summary>A non-streaming chat completion.</summary>
    public static ScriptedResponse Completion(
        string content = "\"Hello!\"", string finish = "stop", string toolCalls = "null", string usage = """{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}""",
        string id = "0123456789abcdef0123456789abcdef", string model = "mistral-large-latest") =>
        ScriptedResponse.Json($$"""
            {"id":"{{id}}","object":"chat.completion","model":"{{model}}","created":1764257531,
             "choices":[{"index":0,"message":{"role":"assistant","content":{{content}},"tool_calls":{{toolCalls}},"prefix":false},"finish_reason":"{{finish}}"}],
             "usage":{{usage}}}
            """);

    /// <summary>An event stream whose events are the given JSON payloads, ended by <c>[DONE]</c> unless told otherwise.</summary>
    public static ScriptedResponse Stream(IEnumerable<string> payloads, bool done = true, string newline = "\n") => new()
    {
        Headers = [new("Content-Type", "text/event-stream; charset=utf-8")],
        Body = Encoding.UTF8.GetBytes(string.Concat(payloads.Select(p => $"data: {p}{newline}{newline}")) + (done ? $"data: [DONE]{newline}{newline}" : string.Empty)),
    };

    /// <summary>One stream chunk with the given delta JSON.</summary>
    public static string Chunk(string delta, string? finish = null, string? usage = null, string id = "c0ffee00c0ffee00c0ffee00c0ffee00") =>
        $$"""{"id":"{{id}}","object":"chat.completion.chunk","created":1764296393,"model":"mistral-small-latest","choices":[{"index":0,"delta":{{delta}},"finish_reason":{{(finish is null ? "null" : $"\"{finish}\"")}}}]{{(usage is null ? string.Empty : $",\"usage\":{usage}")}}}""";

    /// <summary>Asserts that JSON is semantically equal to the expected text, showing the actual JSON when not.</summary>
    public static void AssertJson(JsonNode actual, string expected) =>
        Assert.That(JsonEquivalence.Differences(JsonNode.Parse(expected), actual), Is.Empty, actual.ToJsonString());

    /// <summary>Waits (polling, at most 10 real seconds) until the server has received <paramref name="count"/> requests.</summary>
    public static async Task WaitForRequestsAsync(ReplayServer server, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (server.Requests.Count < count)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"the server received {server.Requests.Count} of {count} requests");
            await Task.Delay(5);
        }
    }

    /// <summary>The JSON body of the only request the server received.</summary>
    public static JsonObject SingleRequest(ReplayServer server)
    {
        Assert.That(server.Requests, Has.Count.EqualTo(1), "exactly one request");
        return (JsonObject)server.Requests[0].Json!;
    }
}
