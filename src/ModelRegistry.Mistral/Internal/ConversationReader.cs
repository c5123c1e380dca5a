using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.Mistral.Internal;

/// <summary>
/// Maps the Conversations API's entries (of an answer's <c>outputs</c>, a <c>/history</c> or <c>/messages</c>) to MEAI
/// messages, one message per entry with the entry's id as <see cref="ChatMessage.MessageId"/> (the id a restart starts
/// from): <c>message.input</c> and <c>message.output</c> content as chat completion content is read (text, thinking,
/// <c>tool_reference</c> citations, <c>tool_file</c> files), <c>function.call</c> as <see cref="FunctionCallContent"/>,
/// <c>function.result</c> as a tool message, <c>tool.execution</c> (a built-in connector Mistral ran) as MEAI's hosted
/// tool call and result contents, anything else (<c>agent.handoff</c>) as an <see cref="AIContent"/> holding the entry.
/// What only Mistral can use is marked as its own (<see cref="PortableHistory.MarkOrigin"/>).
/// </summary>
internal static class ConversationReader
{
    /// <summary>Reads a <c>ConversationResponse</c>.</summary>
    public static ChatResponse ReadResponse(JsonElement root, bool includeReasoning)
    {
        ProviderJson.RequireObject(root, "The body");
        var response = new ChatResponse
        {
            ConversationId = RequireConversationId(root),
            RawRepresentation = root,
        };

        JsonElement? last = null;
        if (root.TryGetProperty("outputs", out var outputs) && outputs.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in outputs.EnumerateArray())
            {
                if (ReadEntry(entry, includeReasoning) is { } message)
                {
                    response.Messages.Add(message);
                    response.ModelId ??= ProviderJson.ReadString(entry, "model");
                    response.CreatedAt ??= message.CreatedAt;
                    last = entry;
                }
            }
        }

        // The API gives an answer no id of its own: its last entry's id names it (and is where a restart would continue).
        response.ResponseId = last is { } final ? ProviderJson.ReadString(final, "id") : null;
        if (response.Messages.Count == 0)
        {
            response.Messages.Add(new ChatMessage(ChatRole.Assistant, []));
        }

        response.FinishReason = FinishReason(response.Messages.SelectMany(m => m.Contents));
        if (root.TryGetProperty("usage", out var usage))
        {
            response.Usage = ChatResponseReader.ReadUsage(usage);
        }

