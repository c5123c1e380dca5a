using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.OpenAI.Internal;

/// <summary>
/// Maps Chat Completions JSON (whole responses and stream chunks) to MEAI. Unknown fields are tolerated. Reasoning text
/// that compatible servers add (<c>reasoning_content</c> from vLLM and DeepSeek-style servers, <c>reasoning</c> from
/// Ollama and Mantle's gpt-oss) becomes <see cref="TextReasoningContent"/> marked as this provider's, so it is never
/// sent back as another provider's signed reasoning.
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
                if (choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("message", out var wire) && wire.ValueKind == JsonValueKind.Object)
                {
                    message.RawRepresentation = wire;
                    ReadMessage(wire, message.Contents, includeReasoning);
                    if (ProviderJson.ReadString(wire, "refusal") is { Length: > 0 } refusal)
                    {
                        (response.AdditionalProperties ??= [])[OpenAIProperties.Refusal] = refusal;
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

                PortableHistory.MarkOrigin(message.Contents, OpenAIProtocol.ProviderName);
                response.FinishReason ??= choice.ValueKind == JsonValueKind.Object ? ReadFinishReason(choice) : null;
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

    /// <summary>Reads the reasoning and text of a message or delta into <paramref name="into"/>, reasoning first.</summary>
    public static void ReadMessage(JsonElement message, IList<AIContent> into, bool includeReasoning)
    {
        if (includeReasoning && (ProviderJson.ReadString(message, "reasoning_content") ?? ProviderJson.ReadString(message, "reasoning")) is { Length: > 0 } reasoning)
        {
            into.Add(new TextReasoningContent(reasoning));
        }

        if (message.TryGetProperty("content", out var content))
        {
            switch (content.ValueKind)
            {
                case JsonValueKind.String when content.GetString() is { Length: > 0 } text:
                    into.Add(new TextContent(text));
                    break;
                case JsonValueKind.Array:
                    // Some compatible servers answer with content parts.
                    foreach (var part in content.EnumerateArray())
                    {
                        if (part.ValueKind == JsonValueKind.Object && ProviderJson.ReadString(part, "text") is { Length: > 0 } partText)
                        {
                            into.Add(new TextContent(partText) { RawRepresentation = part });
                        }
                    }

                    break;
            }
        }
    }

    /// <summary>Reads one whole tool call; a missing id is derived from the response id and its position.</summary>
    public static FunctionCallContent ReadToolCall(JsonElement call, string? responseId, int position)
    {
        var id = call.ValueKind == JsonValueKind.Object ? ProviderJson.ReadString(call, "id") : null;
        var name = string.Empty;
        string? arguments = null;
        if (call.ValueKind == JsonValueKind.Object && call.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object)
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

    /// <summary>
    /// Creates the call content, parsing the arguments JSON (a parse failure lands on <see cref="FunctionCallContent.Exception"/>).
    /// A call without an id (some compatible servers send none) gets one derived from the response id and its position.
    /// </summary>
    public static FunctionCallContent CreateCall(string? id, string name, string? arguments, string? responseId, int position) =>
        FunctionCallContent.CreateFromParsedArguments(
            string.IsNullOrWhiteSpace(arguments) ? "{}" : arguments,
            string.IsNullOrEmpty(id) ? "call_" + PortableHistory.StableId($"{responseId}#{position}", 24) : id,
            name,
            static json => JsonSerializer.Deserialize(json, OpenAIJsonContext.Default.DictionaryStringObject));

    /// <summary>Reads <c>finish_reason</c>: <c>stop</c>, <c>length</c>, <c>tool_calls</c> (and the older <c>function_call</c>), <c>content_filter</c>.</summary>
    public static ChatFinishReason? ReadFinishReason(JsonElement choice) =>
        ProviderJson.ReadString(choice, "finish_reason")?.Trim() switch
        {
            null or "" => null,
            "stop" => ChatFinishReason.Stop,
            "length" => ChatFinishReason.Length,
            "tool_calls" or "function_call" => ChatFinishReason.ToolCalls,
            "content_filter" => ChatFinishReason.ContentFilter,
            var other => new ChatFinishReason(other),
        };

    /// <summary>
    /// Reads usage: prompt, completion and total tokens, cached prompt tokens (<c>prompt_tokens_details.cached_tokens</c>)
    /// and reasoning tokens (<c>completion_tokens_details.reasoning_tokens</c>).
    /// </summary>
    public static UsageDetails? ReadUsage(JsonElement usage) =>
        usage.ValueKind != JsonValueKind.Object
            ? null
            : new UsageDetails
            {
                InputTokenCount = ProviderJson.ReadLong(usage, "prompt_tokens"),
                OutputTokenCount = ProviderJson.ReadLong(usage, "completion_tokens"),
                TotalTokenCount = ProviderJson.ReadLong(usage, "total_tokens"),
                CachedInputTokenCount = ProviderJson.ReadNestedLong(usage, "prompt_tokens_details", "cached_tokens"),
                ReasoningTokenCount = ProviderJson.ReadNestedLong(usage, "completion_tokens_details", "reasoning_tokens"),
            };
}
