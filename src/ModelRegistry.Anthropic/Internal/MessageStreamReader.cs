using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;
using static ModelRegistry.Anthropic.Internal.MessagesResponseReader;

namespace ModelRegistry.Anthropic.Internal;

/// <summary>
/// Decodes a Messages API event stream (<c>message_start</c>, <c>content_block_start</c> / <c>_delta</c> / <c>_stop</c>,
/// <c>message_delta</c>, <c>message_stop</c>, <c>ping</c>, <c>error</c>) into updates: text and thinking as they come,
/// each signature as reasoning without text (so the thinking block it closes can be sent back whole), a tool call once its
/// input is complete, and the stop reason with the usage at the end. The forced structured-output tool's input is not a
/// call: it becomes one text update, the input as compact JSON, once its block is complete (so the text is always whole,
/// valid JSON, as in a whole answer), and its <c>tool_use</c> stop reason becomes <see cref="ChatFinishReason.Stop"/>. Runs inside the kit's boundary: a stream that ends
/// before <c>message_stop</c> throws <see cref="EndOfStreamException"/> (<c>response_truncated</c>); an <c>error</c>
/// event becomes the classified <see cref="ModelProviderException"/>.
/// </summary>
internal static class MessageStreamReader
{
    public static async IAsyncEnumerable<ChatResponseUpdate> ReadAsync(
        ProviderStream stream, ProviderTransport transport, string? outputTool, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new ServerSentEventReader(stream);
        var blocks = new Dictionary<int, Pending>();
        string? id = null, model = null, stopSequence = null;
        JsonElement? startUsage = null, lastUsage = null;
        ChatFinishReason? finish = null;
        var finished = false;
        bool answeredThroughOutputTool = false, calledFunction = false;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            JsonElement data;
            using (var document = JsonDocument.Parse(reader.Data))
            {
                data = document.RootElement.Clone();
            }

            ProviderJson.RequireObject(data, "A stream event");
            var type = ProviderJson.ReadString(data, "type") ?? reader.EventName;
            var contents = new List<AIContent>();
            switch (type)
            {
                case "message_start":
                    if (data.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object)
                    {
                        id = ProviderJson.ReadString(message, "id");
                        model = ProviderJson.ReadString(message, "model");
                        startUsage = message.TryGetProperty("usage", out var usage) ? usage : null;
                    }

                    break;
                case "content_block_start":
                    if (data.TryGetProperty("content_block", out var block) && block.ValueKind == JsonValueKind.Object)
                    {
                        Start(blocks, Index(data), block, contents);
                    }

                    break;
                case "content_block_delta":
                    if (data.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object)
                    {
                        Delta(blocks.GetValueOrDefault(Index(data)), delta, contents);
                    }

                    break;
                case "content_block_stop":
                    if (blocks.Remove(Index(data), out var done))
                    {
                        if (IsOutputToolUse(done.Block, outputTool))
                        {
                            contents.Add(OutputText(done.Input.Length > 0 ? ParseInput(done.Input.ToString()) : done.Block.TryGetProperty("input", out var whole) ? whole : default, done.Block));
                            answeredThroughOutputTool = true;
                        }
                        else
                        {
                            Stop(done, contents);
                            calledFunction |= done.IsToolUse;
                        }
                    }

                    break;
                case "message_delta":
                    if (data.TryGetProperty("delta", out var messageDelta) && messageDelta.ValueKind == JsonValueKind.Object)
                    {
                        finish = ReadStopReason(ProviderJson.ReadString(messageDelta, "stop_reason"), answeredThroughOutputTool && !calledFunction) ?? finish;
                        stopSequence = ProviderJson.ReadString(messageDelta, "stop_sequence") ?? stopSequence;
                    }

                    lastUsage = data.TryGetProperty("usage", out var deltaUsage) ? deltaUsage : lastUsage;
                    break;
                case "message_stop":
                    finished = true;
                    break;
                case "error":
                    throw AnthropicErrors.InStream(data, transport);
                default:
                    break; // ping, and events the API may add.
            }

            if (finished)
            {
                var usage = lastUsage ?? startUsage;
                var last = new ChatResponseUpdate(ChatRole.Assistant, [])
                {
                    FinishReason = finish,
                    RawRepresentation = data,
                };
                if (usage is { } u && ReadUsage(u, startUsage) is { } details)
                {
                    last.Contents.Add(new UsageContent(details) { RawRepresentation = u });
                }

                if (stopSequence is not null)
                {
                    last.AdditionalProperties = new() { [AnthropicProperties.StopSequence] = stopSequence };
                }

                yield return Stamp(last, id, model);
                break;
            }

            if (contents.Count > 0)
            {
                PortableHistory.MarkOrigin(contents, AnthropicProtocol.ProviderName);
                yield return Stamp(new ChatResponseUpdate(ChatRole.Assistant, contents) { RawRepresentation = data }, id, model);
            }
        }

