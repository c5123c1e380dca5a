using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.OpenAI.Internal;

/// <summary>
/// Maps Responses API JSON (a response object and the output items a stream delivers) to MEAI. Unknown fields and
/// item types are tolerated: an item the client does not map becomes a plain <see cref="AIContent"/> holding it, so it
/// can be sent back. What only this provider can send back is marked with its origin (<see cref="PortableHistory"/>).
/// </summary>
internal static class ResponsesReader
{
    public static ChatResponse ReadResponse(JsonElement root, ResponsesRequest request, ProviderTransport transport)
    {
        ProviderJson.RequireObject(root, "The body");
        if (ProviderJson.ReadString(root, "status") == "failed")
        {
            throw OpenAIErrors.Failed(root, transport);
        }

        var response = new ChatResponse
        {
            ResponseId = ProviderJson.ReadString(root, "id"),
            ModelId = ProviderJson.ReadString(root, "model"),
            CreatedAt = ReadTime(root, "created_at"),
            RawRepresentation = root,
        };
        response.ConversationId = ConversationId(root, request, response.ResponseId);

        ChatMessage? message = null;
        var anyCalls = false;
        if (root.TryGetProperty("output", out var output) && output.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in output.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                if (ProviderJson.ReadString(item, "type") == "message")
                {
                    var id = ProviderJson.ReadString(item, "id");
                    if (message is not null && message.MessageId is not null && message.MessageId != id)
                    {
                        response.Messages.Add(message);
                        message = null;
                    }

                    message ??= new ChatMessage(ChatRole.Assistant, []) { CreatedAt = response.CreatedAt };
                    message.MessageId ??= id;
                    message.RawRepresentation = item;
                    if (ProviderJson.ReadString(item, "phase") is { } phase)
                    {
                        (message.AdditionalProperties ??= [])[OpenAIProperties.Phase] = phase;
                    }

                    if (ReadMessage(item, message.Contents) is { } refusal)
                    {
                        (response.AdditionalProperties ??= [])[OpenAIProperties.Refusal] = refusal;
                    }

                    continue;
                }

                message ??= new ChatMessage(ChatRole.Assistant, []) { CreatedAt = response.CreatedAt };
                anyCalls |= ReadItem(item, message.Contents, request.IncludeReasoning);
            }
        }

        message ??= new ChatMessage(ChatRole.Assistant, []) { MessageId = response.ResponseId };
        response.Messages.Add(message);
        foreach (var each in response.Messages)
        {
            PortableHistory.MarkOrigin(each.Contents, OpenAIProtocol.ProviderName);
        }

        response.FinishReason = FinishReason(root, anyCalls);
        if (root.TryGetProperty("usage", out var usage))
        {
            response.Usage = ReadUsage(usage);
        }

