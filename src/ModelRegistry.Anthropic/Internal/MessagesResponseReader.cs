using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.Anthropic.Internal;

/// <summary>
/// Maps the Messages API's answers to MEAI: a whole message, and the pieces a stream is made of. Unknown blocks (server
/// tool records, compaction...) become plain <see cref="AIContent"/> holding the block as their raw representation, which
/// the client sends back as it came. Reasoning and unknown blocks are marked as Anthropic's
/// (<see cref="PortableHistory.MarkOrigin"/>), so another provider given the conversation never sends their signatures.
/// </summary>
internal static class MessagesResponseReader
{
    /// <summary>Reads a whole <c>message</c>.</summary>
    /// <param name="root">The message.</param>
    /// <param name="outputTool">The forced structured-output tool, whose <c>tool_use</c> input is the answer's text; <see langword="null"/> for none.</param>
    public static ChatResponse ReadMessage(JsonElement root, string? outputTool = null)
    {
        ProviderJson.RequireObject(root, "The body");
        var id = ProviderJson.ReadString(root, "id");
        var message = new ChatMessage(ChatRole.Assistant, []) { MessageId = id, RawRepresentation = root };
        if (root.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array)
        {
            foreach (var block in content.EnumerateArray())
            {
                message.Contents.Add(IsOutputToolUse(block, outputTool) ? OutputText(block.TryGetProperty("input", out var input) ? input : default, block) : ReadBlock(block));
            }
        }

        PortableHistory.MarkOrigin(message.Contents, AnthropicProtocol.ProviderName);
        var response = new ChatResponse(message)
        {
            ResponseId = id,
            ModelId = ProviderJson.ReadString(root, "model"),
            FinishReason = ReadStopReason(ProviderJson.ReadString(root, "stop_reason"), AnsweredThroughOutputTool(message.Contents, outputTool)),
            RawRepresentation = root,
        };
        if (ProviderJson.ReadString(root, "stop_sequence") is { } stop)
        {
            response.AdditionalProperties = new() { [AnthropicProperties.StopSequence] = stop };
        }

        if (root.TryGetProperty("usage", out var usage))
        {
            response.Usage = ReadUsage(usage, null);
        }

        return response;
    }

    /// <summary>Whether a block is the <c>tool_use</c> of the forced structured-output tool.</summary>
    public static bool IsOutputToolUse(JsonElement block, string? outputTool) =>
        outputTool is not null && block.ValueKind == JsonValueKind.Object
        && ProviderJson.ReadString(block, "type") == "tool_use" && ProviderJson.ReadString(block, "name") == outputTool;

