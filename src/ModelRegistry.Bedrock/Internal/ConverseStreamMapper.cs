using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.Bedrock.Internal;

/// <summary>
/// Turns ConverseStream events into updates. Text and reasoning blocks have no start event: they begin with their
/// first delta and are passed on at once. Tool-use input arrives as JSON fragments per <c>contentBlockIndex</c> and
/// becomes one <see cref="FunctionCallContent"/> when its block stops. <c>messageStop</c> gives the finish reason,
/// <c>metadata</c> the usage; an exception event throws. Text deltas and tool-input fragments (nearly every event) are
/// read with a <see cref="Utf8JsonReader"/>, messageStop and metadata as elements, the rarer events as JSON nodes.
/// </summary>
internal sealed class ConverseStreamMapper(ProviderTransport transport, string modelId, string? responseId, DateTimeOffset createdAt, string? outputToolName)
{
    private readonly Dictionary<int, PendingBlock> _pending = [];
    private bool _answeredThroughOutputTool;
    private bool _calledFunction;

    /// <summary>Whether messageStop arrived (a stream that ends without it was cut short).</summary>
    public bool Stopped { get; private set; }

    /// <summary>Maps one event; <see langword="null"/> when it yields nothing to the caller.</summary>
    /// <exception cref="ModelProviderException">The event is an exception or error.</exception>
    public ChatResponseUpdate? Map(EventStreamFrame frame)
    {
        var messageType = frame.MessageType;
        if (messageType is "exception" or "error")
        {
            throw BedrockErrors.FromStreamEvent(frame, transport);
        }

        var eventType = frame.EventType;
        if (messageType != "event" || eventType is null or "initial-response")
        {
            return null;
        }

        if (eventType == "contentBlockDelta" && TryReadDelta(frame.Payload.Span, out var index, out var text, out var isToolInput))
        {
            if (!isToolInput)
            {
                return TextDelta(index, text, frame.Payload.Span);
            }

            _pending.GetValueOrDefault(index)?.Input.Append(text);
            return null;
        }

        if (eventType is "messageStop" or "metadata")
        {
            var element = JsonValues.ParseElement(frame.Payload);
            return eventType == "messageStop" ? MessageStop(element) : Metadata(element);
        }

        var payload = JsonValues.ParseObject(frame.Payload);
        return eventType switch
        {
            "contentBlockStart" => Start(payload),
            "contentBlockDelta" => Delta(payload),
            "contentBlockStop" => Stop(payload),
            _ => null, // messageStart and events this client does not know
        };
    }

    /// <summary>
    /// The hot path: a contentBlockDelta whose delta is text alone, or a tool's input fragment alone, read with a
    /// <see cref="Utf8JsonReader"/> (the payload is checked as strictly as <see cref="JsonValues.ParseObject"/> does: whole,
    /// well formed, no key twice). Anything else (another delta, a key this path does not track, malformed JSON) returns
    /// <see langword="false"/> and goes the general way, which reads it or throws as it always did.
    /// </summary>
    private static bool TryReadDelta(ReadOnlySpan<byte> payload, out int index, [NotNullWhen(true)] out string? text, out bool isToolInput)
    {
        index = 0;
        text = null;
        isToolInput = false;
        try
        {
            var reader = new Utf8JsonReader(payload);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            var seenIndex = false;
            var seenDelta = false;
            Span<Range> others = stackalloc Range[4];
            var otherCount = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("contentBlockIndex"u8))
                {
                    if (seenIndex || !reader.Read())
                    {
                        return false;
                    }

                    seenIndex = true;
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var number))
                    {
                        index = number;
                    }

