using System.Text.Json.Nodes;

namespace ModelRegistry.Testing;

/// <summary>
/// testwire's answers (the format <see cref="TestWireProvider"/> documents), for tests that script a
/// <see cref="ReplayServer"/> behind a <c>"provider": "testwire"</c> entry: registry behaviour (retries, fallback,
/// breakers, limits, embeddings, health) over real loopback HTTP.
/// </summary>
public static class TestWireAnswers
{
    /// <summary>A chat answer: one text block, finish <c>stop</c>, and its usage.</summary>
    /// <param name="text">The answer's text.</param>
    /// <param name="inputTokens">Usage: input tokens.</param>
    /// <param name="outputTokens">Usage: output tokens.</param>
    public static ScriptedResponse Text(string text, long inputTokens = 10, long outputTokens = 5) =>
        Answer([Block("text", ("text", text))], "stop", Usage(inputTokens, outputTokens));

    /// <summary>
    /// A streamed answer: <c>start</c>, one <c>text</c> event per part, then <c>done</c> (finish <c>stop</c>, usage 10
    /// in, 5 out). Cut after <c>start</c> and the first part (<see cref="WireStream.ResetEarly"/> and the like).
    /// </summary>
    /// <param name="parts">The text parts, at least one.</param>
    public static WireStream Stream(params string[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentOutOfRangeException.ThrowIfZero(parts.Length);
        return WireStream.ServerSentEvents(2, [Start(), .. parts.Select(p => Event("text", ("text", p))), Done("stop", Usage(10, 5))]);
    }

    /// <summary>An embeddings answer, one vector per input, with usage.</summary>
    /// <param name="vectors">The vectors, in the order of the inputs.</param>
    public static ScriptedResponse Embeddings(params float[][] vectors)
    {
        ArgumentNullException.ThrowIfNull(vectors);
        return ScriptedResponse.Json(new JsonObject
        {
            ["embeddings"] = new JsonArray([.. vectors.Select(v => new JsonArray([.. v.Select(x => JsonValue.Create(x))]))]),
            ["usage"] = new JsonObject { ["input"] = vectors.Length },
        }.ToJsonString());
    }

    /// <summary>The health probe's answer for a model that can be called.</summary>
    /// <param name="modelId">The model id.</param>
    public static ScriptedResponse Available(string modelId) =>
        ScriptedResponse.Json(new JsonObject { ["id"] = modelId, ["status"] = "available" }.ToJsonString());

    /// <summary>An error answer: <c>{"error": {"type": "status_NNN", "message"}}</c> with this status.</summary>
    /// <param name="status">The HTTP status.</param>
    /// <param name="message">The error's message.</param>
    /// <param name="headers">More headers, e.g. <c>("Retry-After", "2")</c>.</param>
    public static ScriptedResponse Error(int status, string message, params (string Name, string Value)[] headers) =>
        ScriptedResponse.Json(new JsonObject { ["error"] = new JsonObject { ["type"] = $"status_{status}", ["message"] = message } }.ToJsonString(), status, headers);

    internal static ScriptedResponse Answer(JsonObject[] content, string finish, JsonObject usage) => ScriptedResponse.Json(new JsonObject
    {
        ["id"] = "conf-answer",
        ["model"] = "wire-large-1",
        ["content"] = new JsonArray(content),
        ["finish"] = finish,
        ["usage"] = usage,
    }.ToJsonString());

    internal static JsonObject Usage(long input, long output) => new() { ["input"] = input, ["output"] = output };

    internal static JsonObject Block(string type, params (string Name, JsonNode? Value)[] fields) =>
        new([new("type", type), .. fields.Select(f => new KeyValuePair<string, JsonNode?>(f.Name, f.Value))]);

    internal static string Start() => Event("start", ("id", "conf-stream"), ("model", "wire-large-1"));

    internal static string Done(string finish, JsonObject usage) => Event("done", ("finish", finish), ("usage", usage));

    internal static string Event(string name, params (string Name, JsonNode? Value)[] fields) =>
        $"event: {name}\ndata: {new JsonObject([.. fields.Select(f => new KeyValuePair<string, JsonNode?>(f.Name, f.Value))]).ToJsonString()}";
}
