using System.Text.Json;
using System.Text.Json.Nodes;
using ModelRegistry.Testing;

namespace ModelRegistry.Mistral.Tests.RecordedTraffic;

/// <summary>
/// Compares the request our client sent with the one pydantic-ai recorded against the live API. Both are brought to one
/// form first; each rule below is a difference that does not change what the API does, with the reason:
/// <list type="number">
/// <item><b>null fields</b> (<c>"frequency_penalty": null</c>, <c>"stop": null</c>) are dropped: every nullable field's
/// default is null, and we leave unset fields out rather than send them.</item>
/// <item><b><c>n: 1</c></b> is dropped from the recording: it is the API's default, and MEAI has no choice count (a
/// <see cref="Microsoft.Extensions.AI.ChatResponse"/> is one answer), so we never send <c>n</c>.</item>
/// <item><b><c>"type": "function"</c></b> on tools and tool calls is dropped: it is the only type a function tool can
/// have (the spec's default). We send it, pydantic-ai leaves it out.</item>
/// <item><b>assistant <c>prefix: false</c> and <c>tool_calls: []</c></b> are dropped: both are the defaults.</item>
/// <item><b>assistant content</b>: an array holding exactly one text chunk equals that text as a string; an empty array
/// beside <c>tool_calls</c> equals <c>""</c> (we send <c>""</c>, which the reference shows accepted by every model, where
/// non-empty content beside tool calls has been refused).</item>
/// <item><b>tool call arguments</b> are compared as JSON, not as text: pydantic-ai writes <c>{"city": "Paris"}</c>,
/// System.Text.Json writes <c>{"city":"Paris"}</c>.</item>
/// <item><b>tool message <c>name</c></b>: we add the function name (Mistral's docs and SDKs send it; the issue requires
/// it); pydantic-ai does not. The name is checked against the matching call, then dropped for the comparison.</item>
/// </list>
/// </summary>
internal static class RequestComparison
{
    public static IReadOnlyList<string> Differences(JsonObject recorded, JsonObject sent)
    {
        var expected = Normalize(recorded, isRecording: true);
        var actual = Normalize(sent, isRecording: false);
        return JsonEquivalence.Differences(expected, actual);
    }

    private static JsonObject Normalize(JsonObject body, bool isRecording)
    {
        var copy = (JsonObject)DropNulls(body.DeepClone())!;
        if (isRecording && copy["n"] is JsonValue n && n.ToJsonString() == "1")
        {
            copy.Remove("n");
        }

        if (copy["tools"] is JsonArray tools)
        {
            foreach (var tool in tools)
            {
                DropDefaultType(tool!.AsObject());
            }
        }

        var names = new Dictionary<string, string>();
        foreach (var message in copy["messages"]!.AsArray().Select(m => m!.AsObject()))
        {
            var role = message["role"]!.GetValue<string>();
            if (role == "assistant")
            {
                NormalizeAssistant(message, names);
            }
            else if (role == "tool" && message["name"] is { } name)
            {
                var id = message["tool_call_id"]!.GetValue<string>();
                Assert.That(name.GetValue<string>(), Is.EqualTo(names[id]), $"the tool message for {id} names the function that was called");
                message.Remove("name");
            }
        }

        return copy;
    }

    private static void NormalizeAssistant(JsonObject message, Dictionary<string, string> names)
    {
        if (message["prefix"] is JsonValue prefix && !prefix.GetValue<bool>())
        {
            message.Remove("prefix");
        }

        var calls = message["tool_calls"] as JsonArray;
        if (calls is { Count: 0 })
        {
            message.Remove("tool_calls");
            calls = null;
        }

        if (message["content"] is JsonArray content)
        {
            if (content.Count == 0 && calls is not null)
            {
                message["content"] = string.Empty;
            }
            else if (content is [JsonObject only] && only["type"]?.GetValue<string>() == "text")
            {
                message["content"] = only["text"]!.GetValue<string>();
            }
        }

        foreach (var call in calls ?? [])
        {
            var value = call!.AsObject();
            DropDefaultType(value);
            var function = value["function"]!.AsObject();
            names[value["id"]!.GetValue<string>()] = function["name"]!.GetValue<string>();
            if (function["arguments"] is JsonValue text && text.GetValueKind() == JsonValueKind.String)
            {
                function["arguments"] = JsonNode.Parse(text.GetValue<string>());
            }
        }
    }

    private static void DropDefaultType(JsonObject item)
    {
        if (item["type"] is JsonValue type && type.GetValue<string>() == "function")
        {
            item.Remove("type");
        }
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