    /// <summary>The structured answer: the output tool's input as compact JSON text (an empty object when it has none).</summary>
    public static TextContent OutputText(JsonElement input, object? raw)
    {
        if (input.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return new TextContent("{}") { RawRepresentation = raw };
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            input.WriteTo(writer);
        }

        return new TextContent(System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan)) { RawRepresentation = raw };
    }

    /// <summary>Whether the answer came through the structured-output tool and called no function: then <c>tool_use</c> is a finished answer.</summary>
    public static bool AnsweredThroughOutputTool(IEnumerable<AIContent> contents, string? outputTool) =>
        outputTool is not null
        && contents.Any(c => c is TextContent { RawRepresentation: JsonElement raw } && IsOutputToolUse(raw, outputTool))
        && !contents.Any(c => c is FunctionCallContent);

    /// <summary>Reads one whole content block.</summary>
    public static AIContent ReadBlock(JsonElement block) =>
        (block.ValueKind == JsonValueKind.Object ? ProviderJson.ReadString(block, "type") : null) switch
        {
            "text" => new TextContent(ProviderJson.ReadString(block, "text") ?? string.Empty) { RawRepresentation = block },
            "thinking" => new TextReasoningContent(ProviderJson.ReadString(block, "thinking") ?? string.Empty)
            {
                ProtectedData = ProviderJson.ReadString(block, "signature") is { Length: > 0 } signature ? signature : null,
                RawRepresentation = block,
            },
            "redacted_thinking" => Redacted(ProviderJson.ReadString(block, "data"), block),
            "tool_use" => ToolCall(
                ProviderJson.ReadString(block, "id"),
                ProviderJson.ReadString(block, "name") ?? string.Empty,
                block.TryGetProperty("input", out var input) && input.ValueKind == JsonValueKind.Object ? input.GetRawText() : null,
                block),
            _ => new AIContent { RawRepresentation = block.Clone() },
        };

    /// <summary>A <c>redacted_thinking</c> block: no text, its encrypted data as protected data.</summary>
    public static TextReasoningContent Redacted(string? data, object? raw) => new(string.Empty)
    {
        ProtectedData = data,
        RawRepresentation = raw,
        AdditionalProperties = new() { [AnthropicProperties.RedactedThinking] = true },
    };

    /// <summary>A tool call from its id, name and input JSON text.</summary>
    public static FunctionCallContent ToolCall(string? id, string name, string? inputJson, object? raw)
    {
        var call = FunctionCallContent.CreateFromParsedArguments(
            string.IsNullOrWhiteSpace(inputJson) ? "{}" : inputJson,
            id ?? string.Empty,
            name,
            static json => JsonSerializer.Deserialize(json, AnthropicJsonContext.Default.DictionaryStringObject));
        call.RawRepresentation = raw;
        return call;
    }

    /// <summary>Maps <c>stop_reason</c>; <c>tool_use</c> that only answered through the structured-output tool is a finished answer.</summary>
    public static ChatFinishReason? ReadStopReason(string? reason, bool answeredThroughOutputTool = false) => reason switch
    {
        null or "" => null,
        "tool_use" when answeredThroughOutputTool => ChatFinishReason.Stop,
        "end_turn" or "stop_sequence" => ChatFinishReason.Stop,
        "max_tokens" or "model_context_window_exceeded" => ChatFinishReason.Length,
        "tool_use" => ChatFinishReason.ToolCalls,
        "refusal" => ChatFinishReason.ContentFilter,
        var other => new ChatFinishReason(other),
    };

    /// <summary>
    /// Maps usage the MEAI way: <see cref="UsageDetails.InputTokenCount"/> counts every input token, so the API's
    /// <c>input_tokens</c> (those neither read from nor written to the cache) plus <c>cache_read_input_tokens</c>
    /// (<see cref="UsageDetails.CachedInputTokenCount"/>) plus <c>cache_creation_input_tokens</c>
    /// (<see cref="RegistryProperties.CacheWriteInputTokens"/>).
    /// </summary>
    /// <param name="usage">The usage object.</param>
    /// <param name="start">In a stream: the usage of <c>message_start</c>, whose input counts a <c>message_delta</c> may leave out.</param>
    public static UsageDetails? ReadUsage(JsonElement usage, JsonElement? start)
    {
        if (usage.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        long? Read(string name) => ProviderJson.ReadLong(usage, name) ?? (start is { ValueKind: JsonValueKind.Object } s ? ProviderJson.ReadLong(s, name) : null);
        var input = Read("input_tokens");
        var cacheRead = Read("cache_read_input_tokens");
        var cacheWrite = Read("cache_creation_input_tokens");
        var output = Read("output_tokens");
        var total = input is null && cacheRead is null && cacheWrite is null ? (long?)null : (input ?? 0) + (cacheRead ?? 0) + (cacheWrite ?? 0);
        var details = new UsageDetails
        {
            InputTokenCount = total,
            OutputTokenCount = output,
            TotalTokenCount = total is null && output is null ? null : (total ?? 0) + (output ?? 0),
            CachedInputTokenCount = cacheRead,
        };
        if (cacheWrite is { } write)
        {
            details.AdditionalCounts = new() { [RegistryProperties.CacheWriteInputTokens] = write };
        }

        return details;
    }
}