        return response;
    }

    /// <summary>Reads a list of entries (<c>entries</c> of a history, <c>messages</c> of <c>/messages</c>).</summary>
    public static List<ChatMessage> ReadEntries(JsonElement root, string property)
    {
        ProviderJson.RequireObject(root, "The body");
        if (!root.TryGetProperty(property, out var entries) || entries.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"The answer has no '{property}' array.");
        }

        var messages = new List<ChatMessage>(entries.GetArrayLength());
        foreach (var entry in entries.EnumerateArray())
        {
            if (ReadEntry(entry, includeReasoning: true) is { } message)
            {
                messages.Add(message);
            }
        }

        return messages;
    }

    /// <summary>The conversation id an answer or a <c>conversation.response.started</c> event carries.</summary>
    public static string RequireConversationId(JsonElement element) =>
        ProviderJson.ReadString(element, "conversation_id") is { Length: > 0 } id
            ? id
            : throw new InvalidDataException("The answer has no conversation_id.");

    /// <summary><c>ToolCalls</c> when the answer asks for functions to be run, else <c>Stop</c> (conversation answers carry no finish reason).</summary>
    public static ChatFinishReason FinishReason(IEnumerable<AIContent> contents) =>
        contents.Any(c => c is FunctionCallContent) ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop;

    /// <summary>Reads one entry; <see langword="null"/> for what is not an entry (not a JSON object).</summary>
    public static ChatMessage? ReadEntry(JsonElement entry, bool includeReasoning)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var id = ProviderJson.ReadString(entry, "id");
        var message = new ChatMessage(ChatRole.Assistant, [])
        {
            MessageId = id,
            CreatedAt = ReadTime(entry, "created_at"),
            RawRepresentation = entry,
        };
        switch (ProviderJson.ReadString(entry, "type"))
        {
            case "message.input" or "message.output":
                if (ProviderJson.ReadString(entry, "role") == "user")
                {
                    message.Role = ChatRole.User;
                }

                if (entry.TryGetProperty("content", out var content))
                {
                    ChatResponseReader.ReadContent(content, message.Contents, includeReasoning);
                }

                break;
            case "function.call":
                message.Contents.Add(ChatResponseReader.CreateCall(
                    ProviderJson.ReadString(entry, "tool_call_id"), ProviderJson.ReadString(entry, "name") ?? string.Empty, ArgumentsOf(entry), id, 0));
                break;
            case "function.result":
                message.Role = ChatRole.Tool;
                message.Contents.Add(new FunctionResultContent(ProviderJson.ReadString(entry, "tool_call_id") ?? string.Empty, ProviderJson.ReadString(entry, "result")));
                break;
            case "tool.execution":
                var name = ProviderJson.ReadString(entry, "name");
                var callId = id ?? string.Empty;
                JsonElement? info = entry.TryGetProperty("info", out var i) && i.ValueKind == JsonValueKind.Object ? i : null;
                message.Contents.Add(ConnectorCall(name, callId, ProviderJson.ReadString(entry, "arguments"), info, entry));
                if (ConnectorResult(name, callId, info, entry) is { } result)
                {
                    message.Contents.Add(result);
                }

                break;
            default:
                message.Contents.Add(new AIContent { RawRepresentation = entry });
                break;
        }

        PortableHistory.MarkOrigin(message.Contents, MistralProtocol.ProviderName);
        return message;
    }

    /// <summary>
    /// The call of a built-in connector Mistral ran: <see cref="WebSearchToolCallContent"/> (its query),
    /// <see cref="CodeInterpreterToolCallContent"/> (its code), <see cref="ImageGenerationToolCallContent"/>; another
    /// connector (the document library, a custom connector) as an <see cref="AIContent"/> holding the raw entry or event.
    /// </summary>
    public static AIContent ConnectorCall(string? name, string callId, string? arguments, JsonElement? info, JsonElement raw) => name switch
    {
        "web_search" or "web_search_premium" => new WebSearchToolCallContent(callId)
        {
            Queries = Field(arguments, "query") is { } query ? [query] : string.IsNullOrWhiteSpace(arguments) ? null : [arguments],
            RawRepresentation = raw,
        },
        "code_interpreter" => new CodeInterpreterToolCallContent(callId)
        {
            Inputs = (Text(info, "code") ?? Field(arguments, "code") ?? arguments) is { Length: > 0 } code ? [new TextContent(code)] : null,
            RawRepresentation = raw,
        },
        "image_generation" => new ImageGenerationToolCallContent(callId) { RawRepresentation = raw },
        _ => new AIContent { RawRepresentation = raw },
    };

    /// <summary>
    /// The result of a connector Mistral ran, once it is done: the code interpreter's output as text; web search's and
    /// image generation's (whose sources and images arrive in the answer's text as citations and files) empty;
    /// <see langword="null"/> for another connector, whose call content holds the whole record.
    /// </summary>
    public static AIContent? ConnectorResult(string? name, string callId, JsonElement? info, JsonElement raw) => name switch
    {
        "web_search" or "web_search_premium" => new WebSearchToolResultContent(callId) { RawRepresentation = raw },
        "code_interpreter" => new CodeInterpreterToolResultContent(callId)
        {
            Outputs = Text(info, "code_output") is { } output ? [new TextContent(output)] : null,
            RawRepresentation = raw,
        },
        "image_generation" => new ImageGenerationToolResultContent(callId) { RawRepresentation = raw },
        _ => null,
    };

    /// <summary>Reads an ISO 8601 time (<c>created_at</c>); anything else is no time.</summary>
    public static DateTimeOffset? ReadTime(JsonElement element, string name) =>
        DateTimeOffset.TryParse(ProviderJson.ReadString(element, name), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;

    /// <summary>A function call's <c>arguments</c>: a JSON string, or the object itself.</summary>
    private static string? ArgumentsOf(JsonElement entry) =>
        entry.TryGetProperty("arguments", out var arguments)
            ? arguments.ValueKind == JsonValueKind.String ? arguments.GetString() : arguments.GetRawText()
            : null;

    private static string? Text(JsonElement? element, string name) => element is { } e ? ProviderJson.ReadString(e, name) : null;

    /// <summary>A string field of JSON object text (a connector's <c>arguments</c>), or <see langword="null"/>.</summary>
    private static string? Field(string? json, string name)
    {
        if (string.IsNullOrWhiteSpace(json) || !json.TrimStart().StartsWith('{'))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object ? ProviderJson.ReadString(document.RootElement, name) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
