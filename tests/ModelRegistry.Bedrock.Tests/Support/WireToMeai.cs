using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Bedrock.Internal;

namespace ModelRegistry.Bedrock.Tests.Support;

/// <summary>
/// Reads a recorded Converse request and says what a .NET caller would pass to produce it: MEAI messages and options.
/// Replaying then checks that our client's own mapping turns them back into the recorded request, so every field is
/// expressed the way a caller expresses it, never copied into the request:
/// <list type="bullet">
/// <item>system prompt, text, media, tool calls and results, reasoning, cache points (<see cref="BedrockCachePointContent"/>);
/// tool results become ChatRole.Tool messages split from the user text they were sent with, as MEAI callers hold them,
/// so the client's merging of same-role messages is exercised too;</item>
/// <item>inference settings, <see cref="ChatOptions.TopK"/>, tools (<see cref="HostedCodeInterpreterTool"/> for Nova's
/// <c>systemTool</c>), tool modes, <see cref="ChatOptions.ResponseFormat"/> for <c>outputConfig</c>;</item>
/// <item><c>thinking</c> / <c>output_config</c> / <c>reasoning_effort</c> / <c>reasoning_config</c> become
/// <see cref="ChatOptions.Reasoning"/> by inverting the client's documented mapping (a budget it would not choose is
/// left as a pass-through and counted);</item>
/// <item><c>serviceTier</c> and <c>performanceConfig</c> become the client's string short forms in
/// <see cref="ChatOptions.AdditionalProperties"/> (MEAI has no option for them), which the client expands.</item>
/// </list>
/// What MEAI cannot express is passed through and named in <see cref="Translation.PassThrough"/>, so the recorded-traffic
/// tests count it: <c>guardrailConfig</c>, <c>requestMetadata</c>, <c>additionalModelResponseFieldPaths</c>,
/// <c>promptVariables</c>, unknown <c>additionalModelRequestFields</c> keys, and server-tool blocks in the history (Nova's
/// code interpreter: MEAI's code-interpreter contents cannot carry the exit code and error flags Bedrock wants back, so
/// the history holds them as our client hands them to callers, carrying the Bedrock block). A block or field the
/// translator does not know fails the test rather than being copied.
/// </summary>
internal static class WireToMeai
{
    /// <summary>What a caller would pass, and the recorded fields that reach the request only as pass-through.</summary>
    internal sealed record Translation(List<ChatMessage> Messages, ChatOptions Options, IReadOnlyList<string> PassThrough);