        if (!finished)
        {
            throw new EndOfStreamException("the stream ended before message_stop.");
        }
    }

    private static JsonElement ParseInput(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static ChatResponseUpdate Stamp(ChatResponseUpdate update, string? id, string? model)
    {
        update.ResponseId = id;
        update.MessageId = id;
        update.ModelId = model;
        return update;
    }

    private static int Index(JsonElement data) =>
        data.TryGetProperty("index", out var index) && index.ValueKind == JsonValueKind.Number && index.TryGetInt32(out var i) ? i : 0;

    private static void Start(Dictionary<int, Pending> blocks, int index, JsonElement block, List<AIContent> contents)
    {
        switch (ProviderJson.ReadString(block, "type"))
        {
            case "text":
                if (ProviderJson.ReadString(block, "text") is { Length: > 0 } text)
                {
                    contents.Add(new TextContent(text));
                }

                break;
            case "thinking":
                if (ProviderJson.ReadString(block, "thinking") is { Length: > 0 } thinking)
                {
                    contents.Add(new TextReasoningContent(thinking));
                }

                break;
            case "redacted_thinking":
                contents.Add(Redacted(ProviderJson.ReadString(block, "data"), block));
                break;
            case "tool_use":
                blocks[index] = new Pending(block) { IsToolUse = true };
                break;
            default:
                blocks[index] = new Pending(block);
                break;
        }
    }

    private static void Delta(Pending? pending, JsonElement delta, List<AIContent> contents)
    {
        switch (ProviderJson.ReadString(delta, "type"))
        {
            case "text_delta" when ProviderJson.ReadString(delta, "text") is { Length: > 0 } text:
                contents.Add(new TextContent(text));
                break;
            case "thinking_delta" when ProviderJson.ReadString(delta, "thinking") is { Length: > 0 } thinking:
                contents.Add(new TextReasoningContent(thinking));
                break;
            case "signature_delta" when ProviderJson.ReadString(delta, "signature") is { Length: > 0 } signature:
                contents.Add(new TextReasoningContent(string.Empty) { ProtectedData = signature });
                break;
            case "input_json_delta" when pending is not null:
                pending.Input.Append(ProviderJson.ReadString(delta, "partial_json"));
                break;
        }
    }

    private static void Stop(Pending pending, List<AIContent> contents)
    {
        var input = pending.Input.Length > 0 ? pending.Input.ToString() : null;
        if (pending.IsToolUse)
        {
            contents.Add(ToolCall(ProviderJson.ReadString(pending.Block, "id"), ProviderJson.ReadString(pending.Block, "name") ?? string.Empty,
                input ?? (pending.Block.TryGetProperty("input", out var whole) && whole.ValueKind == JsonValueKind.Object ? whole.GetRawText() : null), pending.Block));
            return;
        }

        // Any other block (a server tool's call or result, an MCP record, compaction...): rebuilt whole, its streamed input
        // in place, then read as in a whole answer, so it goes back as it came.
        var complete = pending.Block;
        if (input is not null)
        {
            var rebuilt = JsonObject.Create(pending.Block)!;
            rebuilt["input"] = JsonNode.Parse(input);
            complete = JsonSerializer.SerializeToElement(rebuilt, AnthropicJsonContext.Default.JsonObject);
        }

        contents.Add(ReadBlock(complete));
    }

    private sealed class Pending(JsonElement block)
    {
        public JsonElement Block { get; } = block;

        public bool IsToolUse { get; init; }

        public StringBuilder Input { get; } = new();
    }
}
