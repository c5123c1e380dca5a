using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.Mistral.Internal;

/// <summary>
/// Maps Mistral's chat completion JSON (whole responses and stream chunks) to MEAI. Unknown fields and chunk types
/// are tolerated: unknown chunks become plain <see cref="AIContent"/> holding the chunk as their raw representation.
/// Reasoning and unknown chunks are marked as Mistral's (<see cref="PortableHistory.MarkOrigin"/>), so another provider
/// given the conversation never sends Mistral's signatures or chunks.
/// </summary>
internal static class ChatResponseReader
{
    public static ChatResponse ReadResponse(JsonElement root, bool includeReasoning)
    {
        ProviderJson.RequireObject(root, "The body");
        var response = new ChatResponse
        {
            ResponseId = ProviderJson.ReadString(root, "id"),
            ModelId = ProviderJson.ReadString(root, "model"),
            CreatedAt = ProviderJson.ReadUnixSeconds(root, "created"),
            RawRepresentation = root,
        };

        if (root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array)
        {
            foreach (var choice in choices.EnumerateArray())
            {
                var message = new ChatMessage(ChatRole.Assistant, []) { MessageId = response.ResponseId, CreatedAt = response.CreatedAt };
                if (choice.TryGetProperty("message", out var wire) && wire.ValueKind == JsonValueKind.Object)
                {
                    message.RawRepresentation = wire;
                    if (wire.TryGetProperty("content", out var content))
                    {
                        ReadContent(content, message.Contents, includeReasoning);
                    }

                    if (wire.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
                    {
                        var position = 0;
                        foreach (var call in calls.EnumerateArray())
                        {
                            message.Contents.Add(ReadToolCall(call, response.ResponseId, position++));
                        }
                    }
                }

                PortableHistory.MarkOrigin(message.Contents, MistralProtocol.ProviderName);

                response.FinishReason ??= ReadFinishReason(choice);
                response.Messages.Add(message);
            }
        }

        if (response.Messages.Count == 0)
        {
            response.Messages.Add(new ChatMessage(ChatRole.Assistant, []) { MessageId = response.ResponseId });
        }

        if (root.TryGetProperty("usage", out var usage))
        {
            response.Usage = ReadUsage(usage);
        }

        return response;
    }

    /// <summary>Reads <c>content</c>: a string, an array of chunks, one chunk (a conversation stream's delta), or null.</summary>
    public static void ReadContent(JsonElement content, IList<AIContent> into, bool includeReasoning)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.Object:
                ReadChunk(content, into, includeReasoning);
                break;
            case JsonValueKind.String:
                var text = content.GetString();
                if (!string.IsNullOrEmpty(text))
                {
                    into.Add(new TextContent(text));
                }

                break;
            case JsonValueKind.Array:
                foreach (var chunk in content.EnumerateArray())
                {
                    ReadChunk(chunk, into, includeReasoning);
                }

                break;
        }
    }

    private static void ReadChunk(JsonElement chunk, IList<AIContent> into, bool includeReasoning)
    {
        switch (chunk.ValueKind == JsonValueKind.Object ? ProviderJson.ReadString(chunk, "type") : null)
        {
            case "text":
                var text = ProviderJson.ReadString(chunk, "text");
                if (!string.IsNullOrEmpty(text))
                {
                    into.Add(new TextContent(text) { RawRepresentation = chunk });
                }

                break;
            case "thinking":
                if (!includeReasoning)
                {
                    break;
                }

                var thinking = string.Empty;
                if (chunk.TryGetProperty("thinking", out var parts) && parts.ValueKind == JsonValueKind.Array)
                {
                    thinking = string.Concat(parts.EnumerateArray()
                        .Where(p => p.ValueKind == JsonValueKind.Object && ProviderJson.ReadString(p, "type") is "text" or null)
                        .Select(p => ProviderJson.ReadString(p, "text")));
                }

                var signature = ProviderJson.ReadString(chunk, "signature");
                if (thinking.Length > 0 || signature is not null)
                {
                    into.Add(new TextReasoningContent(thinking) { ProtectedData = signature, RawRepresentation = chunk });
                }

                break;
            case "tool_reference":
                Cite(chunk, into);
                break;
            case "tool_file" when ProviderJson.ReadString(chunk, "file_id") is { Length: > 0 } fileId:
                // A file a connector made (an image, a chart, a file from the code interpreter), kept in Mistral's file store:
                // only Mistral can resolve the id.
                into.Add(new HostedFileContent(fileId)
                {
                    Name = ProviderJson.ReadString(chunk, "file_name"),
                    MediaType = MediaTypeOf(ProviderJson.ReadString(chunk, "file_type")),
                    RawRepresentation = chunk,
                    AdditionalProperties = new() { [RegistryProperties.Origin] = MistralProtocol.ProviderName },
                });
                break;
            default:
                into.Add(new AIContent { RawRepresentation = chunk });
                break;
        }
    }

    /// <summary>
    /// A <c>tool_reference</c> chunk (a source a connector such as web search or the document library found) becomes a
    /// <see cref="CitationAnnotation"/> on the text before it, which it supports; with no text before it, on an empty text.
    /// </summary>
    private static void Cite(JsonElement chunk, IList<AIContent> into)
    {
        var citation = new CitationAnnotation
        {
            Title = ProviderJson.ReadString(chunk, "title"),
            Url = Uri.TryCreate(ProviderJson.ReadString(chunk, "url"), UriKind.Absolute, out var url) ? url : null,
            ToolName = ProviderJson.ReadString(chunk, "tool"),
            Snippet = ProviderJson.ReadString(chunk, "description"),
            RawRepresentation = chunk,
        };
        var text = into.Count > 0 && into[^1] is TextContent last ? last : null;
        if (text is null)
        {
            text = new TextContent(string.Empty);
            into.Add(text);
        }

        (text.Annotations ??= []).Add(citation);
    }

    /// <summary>The media type of a <c>tool_file</c>'s <c>file_type</c> (an extension such as <c>png</c>), when it is a common one.</summary>
    private static string? MediaTypeOf(string? fileType) => fileType?.Trim().TrimStart('.').ToLowerInvariant() switch
    {
        "png" => "image/png",
        "jpg" or "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "pdf" => "application/pdf",
        "csv" => "text/csv",
        "txt" => "text/plain",
        "json" => "application/json",
        _ => null,
    };

    /// <summary>Reads one whole tool call; a missing id is derived from the response id and its position.</summary>
    public static FunctionCallContent ReadToolCall(JsonElement call, string? responseId, int position)
    {
        string? id = ProviderJson.ReadString(call, "id");
        string name = string.Empty;
        string? arguments = null;
        if (call.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object)
        {
            name = ProviderJson.ReadString(function, "name") ?? string.Empty;
            if (function.TryGetProperty("arguments", out var args))
            {
                arguments = args.ValueKind == JsonValueKind.String ? args.GetString() : args.GetRawText();
            }
        }

        var content = CreateCall(id, name, arguments, responseId, position);
        content.RawRepresentation = call;
        return content;
    }

    /// <summary>Creates the call content, parsing the arguments JSON (a parse failure lands on <see cref="FunctionCallContent.Exception"/>).</summary>
    public static FunctionCallContent CreateCall(string? id, string name, string? arguments, string? responseId, int position)
    {
        var callId = string.IsNullOrEmpty(id) || id == "null" ? MistralNames.ToToolCallId($"{responseId}#{position}") : id;
        return FunctionCallContent.CreateFromParsedArguments(
            string.IsNullOrWhiteSpace(arguments) ? "{}" : arguments,
            callId,
            name,
            static json => JsonSerializer.Deserialize(json, MistralJsonContext.Default.DictionaryStringObject));
    }

    /// <summary>Reads <c>finish_reason</c>; an empty one (some deployments send <c>""</c> mid-stream) is none.</summary>
    public static ChatFinishReason? ReadFinishReason(JsonElement choice) =>
        ProviderJson.ReadString(choice, "finish_reason")?.Trim() switch
        {
            null or "" => null,
            "stop" => ChatFinishReason.Stop,
            "length" or "model_length" => ChatFinishReason.Length,
            "tool_calls" => ChatFinishReason.ToolCalls,
            var other => new ChatFinishReason(other),
        };

    /// <summary>
    /// Reads usage (of chat completions and conversations), including cached prompt tokens (<c>num_cached_tokens</c>, <c>prompt_tokens_details.cached_tokens</c>
    /// or its misspelt twin <c>prompt_token_details</c>), reasoning tokens (<c>completion_tokens_details.reasoning_tokens</c>) and
    /// a conversation's <c>connector_tokens</c> (as <see cref="MistralProperties.ConnectorTokens"/>).
    /// </summary>
    public static UsageDetails? ReadUsage(JsonElement usage)
    {
        if (usage.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        return new UsageDetails
        {
            InputTokenCount = ProviderJson.ReadLong(usage, "prompt_tokens"),
            OutputTokenCount = ProviderJson.ReadLong(usage, "completion_tokens"),
            TotalTokenCount = ProviderJson.ReadLong(usage, "total_tokens"),
            CachedInputTokenCount = ProviderJson.ReadLong(usage, "num_cached_tokens")
                ?? ProviderJson.ReadNestedLong(usage, "prompt_tokens_details", "cached_tokens")
                ?? ProviderJson.ReadNestedLong(usage, "prompt_token_details", "cached_tokens"),
            ReasoningTokenCount = ProviderJson.ReadNestedLong(usage, "completion_tokens_details", "reasoning_tokens"),
            AdditionalCounts = ProviderJson.ReadLong(usage, "connector_tokens") is { } connectors ? new() { [MistralProperties.ConnectorTokens] = connectors } : null,
        };
    }
}
