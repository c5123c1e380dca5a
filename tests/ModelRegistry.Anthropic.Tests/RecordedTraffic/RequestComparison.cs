using System.Text.Json.Nodes;
using ModelRegistry.Testing;

namespace ModelRegistry.Anthropic.Tests.RecordedTraffic;

/// <summary>
/// Compares the request our client sent with the one pydantic-ai recorded against the live API. Both are brought to one
/// form first; each rule below is a difference that does not change what the API does, with the reason:
/// <list type="number">
/// <item><b>null fields</b> are dropped: the API's default for every optional field, and we leave unset fields out (the
/// recorded <c>web_search_20250305</c> tool sends <c>max_uses</c>, <c>allowed_domains</c>, <c>blocked_domains</c> and
/// <c>user_location</c> as explicit nulls, which mean "not set", the same as absent: equality does not need them).</item>
/// <item><b><c>system</c></b>: a string equals one text block holding it (the API documents both forms); blocks are
/// compared one by one.</item>
/// <item><b>message <c>content</c></b>: a string equals one text block holding it (both documented forms).</item>
/// <item><b><c>tool_result.is_error: false</c></b> is dropped: false is the default, and we send the field only when true.</item>
/// <item><b>empty tool <c>description</c></b> is dropped: we leave out a description the function does not have.</item>
/// </list>
/// The path differs too: the SDK pydantic-ai uses calls <c>/v1/messages?beta=true</c> (its beta client, for beta
/// headers it did not send in these recordings); we call <c>/v1/messages</c>, the documented endpoint.
/// </summary>
internal static class RequestComparison
{
    public static IReadOnlyList<string> Differences(JsonObject recorded, JsonObject sent) =>
        JsonEquivalence.Differences(Normalize(recorded), Normalize(sent));

    private static JsonObject Normalize(JsonObject body)
    {
        var copy = (JsonObject)DropNulls(body.DeepClone())!;
        if (copy["system"] is JsonValue system)
        {
            copy["system"] = new JsonArray { Text(system.GetValue<string>()) };
        }

        foreach (var message in copy["messages"]!.AsArray())
        {
            if (message!["content"] is JsonValue text)
            {
                message["content"] = new JsonArray { Text(text.GetValue<string>()) };
            }

            foreach (var block in message["content"]!.AsArray())
            {
                if (block!["type"]!.GetValue<string>() == "tool_result" && block["is_error"] is JsonValue error && !error.GetValue<bool>())
                {
                    block.AsObject().Remove("is_error");
                }
            }
        }

        foreach (var tool in copy["tools"]?.AsArray() ?? [])
        {
            if (tool!["description"] is JsonValue description && description.GetValue<string>().Length == 0)
            {
                tool.AsObject().Remove("description");
            }
        }

        return copy;
    }

    private static JsonObject Text(string text) => new() { ["type"] = "text", ["text"] = text };

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