        return response;
    }

    /// <summary>
    /// The conversation a response belongs to, as MEAI's own OpenAI Responses client reports it: the <c>conv_...</c>
    /// conversation the request named; else the response's id when the response is stored (the body's <c>store</c>, or
    /// when it does not say, the request's: stored unless <c>store: false</c> was sent), so that the next call continues
    /// it with <c>previous_response_id</c>; else <see langword="null"/>: nothing is kept server-side.
    /// </summary>
    public static string? ConversationId(JsonElement response, ResponsesRequest request, string? responseId)
    {
        if (request.Conversation is not null)
        {
            return request.Conversation;
        }

        var stored = response.TryGetProperty("store", out var store) && store.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? store.ValueKind == JsonValueKind.True
            : request.Store;
        return stored ? responseId : null;
    }

    /// <summary>
    /// Reads the parts of an output message: <c>output_text</c> as <see cref="TextContent"/> with its annotations as
    /// <see cref="CitationAnnotation"/>s; returns the text of a <c>refusal</c> part, if any.
    /// </summary>
    public static string? ReadMessage(JsonElement item, IList<AIContent> into)
    {
        string? refusal = null;
        if (!item.TryGetProperty("content", out var parts) || parts.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var part in parts.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            switch (ProviderJson.ReadString(part, "type"))
            {
                case "output_text":
                    var text = new TextContent(ProviderJson.ReadString(part, "text") ?? string.Empty) { RawRepresentation = part };
                    if (part.TryGetProperty("annotations", out var annotations) && annotations.ValueKind == JsonValueKind.Array && annotations.GetArrayLength() > 0)
                    {
                        text.Annotations = [.. annotations.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.Object).Select(ReadAnnotation)];
                    }

                    into.Add(text);
                    break;
                case "refusal":
                    refusal = (refusal ?? string.Empty) + ProviderJson.ReadString(part, "refusal");
                    break;
            }
        }

        return refusal;
    }

    /// <summary>
    /// Reads an output item other than a message into contents; returns whether it was a function call. Reasoning
    /// becomes <see cref="TextReasoningContent"/> (summary or reasoning text; <c>encrypted_content</c> as its
    /// <see cref="TextReasoningContent.ProtectedData"/>); function calls <see cref="FunctionCallContent"/>; the hosted
    /// tools' calls MEAI's contents for them; anything else a plain <see cref="AIContent"/> holding the item.
    /// </summary>
    public static bool ReadItem(JsonElement item, IList<AIContent> into, bool includeReasoning)
    {
        var id = ProviderJson.ReadString(item, "id");
        switch (ProviderJson.ReadString(item, "type"))
        {
            case "reasoning":
                var encrypted = ProviderJson.ReadString(item, "encrypted_content");
                var text = includeReasoning ? ReasoningText(item) : string.Empty;
                if (text.Length > 0 || encrypted is not null)
                {
                    into.Add(WithItemId(new TextReasoningContent(text) { ProtectedData = encrypted, RawRepresentation = item }, id));
                }

                return false;
            case "function_call":
                var call = ChatResponseReader.CreateCall(
                    ProviderJson.ReadString(item, "call_id"), ProviderJson.ReadString(item, "name") ?? string.Empty, ProviderJson.ReadString(item, "arguments"), id, 0);
                call.RawRepresentation = item;
                into.Add(WithItemId(call, id));
                return true;
            case "web_search_call":
                var search = new WebSearchToolCallContent(id ?? string.Empty) { RawRepresentation = item };
                if (item.TryGetProperty("action", out var action) && action.ValueKind == JsonValueKind.Object && ProviderJson.ReadString(action, "query") is { } query)
                {
                    search.Queries = [query];
                }

                into.Add(search);
                return false;
            case "code_interpreter_call":
                var code = new CodeInterpreterToolCallContent(id ?? string.Empty) { RawRepresentation = item };
                if (ProviderJson.ReadString(item, "code") is { } source)
                {
                    code.Inputs = [new DataContent(Encoding.UTF8.GetBytes(source), "text/x-python")];
                }

                into.Add(code);
                if (item.TryGetProperty("outputs", out var outputs) && outputs.ValueKind == JsonValueKind.Array)
                {
                    into.Add(new CodeInterpreterToolResultContent(id ?? string.Empty) { Outputs = [.. CodeOutputs(outputs)] });
                }

                return false;
            case "mcp_call":
                var mcp = new McpServerToolCallContent(id ?? string.Empty, ProviderJson.ReadString(item, "name") ?? string.Empty, ProviderJson.ReadString(item, "server_label"))
                {
                    RawRepresentation = item,
                };
                if (ProviderJson.ReadString(item, "arguments") is { Length: > 0 } arguments)
                {
                    mcp.Arguments = ChatResponseReader.CreateCall(id, mcp.Name, arguments, id, 0).Arguments?.ToDictionary(p => p.Key, p => p.Value);
                }

                into.Add(mcp);
                var error = ProviderJson.ReadString(item, "error");
                var result = ProviderJson.ReadString(item, "output");
                if (error is not null || result is not null)
                {
                    into.Add(new McpServerToolResultContent(id ?? string.Empty)
                    {
                        Outputs = [error is not null ? new ErrorContent(error) : new TextContent(result)],
                    });
                }

                return false;
            case "image_generation_call":
                // The call's item holds the image; the result carries it as data. Only the call keeps the raw item.
                into.Add(new ImageGenerationToolCallContent(id ?? string.Empty) { RawRepresentation = item });
                if (ProviderJson.ReadString(item, "result") is { Length: > 0 } image)
                {
                    var format = ProviderJson.ReadString(item, "output_format") ?? "png";
                    into.Add(new ImageGenerationToolResultContent(id ?? string.Empty)
                    {
                        Outputs = [new DataContent(Convert.FromBase64String(image), "image/" + format)],
                    });
                }

                return false;
            default:
                into.Add(new AIContent { RawRepresentation = item });
                return false;
        }
    }

    /// <summary>
    /// Finish reason: <c>incomplete</c> with <c>max_output_tokens</c> → <see cref="ChatFinishReason.Length"/>, with
    /// <c>content_filter</c> → <see cref="ChatFinishReason.ContentFilter"/>, another reason as it is; a completed response
    /// with function calls → <see cref="ChatFinishReason.ToolCalls"/>, else <see cref="ChatFinishReason.Stop"/>.
    /// </summary>
    public static ChatFinishReason? FinishReason(JsonElement response, bool anyCalls)
    {
        var status = ProviderJson.ReadString(response, "status");
        if (status == "incomplete")
        {
            var reason = response.TryGetProperty("incomplete_details", out var details) && details.ValueKind == JsonValueKind.Object
                ? ProviderJson.ReadString(details, "reason")
                : null;
            return reason switch
            {
                "max_output_tokens" => ChatFinishReason.Length,
                "content_filter" => ChatFinishReason.ContentFilter,
                null or "" => ChatFinishReason.Length,
                var other => new ChatFinishReason(other),
            };
        }

        return status is null or "completed" ? anyCalls ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop : null;
    }

    /// <summary>
    /// Usage: input, output and total tokens; <c>input_tokens_details.cached_tokens</c> → cached input (reads);
    /// <c>input_tokens_details.cache_write_tokens</c> (Mantle reports it) → <see cref="RegistryProperties.CacheWriteInputTokens"/>;
    /// <c>output_tokens_details.reasoning_tokens</c> → reasoning tokens.
    /// </summary>
    public static UsageDetails? ReadUsage(JsonElement usage)
    {
        if (usage.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var details = new UsageDetails
        {
            InputTokenCount = ProviderJson.ReadLong(usage, "input_tokens"),
            OutputTokenCount = ProviderJson.ReadLong(usage, "output_tokens"),
            TotalTokenCount = ProviderJson.ReadLong(usage, "total_tokens"),
            CachedInputTokenCount = ProviderJson.ReadNestedLong(usage, "input_tokens_details", "cached_tokens"),
            ReasoningTokenCount = ProviderJson.ReadNestedLong(usage, "output_tokens_details", "reasoning_tokens"),
        };
        if (ProviderJson.ReadNestedLong(usage, "input_tokens_details", "cache_write_tokens") is { } written)
        {
            details.AdditionalCounts = new() { [RegistryProperties.CacheWriteInputTokens] = written };
        }

        return details;
    }

    /// <summary>A time in Unix seconds, whole or (as Mantle sends <c>created_at</c>) with a fraction; <see langword="null"/> when missing or out of range.</summary>
    public static DateTimeOffset? ReadTime(JsonElement element, string name)
    {
        if (ProviderJson.ReadUnixSeconds(element, name) is { } whole)
        {
            return whole;
        }

        return element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var seconds)
            && seconds >= DateTimeOffset.MinValue.ToUnixTimeSeconds() && seconds <= DateTimeOffset.MaxValue.ToUnixTimeSeconds()
            ? DateTimeOffset.FromUnixTimeSeconds((long)seconds)
            : null;
    }

    /// <summary>Sets <see cref="OpenAIProperties.ItemId"/> so the item is sent back with its id.</summary>
    public static T WithItemId<T>(T content, string? id)
        where T : AIContent
    {
        if (id is not null)
        {
            (content.AdditionalProperties ??= [])[OpenAIProperties.ItemId] = id;
        }

        return content;
    }

    /// <summary>A reasoning item's text: its summary parts, else (gpt-oss) its <c>reasoning_text</c> content, joined by blank lines.</summary>
    private static string ReasoningText(JsonElement item)
    {
        var texts = new List<string>();
        foreach (var field in (ReadOnlySpan<string>)["summary", "content"])
        {
            if (item.TryGetProperty(field, out var parts) && parts.ValueKind == JsonValueKind.Array)
            {
                texts.AddRange(parts.EnumerateArray().Where(p => p.ValueKind == JsonValueKind.Object).Select(p => ProviderJson.ReadString(p, "text")).OfType<string>());
            }

            if (texts.Count > 0)
            {
                break;
            }
        }

        return string.Join("\n\n", texts);
    }

    private static IEnumerable<AIContent> CodeOutputs(JsonElement outputs)
    {
        foreach (var output in outputs.EnumerateArray())
        {
            if (output.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            switch (ProviderJson.ReadString(output, "type"))
            {
                case "logs" when ProviderJson.ReadString(output, "logs") is { } logs:
                    yield return new TextContent(logs) { RawRepresentation = output };
                    break;
                case "image" when ProviderJson.ReadString(output, "url") is { } url:
                    yield return url.StartsWith("data:", StringComparison.Ordinal)
                        ? new DataContent(url) { RawRepresentation = output }
                        : new UriContent(url, "image/png") { RawRepresentation = output };
                    break;
            }
        }
    }

    /// <summary>
    /// <c>url_citation</c> (web search) → URL, title and the cited span; <c>file_citation</c> and
    /// <c>container_file_citation</c> → file id and file name as the title.
    /// </summary>
    private static CitationAnnotation ReadAnnotation(JsonElement annotation)
    {
        var citation = new CitationAnnotation
        {
            Title = ProviderJson.ReadString(annotation, "title") ?? ProviderJson.ReadString(annotation, "filename"),
            FileId = ProviderJson.ReadString(annotation, "file_id"),
            RawRepresentation = annotation,
        };
        if (ProviderJson.ReadString(annotation, "url") is { } url && Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            citation.Url = uri;
        }

        if (ProviderJson.ReadLong(annotation, "start_index") is { } start && ProviderJson.ReadLong(annotation, "end_index") is { } end)
        {
            citation.AnnotatedRegions = [new TextSpanAnnotatedRegion { StartIndex = (int)start, EndIndex = (int)end }];
        }

        return citation;
    }
}