                    reader.Skip();
                }
                else if (reader.ValueTextEquals("delta"u8))
                {
                    if (seenDelta || !reader.Read() || !TryReadDeltaObject(ref reader, out text, out isToolInput))
                    {
                        return false;
                    }

                    seenDelta = true;
                }
                else
                {
                    // Another key ("p", the padding Bedrock adds): skipped, but a key seen twice is malformed.
                    if (reader.ValueIsEscaped || otherCount == others.Length)
                    {
                        return false;
                    }

                    var start = (int)reader.TokenStartIndex + 1;
                    var name = new Range(start, start + reader.ValueSpan.Length);
                    foreach (var other in others[..otherCount])
                    {
                        if (payload[other].SequenceEqual(payload[name]))
                        {
                            return false;
                        }
                    }

                    others[otherCount++] = name;
                    reader.Read();
                    reader.Skip();
                }
            }

            // The object is closed (else the reader threw); nothing but whitespace may follow it.
            return !reader.Read() && text is not null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false; // malformed JSON or text that is not UTF-8: the general path throws what it always threw
        }
    }

    /// <summary>
    /// Reads a delta object that holds exactly one key: <c>text</c>, a string, or <c>toolUse</c>, an object holding exactly
    /// <c>input</c>, a string.
    /// </summary>
    private static bool TryReadDeltaObject(ref Utf8JsonReader reader, [NotNullWhen(true)] out string? text, out bool isToolInput)
    {
        text = null;
        isToolInput = false;
        if (reader.TokenType != JsonTokenType.StartObject || !reader.Read() || reader.TokenType != JsonTokenType.PropertyName)
        {
            return false;
        }

        if (reader.ValueTextEquals("toolUse"u8))
        {
            isToolInput = true;
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject
                || !reader.Read() || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("input"u8)
                || !TryReadString(ref reader, out text) || !reader.Read() || reader.TokenType != JsonTokenType.EndObject)
            {
                return false;
            }
        }
        else if (!reader.ValueTextEquals("text"u8) || !TryReadString(ref reader, out text))
        {
            return false;
        }

        return reader.Read() && reader.TokenType == JsonTokenType.EndObject;
    }

    private static bool TryReadString(ref Utf8JsonReader reader, [NotNullWhen(true)] out string? text)
    {
        text = reader.Read() && reader.TokenType == JsonTokenType.String ? reader.GetString()! : null;
        return text is not null;
    }

    private ChatResponseUpdate? TextDelta(int index, string text, ReadOnlySpan<byte> payload)
    {
        if (_pending.TryGetValue(index, out var pendingOutput) && pendingOutput.IsOutputTool(outputToolName))
        {
            pendingOutput.Input.Append(text);
            return null;
        }

        if (text.Length == 0)
        {
            return null;
        }

        // As the other providers do, the update carries the event as it came (a JsonElement of its own).
        var reader = new Utf8JsonReader(payload);
        var update = Update(new TextContent(text));
        update.RawRepresentation = JsonElement.ParseValue(ref reader);
        return update;
    }

    private ChatResponseUpdate? Start(JsonObject payload)
    {
        var index = Index(payload);
        if (payload["start"] is JsonObject start)
        {
            _pending[index] = new PendingBlock(start);
        }

        return null;
    }

    private ChatResponseUpdate? Delta(JsonObject payload)
    {
        var index = Index(payload);
        if (payload["delta"] is not JsonObject delta)
        {
            return null;
        }

        if (delta["text"] is JsonValue text)
        {
            var value = text.GetValue<string>();
            if (_pending.TryGetValue(index, out var pendingOutput) && pendingOutput.IsOutputTool(outputToolName))
            {
                pendingOutput.Input.Append(value);
                return null;
            }

            if (value.Length == 0)
            {
                return null;
            }

            var update = Update(new TextContent(value));
            update.RawRepresentation = payload;
            return update;
        }

        if (delta["toolUse"]?["input"] is JsonValue input && _pending.TryGetValue(index, out var tool))
        {
            tool.Input.Append(input.GetValue<string>());
            return null;
        }

        if (delta["toolResult"] is JsonArray resultContent && _pending.TryGetValue(index, out var result))
        {
            foreach (var item in resultContent)
            {
                result.ResultContent.Add(item?.DeepClone());
            }

            return null;
        }

        if (delta["reasoningContent"] is JsonObject reasoning)
        {
            if (reasoning["redactedContent"] is JsonValue redacted)
            {
                return Update(ConverseResponseMapper.RedactedReasoning(redacted.GetValue<string>(), payload));
            }

            var reasoningText = (string?)reasoning["text"];
            var signature = (string?)reasoning["signature"];
            return string.IsNullOrEmpty(reasoningText) && signature is null
                ? null
                : Update(new TextReasoningContent(reasoningText ?? string.Empty) { ProtectedData = signature, RawRepresentation = payload });
        }

        if (delta["citation"] is JsonObject citation)
        {
            var content = new TextContent(string.Empty) { RawRepresentation = payload };
            foreach (var annotation in ConverseResponseMapper.Citations([citation.DeepClone()]))
            {
                (content.Annotations ??= []).Add(annotation);
            }

            return Update(content);
        }

        return null;
    }

    private ChatResponseUpdate? Stop(JsonObject payload)
    {
        var index = Index(payload);
        if (!_pending.Remove(index, out var pending))
        {
            return null;
        }

        if (pending.Start["toolUse"] is JsonObject toolUse)
        {
            var input = pending.Input.ToString();
            var block = new JsonObject { ["toolUse"] = toolUse.DeepClone() };
            block["toolUse"]!["input"] = ParseOrText(input);
            var content = ConverseResponseMapper.ToolUse(toolUse, block, outputToolName, input);
            _answeredThroughOutputTool |= ConverseResponseMapper.IsOutputToolUse(toolUse, outputToolName);
            _calledFunction |= content is FunctionCallContent;
            return Update(content);
        }

        if (pending.Start["toolResult"] is JsonObject toolResult)
        {
            var result = (JsonObject)toolResult.DeepClone();
            result["content"] = pending.ResultContent;
            var block = new JsonObject { ["toolResult"] = result };
            return Update([.. ConverseResponseMapper.MapBlock(block, outputToolName)]);
        }

        return null;
    }

    private ChatResponseUpdate MessageStop(JsonElement payload)
    {
        Stopped = true;
        var update = Update([]);
        update.FinishReason = ConverseResponseMapper.FinishReason(ConverseResponseMapper.StopReason(payload), _answeredThroughOutputTool && !_calledFunction);
        update.RawRepresentation = payload;
        var properties = new AdditionalPropertiesDictionary();
        ConverseResponseMapper.AddExtras(properties, payload);
        update.AdditionalProperties = properties;
        return update;
    }

    private ChatResponseUpdate? Metadata(JsonElement payload)
    {
        var properties = new AdditionalPropertiesDictionary();
        ConverseResponseMapper.AddExtras(properties, payload);
        payload.TryGetProperty("usage", out var usageElement);
        var usage = ConverseResponseMapper.Usage(usageElement);
        var update = Update(usage is null ? [] : [new UsageContent(usage) { RawRepresentation = usageElement }]);
        update.AdditionalProperties = properties.Count == 0 ? null : properties;
        update.RawRepresentation = payload;
        return update;
    }

    /// <summary>An update of one text (text is never marked with its origin).</summary>
    private ChatResponseUpdate Update(TextContent content) => new(ChatRole.Assistant, [content])
    {
        ResponseId = responseId,
        MessageId = responseId,
        ModelId = modelId,
        CreatedAt = createdAt,
    };

    private ChatResponseUpdate Update(params AIContent[] contents)
    {
        PortableHistory.MarkOrigin(contents, BedrockChatClientProvider.RegistryName);
        return new(ChatRole.Assistant, [.. contents])
        {
            ResponseId = responseId,
            MessageId = responseId,
            ModelId = modelId,
            CreatedAt = createdAt,
        };
    }

    private static int Index(JsonObject payload) =>
        payload["contentBlockIndex"] is JsonValue value && value.TryGetValue<int>(out var index) ? index : 0;

    private static JsonNode ParseOrText(string json)
    {
        try
        {
            return JsonNode.Parse(json.Length == 0 ? "{}" : json) ?? new JsonObject();
        }
        catch (JsonException)
        {
            return JsonValue.Create(json);
        }
    }

    /// <summary>A block that started with a contentBlockStart event and collects its deltas.</summary>
    private sealed class PendingBlock(JsonObject start)
    {
        public JsonObject Start { get; } = start;

        public StringBuilder Input { get; } = new();

        public JsonArray ResultContent { get; } = [];

        public bool IsOutputTool(string? name) => name is not null && (string?)Start["toolUse"]?["name"] == name;
    }
}
