using System.Text.Json;
using System.Text.Json.Nodes;
using ModelRegistry.Testing;

namespace ModelRegistry.OpenAI.Tests.RecordedTraffic;

/// <summary>
/// Compares the request our client sent with the one pydantic-ai recorded against the live API. Both are brought to one
/// form first; each rule is a difference that does not change what the API does, with the reason:
/// <list type="number">
/// <item><b>null fields</b> are dropped: every nullable field's default is null, and we leave unset fields out.</item>
/// <item><b><c>n: 1</c></b> is dropped from the recording: it is the API's default, and MEAI has no choice count (a
/// <see cref="Microsoft.Extensions.AI.ChatResponse"/> is one answer), so we never send <c>n</c>.</item>
/// <item><b>user content</b>: an array holding exactly one text part equals that text as a string (the API reference
/// gives both forms one meaning); we send the string.</item>
/// <item><b>tool call arguments</b> are compared as JSON, not as text: pydantic-ai writes <c>{"city": "Paris"}</c>,
/// System.Text.Json writes <c>{"city":"Paris"}</c>.</item>
/// </list>
/// </summary>
/// <remarks>
/// A Responses API request is brought to one form by rules 1, 3 (an <c>input</c> message whose content is one
/// <c>input_text</c> part equals that text as a string) and 4 (<c>function_call</c> items' arguments).
/// </remarks>
internal static class RequestComparison
{
    public static IReadOnlyList<string> Differences(JsonObject recorded, JsonObject sent) =>
        JsonEquivalence.Differences(Normalize(recorded, isRecording: true), Normalize(sent, isRecording: false));

    public static IReadOnlyList<string> ResponsesDifferences(JsonObject recorded, JsonObject sent) =>
        JsonEquivalence.Differences(NormalizeResponses(recorded), NormalizeResponses(sent));

    private static JsonObject NormalizeResponses(JsonObject body)
    {
        var copy = (JsonObject)DropNulls(body.DeepClone())!;
        foreach (var item in copy["input"] as JsonArray ?? [])
        {
            if (item is not JsonObject input)
            {
                continue;
            }

            if (input["content"] is JsonArray { Count: 1 } parts && parts[0] is JsonObject only && only["type"]?.GetValue<string>() == "input_text" && only.Count == 2)
            {
                input["content"] = only["text"]!.GetValue<string>();
            }

            if (input["type"]?.GetValue<string>() == "function_call" && input["arguments"] is JsonValue text && text.GetValueKind() == JsonValueKind.String)
            {
                input["arguments"] = JsonNode.Parse(text.GetValue<string>());
            }
        }

        return copy;
    }

    private static JsonObject Normalize(JsonObject body, bool isRecording)
    {
        var copy = (JsonObject)DropNulls(body.DeepClone())!;
        if (isRecording && copy["n"] is JsonValue n && n.ToJsonString() == "1")
        {
            copy.Remove("n");
        }

        foreach (var message in copy["messages"]!.AsArray().Select(m => m!.AsObject()))
        {
            if (message["content"] is JsonArray { Count: 1 } parts && parts[0] is JsonObject only && only["type"]?.GetValue<string>() == "text")
            {
                message["content"] = only["text"]!.GetValue<string>();
            }

            foreach (var call in message["tool_calls"] as JsonArray ?? [])
            {
                var function = call!["function"]!.AsObject();
                if (function["arguments"] is JsonValue text && text.GetValueKind() == JsonValueKind.String)
                {
                    function["arguments"] = JsonNode.Parse(text.GetValue<string>());
                }
            }
        }

        return copy;
    }

    private static JsonNode? DropNulls(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Where(p => p.Value is null).Select(p => p.Key).ToList())
                {
                    obj.Remove(key);
                }

                foreach (var (_, value) in obj)
                {
                    DropNulls(value);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    DropNulls(item);
                }

                break;
        }

        return node;
    }
}
