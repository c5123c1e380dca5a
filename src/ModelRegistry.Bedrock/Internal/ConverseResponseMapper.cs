using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.Bedrock.Internal;

/// <summary>
/// Maps Converse responses (and the pieces streaming shares: blocks, stop reasons, usage) to MEAI types. Odd but valid
/// answers map to something sensible (an empty stop reason is no finish reason, an unknown block is kept as an
/// <see cref="AIContent"/> carrying it); answers that break the Converse shape throw <see cref="InvalidDataException"/> or
/// <see cref="JsonException"/> naming what is wrong, which the provider kit's error boundary turns into an
/// invalid-response <see cref="ModelProviderException"/>.
/// </summary>
internal static class ConverseResponseMapper
{
    /// <summary>Response-level members handed on as they came, under their own names.</summary>
    private static readonly string[] ExtraKeys =
        [BedrockProperties.Trace, BedrockProperties.ServiceTier, BedrockProperties.PerformanceConfig, BedrockProperties.AdditionalModelResponseFields];

    /// <summary>
    /// Maps a Converse response body, read as a <see cref="JsonDocument"/> (strictly: a duplicate key is malformed). Text and
    /// toolUse blocks, the stop reason, usage and metrics are read from the elements; rarer blocks go through
    /// <see cref="MapBlock"/> as JSON nodes. The response's raw representation is the body's root element.
    /// </summary>
    /// <param name="body">The body bytes; not kept.</param>
    /// <param name="modelId">The model id called.</param>
    /// <param name="requestId">x-amzn-RequestId, used as the response id.</param>
    /// <param name="createdAt">When the response arrived.</param>
    /// <param name="outputToolName">The forced structured-output tool, whose input is the answer.</param>
    public static ChatResponse Map(ReadOnlyMemory<byte> body, string modelId, string? requestId, DateTimeOffset createdAt, string? outputToolName)
    {
        var root = JsonValues.ParseElement(body);
        var output = Member(root, "output", JsonValueKind.Object);
        var raw = Member(output, "message", JsonValueKind.Object);
        var message = new ChatMessage(ChatRole.Assistant, [])
        {
            MessageId = requestId,
            RawRepresentation = raw,
        };
        var answered = false;
        var called = false;
        if (Member(raw, "content", JsonValueKind.Array) is { } blocks)
        {
            foreach (var block in blocks.EnumerateArray())
            {
                if (block.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                if (PlainText(block) is { } text)
                {
                    message.Contents.Add(new TextContent(text) { RawRepresentation = block });
                }
                else if (PlainToolUse(block) is { } toolUse)
                {
                    var content = ToolUse(toolUse, block, outputToolName);
                    answered |= content is TextContent;
                    called |= content is FunctionCallContent;
                    message.Contents.Add(content);
                }
                else
                {
                    var node = (JsonObject)JsonNode.Parse(block.GetRawText())!;
                    answered |= IsOutputToolUse(node["toolUse"] as JsonObject, outputToolName);
                    foreach (var content in MapBlock(node, outputToolName))
                    {
                        called |= content is FunctionCallContent;
                        message.Contents.Add(content);
                    }
                }
            }
        }

        PortableHistory.MarkOrigin(message.Contents, BedrockChatClientProvider.RegistryName);
        var response = new ChatResponse(message)
        {
            ResponseId = requestId,
            ModelId = modelId,
            CreatedAt = createdAt,
            FinishReason = FinishReason(StopReason(root), answered && !called),
            Usage = root.TryGetProperty("usage", out var usage) ? Usage(usage) : null,
            RawRepresentation = root,
        };
        var properties = new AdditionalPropertiesDictionary();
        AddExtras(properties, root);
        if (properties.TryGetValue(BedrockProperties.AdditionalModelResponseFields, out var fields))
        {
            (message.AdditionalProperties ??= [])[BedrockProperties.AdditionalModelResponseFields] = fields;
        }

        response.AdditionalProperties = properties.Count == 0 ? null : properties;
        return response;
    }

    /// <summary>Copies the metrics and response-level extras (latency, trace, service tier, performance config, stop reason).</summary>
    /// <remarks>The extras are rare and callers read them as JSON nodes, so they are handed on as <see cref="JsonNode"/>s.</remarks>
    public static void AddExtras(AdditionalPropertiesDictionary properties, JsonElement body)
    {
        if (Member(body, "metrics", JsonValueKind.Object) is { } metrics
            && metrics.TryGetProperty("latencyMs", out var latency) && latency.ValueKind == JsonValueKind.Number && latency.TryGetInt64(out var ms))
        {
            properties[BedrockProperties.LatencyMs] = ms;
        }

        foreach (var key in ExtraKeys)
        {
            if (body.TryGetProperty(key, out var value) && value.ValueKind != JsonValueKind.Null)
            {
                properties[key] = JsonNode.Parse(value.GetRawText());
            }
        }

        if (StopReason(body) is { } stop)
        {
            properties[BedrockProperties.StopReason] = stop;
        }
    }

    /// <summary>The text of a block that is plain text (a string <c>text</c>), else <see langword="null"/>.</summary>
    private static string? PlainText(JsonElement block) =>
        block.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String ? text.GetString() : null;

    /// <summary>
    /// The <c>toolUse</c> of a block that is a plain tool use (no <c>text</c>; id, name and type strings or absent; not a
    /// server tool), else <see langword="null"/>: anything else goes through <see cref="MapBlock"/>.
    /// </summary>
    private static JsonElement? PlainToolUse(JsonElement block)
    {
        if (block.TryGetProperty("text", out var text) && text.ValueKind != JsonValueKind.Null
            || !block.TryGetProperty("toolUse", out var toolUse) || toolUse.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var name in (ReadOnlySpan<string>)["toolUseId", "name", "type"])
        {
            if (toolUse.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
            {
                return null;
            }
        }

        return ReadString(toolUse, "type") == "server_tool_use" ? null : toolUse;
    }

    /// <summary>A plain toolUse block of a response: the structured answer, or a function call with its arguments.</summary>
    private static AIContent ToolUse(JsonElement toolUse, JsonElement block, string? outputToolName)
    {
        var id = ReadString(toolUse, "toolUseId") ?? string.Empty;
        var name = ReadString(toolUse, "name") ?? string.Empty;
        toolUse.TryGetProperty("input", out var input);
        var given = input.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null);
        if (outputToolName is not null && ReadString(toolUse, "name") == outputToolName)
        {
            return new TextContent(given ? JsonValues.Minified(input) : "{}") { RawRepresentation = block };
        }

        if (given && input.ValueKind != JsonValueKind.Object)
        {
            return new FunctionCallContent(id, name) { Exception = ArgumentsNotAnObject(name, new JsonException("the tool input is not a JSON object")), RawRepresentation = block };
        }

        var arguments = new Dictionary<string, object?>();
        if (given)
        {
            foreach (var property in input.EnumerateObject())
            {
                arguments[property.Name] = property.Value;
            }
        }

        return new FunctionCallContent(id, name, arguments) { RawRepresentation = block };
    }

    /// <summary>Arguments that are not a JSON object; never echoes them (they may hold user data).</summary>
    private static InvalidDataException ArgumentsNotAnObject(string name, JsonException ex) =>
        new($"Bedrock sent arguments for tool '{name}' that are not a JSON object ({ex.GetType().Name}).", ex);

    private static string? ReadString(JsonElement node, string name) =>
        node.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Maps one output content block; unknown blocks come back as <see cref="AIContent"/> carrying the block.</summary>
    public static IEnumerable<AIContent> MapBlock(JsonObject block, string? outputToolName)
    {
        if (block["text"] is JsonValue text)
        {
            yield return new TextContent(text.GetValue<string>()) { RawRepresentation = block };
        }
        else if (block["toolUse"] is JsonObject toolUse)
        {
            yield return ToolUse(toolUse, block, outputToolName, (toolUse["input"] ?? new JsonObject()).ToJsonString());
        }
        else if (block["reasoningContent"] is JsonObject reasoning)
        {
            yield return Reasoning(reasoning, block);
        }
        else if (block["citationsContent"] is JsonObject citations)
        {
            var annotations = Citations(citations["citations"] as JsonArray);
            foreach (var item in (citations["content"] as JsonArray ?? []).OfType<JsonObject>())
            {
                yield return new TextContent((string?)item["text"]) { Annotations = [.. annotations], RawRepresentation = block };
            }
        }
        else if (block["toolResult"] is JsonObject result)
        {
            var id = (string?)result["toolUseId"] ?? string.Empty;
            yield return IsCodeInterpreter((string?)result["type"])
                ? new CodeInterpreterToolResultContent(id) { Outputs = ToolResultOutputs(result), RawRepresentation = block }
                : new AIContent { RawRepresentation = block };
        }
        else if (Media(block) is { } media)
        {
            yield return media;
        }
        else
        {
            yield return new AIContent { RawRepresentation = block };
        }
    }

    /// <summary>Whether a toolUse is the call of the forced structured-output tool, whose input is the answer.</summary>
    public static bool IsOutputToolUse(JsonObject? toolUse, string? outputToolName) =>
        outputToolName is not null && toolUse is not null && (string?)toolUse["name"] == outputToolName;

    /// <summary>A toolUse block: a function call, the structured answer, or a server-side tool call.</summary>
    public static AIContent ToolUse(JsonObject toolUse, JsonObject block, string? outputToolName, string inputJson)
    {
        var id = (string?)toolUse["toolUseId"] ?? string.Empty;
        var name = (string?)toolUse["name"] ?? string.Empty;
        if (IsOutputToolUse(toolUse, outputToolName))
        {
            return new TextContent(inputJson) { RawRepresentation = block };
        }

        if ((string?)toolUse["type"] == "server_tool_use")
        {
            return IsCodeInterpreter(name)
                ? new CodeInterpreterToolCallContent(id) { Inputs = [new TextContent(inputJson)], RawRepresentation = block }
                : new AIContent { RawRepresentation = block };
        }

        Dictionary<string, object?>? arguments = null;
        Exception? error = null;
        try
        {
            using var document = JsonDocument.Parse(inputJson.Length == 0 ? "{}" : inputJson);
            arguments = document.RootElement.ValueKind == JsonValueKind.Object
                ? document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone())
                : throw new JsonException("the tool input is not a JSON object");
        }
        catch (JsonException ex)
        {
            error = ArgumentsNotAnObject(name, ex);
        }

        return new FunctionCallContent(id, name, arguments) { Exception = error, RawRepresentation = block };
    }

