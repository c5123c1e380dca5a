using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace ModelRegistry.Bedrock.Tests.Support;

/// <summary>
/// Reads a recorded Converse request and says what a .NET caller would pass to produce it: the MEAI messages and
/// options (system prompt, text, media, tool calls and results, reasoning, cache points, tools, tool choice,
/// inference settings, structured output, pass-through fields). Replaying then checks that our client turns them
/// back into the recorded request. Tool results become ChatRole.Tool messages and are split from the user text
/// they were sent with, as MEAI callers hold them, so the client's merging of same-role messages is exercised too.
/// </summary>
internal static class WireToMeai
{
    public static (List<ChatMessage> Messages, ChatOptions Options) Convert(JsonObject request)
    {
        var messages = new List<ChatMessage>();
        if (request["system"] is JsonArray { Count: > 0 } system)
        {
            var contents = new List<AIContent>();
            foreach (var block in system.OfType<JsonObject>())
            {
                contents.Add(block["text"] is JsonValue text ? new TextContent(text.GetValue<string>())
                    : block["cachePoint"] is JsonObject cache ? new BedrockCachePointContent((string?)cache["ttl"])
                    : new AIContent { RawRepresentation = block.DeepClone() });
            }

            messages.Add(new ChatMessage(ChatRole.System, contents));
        }

        foreach (var message in (request["messages"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var assistant = (string?)message["role"] == "assistant";
            ChatMessage? current = null;
            foreach (var block in (message["content"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var content = Content(block);
                var role = assistant ? ChatRole.Assistant : content is FunctionResultContent ? ChatRole.Tool : ChatRole.User;
                if (current is null || current.Role != role)
                {
                    current = new ChatMessage(role, []);
                    messages.Add(current);
                }

                current.Contents.Add(content);
            }
        }

        return (messages, Options(request));
    }

    private static AIContent Content(JsonObject block)
    {
        if (block["text"] is JsonValue text)
        {
            return new TextContent(text.GetValue<string>());
        }

        if (block["cachePoint"] is JsonObject cache)
        {
            return new BedrockCachePointContent((string?)cache["ttl"]);
        }

        if (block["toolUse"] is JsonObject toolUse && toolUse["type"] is null)
        {
            return new FunctionCallContent((string)toolUse["toolUseId"]!, (string)toolUse["name"]!, Arguments(toolUse["input"] as JsonObject));
        }

        if (block["toolResult"] is JsonObject toolResult && toolResult["type"] is null)
        {
            var items = (toolResult["content"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            object? result = items switch
            {
                [{ } only] when only["text"] is JsonValue t => t.GetValue<string>(),
                [{ } only] when only["json"] is JsonObject json => JsonSerializer.SerializeToElement(json, Json.Options),
                _ => items.Select(Content).ToList(),
            };
            return new FunctionResultContent((string)toolResult["toolUseId"]!, result)
            {
                Exception = (string?)toolResult["status"] == "error" ? new InvalidOperationException("the tool failed") : null,
            };
        }

        if (block["reasoningContent"] is JsonObject reasoning)
        {
            return reasoning["redactedContent"] is JsonValue redacted
                ? new TextReasoningContent(string.Empty) { AdditionalProperties = new() { ["redactedContent"] = redacted.GetValue<string>() } }
                : new TextReasoningContent((string?)reasoning["reasoningText"]?["text"]) { ProtectedData = (string?)reasoning["reasoningText"]?["signature"] };
        }

        foreach (var kind in new[] { "image", "document", "video", "audio" })
        {
            if (block[kind] is JsonObject media)
            {
                var mediaType = MediaType(kind, (string)media["format"]!);
                if ((string?)media["source"]?["bytes"] is { } bytes)
                {
                    return new DataContent(System.Convert.FromBase64String(bytes), mediaType) { Name = (string?)media["name"] };
                }

                if ((string?)media["source"]?["s3Location"]?["uri"] is { } s3)
                {
                    return new UriContent(new Uri(s3), mediaType);
                }
            }
        }

        return new AIContent { RawRepresentation = block.DeepClone() };
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

    private static ChatOptions Options(JsonObject request)
    {
        var options = new ChatOptions { AdditionalProperties = [] };
        if (request["inferenceConfig"] is JsonObject config)
        {
            options.MaxOutputTokens = (int?)config["maxTokens"];
            options.Temperature = config["temperature"] is JsonValue t ? (float)t.GetValue<double>() : null;
            options.TopP = config["topP"] is JsonValue p ? (float)p.GetValue<double>() : null;
            options.StopSequences = config["stopSequences"] is JsonArray stops ? [.. stops.Select(s => (string)s!)] : null;
        }

        if (request["toolConfig"] is JsonObject toolConfig)
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
                    options.AdditionalProperties["toolsCachePoint"] = (string?)cache["ttl"] is { } ttl ? ttl : true;
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

        if (request["additionalModelRequestFields"] is JsonObject fields)
        {
            var rest = (JsonObject)fields.DeepClone();
            if (rest["top_k"] is JsonValue topK)
            {
                options.TopK = topK.GetValue<int>();
                rest.Remove("top_k");
            }

            if (rest.Count > 0)
            {
                options.AdditionalProperties["additionalModelRequestFields"] = rest;
            }
        }

        if (request["outputConfig"]?["textFormat"]?["structure"]?["jsonSchema"] is JsonObject jsonSchema)
        {
            options.ResponseFormat = ChatResponseFormat.ForJsonSchema(
                JsonDocument.Parse((string)jsonSchema["schema"]!).RootElement.Clone(),
                (string?)jsonSchema["name"],
                (string?)jsonSchema["description"]);
        }

        foreach (var key in new[] { "guardrailConfig", "performanceConfig", "serviceTier", "requestMetadata", "additionalModelResponseFieldPaths", "promptVariables" })
        {
            if (request[key] is JsonNode node)
            {
                options.AdditionalProperties[key] = node.DeepClone();
            }
        }

        return options;
    }

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