    public static Translation Convert(JsonObject request)
    {
        var passThrough = new List<string>();
        var messages = new List<ChatMessage>();
        if (request["system"] is JsonArray { Count: > 0 } system)
        {
            var contents = new List<AIContent>();
            foreach (var block in system.OfType<JsonObject>())
            {
                contents.Add(block["text"] is JsonValue text ? new TextContent(text.GetValue<string>())
                    : block["cachePoint"] is JsonObject cache ? new BedrockCachePointContent((string?)cache["ttl"])
                    : throw Unknown("system block", block));
            }

            messages.Add(new ChatMessage(ChatRole.System, contents));
        }

        foreach (var message in (request["messages"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var assistant = (string?)message["role"] == "assistant";
            ChatMessage? current = null;
            foreach (var block in (message["content"] as JsonArray ?? []).OfType<JsonObject>())
            {
                foreach (var content in Content(block, passThrough))
                {
                    var role = assistant ? ChatRole.Assistant : content is FunctionResultContent ? ChatRole.Tool : ChatRole.User;
                    if (current is null || current.Role != role)
                    {
                        current = new ChatMessage(role, []);
                        messages.Add(current);
                    }

                    current.Contents.Add(content);
                }
            }
        }

        return new Translation(messages, Options(request, passThrough), passThrough);
    }

    private static IEnumerable<AIContent> Content(JsonObject block, List<string> passThrough)
    {
        if (block["text"] is JsonValue text)
        {
            return [new TextContent(text.GetValue<string>())];
        }

        if (block["cachePoint"] is JsonObject cache)
        {
            return [new BedrockCachePointContent((string?)cache["ttl"])];
        }

        if (block["toolUse"] is JsonObject toolUse && toolUse["type"] is null)
        {
            return [new FunctionCallContent((string)toolUse["toolUseId"]!, (string)toolUse["name"]!, Arguments(toolUse["input"] as JsonObject))];
        }

        if (block["toolResult"] is JsonObject toolResult && toolResult["type"] is null)
        {
            var items = (toolResult["content"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            object? result = items switch
            {
                [{ } only] when only["text"] is JsonValue t => t.GetValue<string>(),
                [{ } only] when only["json"] is JsonObject json => JsonSerializer.SerializeToElement(json, Json.Options),
                _ => items.SelectMany(item => Content(item, passThrough)).ToList(),
            };
            return [new FunctionResultContent((string)toolResult["toolUseId"]!, result)
            {
                Exception = (string?)toolResult["status"] == "error" ? new InvalidOperationException("the tool failed") : null,
            }];
        }

        if (block["toolUse"]?["type"] is not null || block["toolResult"]?["type"] is not null)
        {
            // A server-side tool's call or result, as our client maps it from the answer that carried it.
            passThrough.Add("server-tool block in the history");
            return ConverseResponseMapper.MapBlock(block, null).ToList();
        }

        if (block["reasoningContent"] is JsonObject reasoning)
        {
            return [reasoning["redactedContent"] is JsonValue redacted
                ? new TextReasoningContent(string.Empty) { AdditionalProperties = new() { ["redactedContent"] = redacted.GetValue<string>() } }
                : new TextReasoningContent((string?)reasoning["reasoningText"]?["text"]) { ProtectedData = (string?)reasoning["reasoningText"]?["signature"] }];
        }

        foreach (var kind in new[] { "image", "document", "video", "audio" })
        {
            if (block[kind] is JsonObject media)
            {
                var mediaType = MediaType(kind, (string)media["format"]!);
                if ((string?)media["source"]?["bytes"] is { } bytes)
                {
                    return [new DataContent(System.Convert.FromBase64String(bytes), mediaType) { Name = (string?)media["name"] }];
                }

                if ((string?)media["source"]?["s3Location"]?["uri"] is { } s3)
                {
                    return [new UriContent(new Uri(s3), mediaType)];
                }
            }
        }

        throw Unknown("content block", block);
    }

    private static string MediaType(string kind, string format) => (kind, format) switch
    {
        ("document", "pdf") => "application/pdf",
        ("document", "txt") => "text/plain",
        ("document", "md") => "text/markdown",
        ("document", "csv") => "text/csv",
        ("document", "html") => "text/html",
        ("document", "docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ("document", "doc") => "application/msword",
        ("document", "xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ("document", "xls") => "application/vnd.ms-excel",
        ("video", "mkv") => "video/x-matroska",
        ("video", "mov") => "video/quicktime",
        ("video", "three_gp") => "video/3gpp",
        ("audio", "mp3") => "audio/mpeg",
        _ => $"{kind}/{format}",
    };

    private static Dictionary<string, object?> Arguments(JsonObject? input) =>
        (input ?? []).ToDictionary(p => p.Key, p => (object?)JsonSerializer.SerializeToElement(p.Value, Json.Options));

    private static ChatOptions Options(JsonObject request, List<string> passThrough)
    {
        var options = new ChatOptions { AdditionalProperties = [] };
        foreach (var (key, node) in request)
        {
            switch (key)
            {
                case "messages" or "system":
                    break;
                case "inferenceConfig":
                    options.MaxOutputTokens = (int?)node!["maxTokens"];
                    options.Temperature = node["temperature"] is JsonValue t ? (float)t.GetValue<double>() : null;
                    options.TopP = node["topP"] is JsonValue p ? (float)p.GetValue<double>() : null;
                    options.StopSequences = node["stopSequences"] is JsonArray stops ? [.. stops.Select(s => (string)s!)] : null;
                    break;
                case "toolConfig":
                    Tools(node!.AsObject(), options);
                    break;
                case "additionalModelRequestFields":
                    AdditionalFields(node!.AsObject(), options, passThrough);
                    break;
                case "outputConfig":
                    var jsonSchema = node!["textFormat"]!["structure"]!["jsonSchema"]!;
                    options.ResponseFormat = ChatResponseFormat.ForJsonSchema(
                        JsonDocument.Parse((string)jsonSchema["schema"]!).RootElement.Clone(),
                        (string?)jsonSchema["name"],
                        (string?)jsonSchema["description"]);
                    break;
                case "serviceTier" when node is JsonObject { Count: 1 } tier && tier["type"] is JsonValue type:
                    options.AdditionalProperties[key] = type.GetValue<string>();
                    break;
                case "performanceConfig" when node is JsonObject { Count: 1 } performance && performance["latency"] is JsonValue latency:
                    options.AdditionalProperties[key] = latency.GetValue<string>();
                    break;
                case "guardrailConfig" or "requestMetadata" or "additionalModelResponseFieldPaths" or "promptVariables":
                    // Bedrock request fields MEAI has no option for: the client takes them as they are.
                    options.AdditionalProperties[key] = node!.DeepClone();
                    passThrough.Add(key);
                    break;
                default:
                    throw Unknown("request field", new JsonObject { [key] = node?.DeepClone() });
            }
        }

        return options;
    }

    private static void Tools(JsonObject toolConfig, ChatOptions options)
    {
        options.Tools = [];
        foreach (var tool in (toolConfig["tools"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (tool["toolSpec"] is JsonObject spec)
            {
                options.Tools.Add(new DeclaredTool(
                    (string)spec["name"]!,
                    (string?)spec["description"],
                    JsonSerializer.SerializeToElement(spec["inputSchema"]!["json"], Json.Options),
                    (bool?)spec["strict"]));
            }
            else if ((string?)tool["systemTool"]?["name"] == "nova_code_interpreter")
            {
                options.Tools.Add(new HostedCodeInterpreterTool());
            }
            else if (tool["cachePoint"] is JsonObject cache)
            {
                options.AdditionalProperties!["toolsCachePoint"] = (string?)cache["ttl"] is { } ttl ? ttl : true;
            }
            else
            {
                throw Unknown("tool", tool);
            }
        }

        options.ToolMode = toolConfig["toolChoice"] switch
        {
            JsonObject c when c["auto"] is not null => ChatToolMode.Auto,
            JsonObject c when c["any"] is not null => ChatToolMode.RequireAny,
            JsonObject c when c["tool"] is JsonObject named => ChatToolMode.RequireSpecific((string)named["name"]!),
            _ => null,
        };
    }

    /// <summary>
    /// <c>top_k</c> becomes <see cref="ChatOptions.TopK"/>; the reasoning fields become <see cref="ChatOptions.Reasoning"/>
    /// by inverting the client's mapping (see ConverseRequestWriter.AddReasoning); anything else is a pass-through.
    /// </summary>
    private static void AdditionalFields(JsonObject fields, ChatOptions options, List<string> passThrough)
    {
        var rest = (JsonObject)fields.DeepClone();
        if (rest["top_k"] is JsonValue topK)
        {
            options.TopK = topK.GetValue<int>();
            rest.Remove("top_k");
        }

        if (Reasoning(rest) is { } reasoning)
        {
            options.Reasoning = reasoning;
        }

        if (rest.Count > 0)
        {
            options.AdditionalProperties!["additionalModelRequestFields"] = rest;
            passThrough.AddRange(rest.Select(p => $"additionalModelRequestFields.{p.Key}"));
        }
    }

    /// <summary>The reasoning options our client maps to the fields found, which are removed; null when there are none.</summary>
    private static ReasoningOptions? Reasoning(JsonObject fields)
    {
        ReasoningOptions? Take(string key, ReasoningEffort? effort)
        {
            fields.Remove(key);
            return new ReasoningOptions { Effort = effort };
        }

        switch ((string?)fields["thinking"]?["type"], (int?)fields["thinking"]?["budget_tokens"])
        {
            case ("adaptive", _):
                var effort = (string?)fields["output_config"]?["effort"];
                if (effort is not null && fields["output_config"]!.AsObject().Count == 1)
                {
                    fields.Remove("output_config");
                }

                return Take("thinking", effort switch
                {
                    null => null,
                    "low" => ReasoningEffort.Low,
                    "medium" => ReasoningEffort.Medium,
                    "high" => ReasoningEffort.High,
                    "max" => ReasoningEffort.ExtraHigh,
                    _ => throw new NotSupportedException($"adaptive effort '{effort}'"),
                });
            case ("enabled", 10_000):
                return Take("thinking", null);
            case ("enabled", 1024):
                return Take("thinking", ReasoningEffort.Low);
            case ("enabled", 4096):
                return Take("thinking", ReasoningEffort.Medium);
            case ("enabled", 16_384):
                return Take("thinking", ReasoningEffort.High);
            case ("enabled", 32_768):
                return Take("thinking", ReasoningEffort.ExtraHigh);
        }

        return (string?)fields["reasoning_effort"] switch
        {
            "low" => Take("reasoning_effort", ReasoningEffort.Low),
            "medium" => Take("reasoning_effort", ReasoningEffort.Medium),
            "high" => Take("reasoning_effort", ReasoningEffort.High),
            _ => (string?)fields["reasoning_config"] switch
            {
                "low" => Take("reasoning_config", ReasoningEffort.Low),
                "high" => Take("reasoning_config", ReasoningEffort.High),
                _ => null,
            },
        };
    }

    private static NotSupportedException Unknown(string what, JsonObject node) =>
        new($"The recorded-traffic translator does not know this {what}: {node.ToJsonString()[..Math.Min(200, node.ToJsonString().Length)]}. " +
            "Teach it the MEAI form a caller would use; do not copy the field into the request.");

    /// <summary>A tool as a caller declares it: a name, a description and the input schema, optionally strict.</summary>
    internal sealed class DeclaredTool(string name, string? description, JsonElement schema, bool? strict) : AIFunctionDeclaration
    {
        public override string Name => name;

        public override string Description => description ?? string.Empty;

        public override JsonElement JsonSchema => schema;

        public override IReadOnlyDictionary<string, object?> AdditionalProperties { get; } =
            strict is { } s ? new Dictionary<string, object?> { ["strict"] = s } : new Dictionary<string, object?>();
    }
}