    /// <summary>The <c>stopReason</c> of a response or messageStop event: absent or null gives null.</summary>
    /// <exception cref="InvalidDataException">It is not a string.</exception>
    public static string? StopReason(JsonElement body) => Member(body, "stopReason", JsonValueKind.String, JsonValueKind.Number, JsonValueKind.True, JsonValueKind.False) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } value => KnownStopReason(value) ?? value.GetString(),
        _ => throw new InvalidDataException("Bedrock sent a stopReason that is not a string."),
    };

    /// <summary>The documented stop reasons, handed out as these strings rather than a new one per answer.</summary>
    private static readonly string[] KnownStopReasons =
        ["end_turn", "tool_use", "max_tokens", "stop_sequence", "guardrail_intervened", "content_filtered", "model_context_window_exceeded"];

    private static string? KnownStopReason(JsonElement value)
    {
        foreach (var known in KnownStopReasons)
        {
            if (value.ValueEquals(known))
            {
                return known;
            }
        }

        return null;
    }

    /// <summary>
    /// Maps a stop reason, where <c>tool_use</c> that only called the structured-output tool is a finished answer
    /// (<see cref="ChatFinishReason.Stop"/>): the caller gets the answer's text, and no call to make.
    /// </summary>
    /// <param name="stopReason">The stop reason.</param>
    /// <param name="answeredThroughOutputTool">Whether the structured-output tool was called, and no function.</param>
    public static ChatFinishReason? FinishReason(string? stopReason, bool answeredThroughOutputTool) =>
        stopReason == "tool_use" && answeredThroughOutputTool ? ChatFinishReason.Stop : FinishReason(stopReason);

    /// <summary>Maps a stop reason; unknown ones pass through as their text, an empty one is no finish reason.</summary>
    private static ChatFinishReason? FinishReason(string? stopReason) => stopReason switch
    {
        null => null,
        _ when string.IsNullOrWhiteSpace(stopReason) => null,
        "end_turn" or "stop_sequence" => ChatFinishReason.Stop,
        "max_tokens" or "model_context_window_exceeded" => ChatFinishReason.Length,
        "tool_use" => ChatFinishReason.ToolCalls,
        "content_filtered" or "guardrail_intervened" => ChatFinishReason.ContentFilter,
        _ => new ChatFinishReason(stopReason),
    };

    /// <summary>
    /// Maps usage the MEAI way: <see cref="UsageDetails.InputTokenCount"/> counts every input token, so Bedrock's
    /// cache reads and writes (reported apart from <c>inputTokens</c>) are added to it; cache reads are
    /// <see cref="UsageDetails.CachedInputTokenCount"/> and cache writes <c>AdditionalCounts["CacheWriteInputTokens"]</c>.
    /// </summary>
    public static UsageDetails? Usage(JsonElement usage)
    {
        if (usage.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var input = Long(usage, "inputTokens");
        var cacheRead = Long(usage, "cacheReadInputTokens");
        var cacheWrite = Long(usage, "cacheWriteInputTokens");
        var details = new UsageDetails
        {
            InputTokenCount = input is null && cacheRead is null && cacheWrite is null ? null : (input ?? 0) + (cacheRead ?? 0) + (cacheWrite ?? 0),
            OutputTokenCount = Long(usage, "outputTokens"),
            TotalTokenCount = Long(usage, "totalTokens"),
            CachedInputTokenCount = cacheRead,
        };
        if (cacheWrite is { } write)
        {
            details.AdditionalCounts = new() { [BedrockProperties.CacheWriteInputTokens] = write };
        }

        return details;
    }

    /// <summary>A member of one of the expected JSON kinds, or null when absent or JSON null (or <paramref name="node"/> is null).</summary>
    /// <exception cref="InvalidDataException">The member is of another kind (an array where an object belongs...).</exception>
    public static JsonElement? Member(JsonElement? node, string name, params ReadOnlySpan<JsonValueKind> kinds)
    {
        if (node is not { ValueKind: JsonValueKind.Object } parent || !parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return kinds.Contains(value.ValueKind)
            ? value
            : throw new InvalidDataException(
                $"Bedrock sent '{name}' as a JSON {value.ValueKind.ToString().ToLowerInvariant()}, which the Converse API never does there.");
    }

    /// <summary>A member of the expected JSON kind, or null when absent or JSON null.</summary>
    /// <exception cref="InvalidDataException">The member is of another kind (an array where an object belongs...).</exception>
    public static T? Member<T>(JsonObject? node, string name)
        where T : JsonNode => node?[name] switch
        {
            null => null,
            T value => value,
            var other => throw new InvalidDataException(
                $"Bedrock sent '{name}' as a JSON {other.GetValueKind().ToString().ToLowerInvariant()}, which the Converse API never does there."),
        };

    private static long? Long(JsonElement node, string name) =>
        node.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;

    private static TextReasoningContent Reasoning(JsonObject reasoning, JsonObject block)
    {
        if (reasoning["redactedContent"] is JsonValue redacted)
        {
            return RedactedReasoning(redacted.GetValue<string>(), block);
        }

        return new TextReasoningContent((string?)reasoning["reasoningText"]?["text"] ?? string.Empty)
        {
            ProtectedData = (string?)reasoning["reasoningText"]?["signature"],
            RawRepresentation = block,
        };
    }

    /// <summary>
    /// A redacted reasoning block: no readable text; the opaque data (base64) is the content's
    /// <see cref="TextReasoningContent.ProtectedData"/>, as MEAI keeps data that must go back unchanged, and is marked as
    /// redacted under <see cref="BedrockProperties.RedactedContent"/> so it returns as a <c>redactedContent</c> block. Having
    /// ProtectedData also stops MEAI's update coalescing from merging two streamed redacted blocks into one.
    /// </summary>
    public static TextReasoningContent RedactedReasoning(string data, object raw) => new(string.Empty)
    {
        ProtectedData = data,
        AdditionalProperties = new() { [BedrockProperties.RedactedContent] = data },
        RawRepresentation = raw,
    };

    /// <summary>Maps Bedrock citations to annotations: title, the cited snippet, and the URL of web sources.</summary>
    public static List<AIAnnotation> Citations(JsonArray? citations)
    {
        var annotations = new List<AIAnnotation>();
        foreach (var citation in (citations ?? []).OfType<JsonObject>())
        {
            var url = (string?)citation["location"]?["web"]?["url"];
            annotations.Add(new CitationAnnotation
            {
                Title = (string?)citation["title"],
                Snippet = (string?)(citation["sourceContent"] as JsonArray)?.FirstOrDefault()?["text"] ?? (string?)citation["source"],
                Url = url is not null && Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri : null,
                RawRepresentation = citation,
            });
        }

        return annotations;
    }

    private static bool IsCodeInterpreter(string? name) => name?.Contains("code_interpreter", StringComparison.Ordinal) == true;

    private static List<AIContent> ToolResultOutputs(JsonObject result)
    {
        var outputs = new List<AIContent>();
        foreach (var item in (result["content"] as JsonArray ?? []).OfType<JsonObject>())
        {
            outputs.Add(item["text"] is JsonValue text
                ? new TextContent(text.GetValue<string>())
                : new TextContent((item["json"] ?? item).ToJsonString()) { RawRepresentation = item });
        }

        return outputs;
    }

    private static DataContent? Media(JsonObject block)
    {
        foreach (var (kind, prefix) in new[] { ("image", "image/"), ("video", "video/"), ("document", "application/") })
        {
            if (block[kind] is JsonObject media && (string?)media["source"]?["bytes"] is { } bytes)
            {
                var format = (string?)media["format"] ?? "octet-stream";
                var mediaType = kind == "document" && format is "txt" or "csv" or "html" or "md"
                    ? $"text/{(format == "txt" ? "plain" : format == "md" ? "markdown" : format)}"
                    : prefix + format;
                byte[] data;
                try
                {
                    data = Convert.FromBase64String(bytes);
                }
                catch (FormatException ex)
                {
                    throw new InvalidDataException($"Bedrock sent an {kind} block whose source.bytes is not valid base64.", ex);
                }

                return new DataContent(data, mediaType) { Name = (string?)media["name"], RawRepresentation = block };
            }
        }

        return null;
    }
}
