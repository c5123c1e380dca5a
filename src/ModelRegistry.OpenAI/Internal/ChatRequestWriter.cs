using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.OpenAI.Internal;

/// <summary>
/// Writes a Chat Completions request body from MEAI messages and options. Only fields of the API are written (OpenAI
/// refuses unknown ones), and nulls are left out. A <see cref="JsonObject"/> from
/// <see cref="ChatOptions.RawRepresentationFactory"/> is written first and wins: only the fields it does not set are
/// filled in.
/// </summary>
internal static class ChatRequestWriter
{
    /// <summary>Request fields taken as given from <see cref="ChatOptions.AdditionalProperties"/>; any other key is not sent.</summary>
    private static readonly string[] PassThroughFields =
    [
        OpenAIProperties.ServiceTier, OpenAIProperties.PromptCacheKey, OpenAIProperties.SafetyIdentifier, OpenAIProperties.User,
        OpenAIProperties.Metadata, OpenAIProperties.Store, OpenAIProperties.Verbosity, OpenAIProperties.WebSearchOptions, OpenAIProperties.LogitBias,
    ];

    /// <summary>Writes the body.</summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">The options, if any.</param>
    /// <param name="client">The client, handed to <see cref="ChatOptions.RawRepresentationFactory"/>.</param>
    /// <param name="api">The endpoint's wire choices (max tokens field, reasoning effort rule).</param>
    /// <param name="model">The model the call asks for.</param>
    /// <param name="stream">Whether to ask for an event stream (with usage on its last chunk).</param>
    public static ReadOnlyMemory<byte> Write(IEnumerable<ChatMessage> messages, ChatOptions? options, IChatClient client, OpenAIApi api, string model, bool stream)
    {
        var raw = ProviderJson.RawRequest(options, client, "OpenAI", "Chat Completions request body");
        using var body = ProviderJsonBody.Rent();
        var writer = body.Writer;
        writer.WriteStartObject();
        foreach (var (name, value) in raw ?? [])
        {
            if (name is "stream" or "stream_options")
            {
                continue; // Decided by the method called: GetResponseAsync or GetStreamingResponseAsync.
            }

            writer.WritePropertyName(name);
            ProviderJson.WriteNode(writer, value);
        }

        bool Unset(string field) => raw is null || !raw.ContainsKey(field);
        if (Unset("model"))
        {
            writer.WriteString("model", model);
        }

        if (Unset("messages"))
        {
            writer.WritePropertyName("messages");
            WriteMessages(writer, messages, options?.Instructions);
        }

        writer.WriteBoolean("stream", stream);
        if (stream)
        {
            // Usage arrives on a last chunk with no choices only when asked for.
            writer.WriteStartObject("stream_options");
            writer.WriteBoolean("include_usage", true);
            writer.WriteEndObject();
        }

        if (options is not null)
        {
            WriteOptions(writer, options, api, model, Unset);
        }

        writer.WriteEndObject();
        return body.ToArray();
    }

    private static void WriteOptions(Utf8JsonWriter writer, ChatOptions options, OpenAIApi api, string model, Func<string, bool> unset)
    {
        var extra = options.AdditionalProperties;
        if (options.Temperature is { } temperature && unset("temperature"))
        {
            writer.WriteNumber("temperature", temperature);
        }

        if (options.TopP is { } topP && unset("top_p"))
        {
            writer.WriteNumber("top_p", topP);
        }

        if (options.MaxOutputTokens is { } maxTokens && unset("max_tokens") && unset("max_completion_tokens"))
        {
            writer.WriteNumber(api.MaxTokensField, maxTokens);
        }

        if (options.StopSequences is { Count: > 0 } stops && unset("stop"))
        {
            writer.WriteStartArray("stop");
            foreach (var stop in stops)
            {
                writer.WriteStringValue(stop);
            }

            writer.WriteEndArray();
        }

        if (options.Seed is { } seed && unset("seed"))
        {
            writer.WriteNumber("seed", seed);
        }

        if (options.PresencePenalty is { } presence && unset("presence_penalty"))
        {
            writer.WriteNumber("presence_penalty", presence);
        }

        if (options.FrequencyPenalty is { } frequency && unset("frequency_penalty"))
        {
            writer.WriteNumber("frequency_penalty", frequency);
        }

        var strict = ProviderJson.ReadBool(extra, OpenAIProperties.Strict);
        if (options.ResponseFormat is { } format && unset("response_format"))
        {
            ProviderJson.WriteResponseFormat(writer, format, strict);
        }

        var wroteTools = false;
        if (options.Tools is { Count: > 0 } tools && unset("tools"))
        {
            writer.WriteStartArray("tools");
            foreach (var tool in tools)
            {
                WriteTool(writer, tool, strict);
            }

            writer.WriteEndArray();
            wroteTools = true;
        }

        if ((wroteTools || !unset("tools")) && options.ToolMode is { } mode && unset("tool_choice"))
        {
            WriteToolChoice(writer, mode);
        }

        if (wroteTools && options.AllowMultipleToolCalls is { } parallel && unset("parallel_tool_calls"))
        {
            // Only beside tools: OpenAI refuses parallel_tool_calls in a request without them.
            writer.WriteBoolean("parallel_tool_calls", parallel);
        }

        WriteReasoning(writer, options, api, model, unset);
        if (extra is null)
        {
            return;
        }

        foreach (var field in PassThroughFields)
        {
            if (extra.TryGetValue(field, out var value) && value is not null && unset(field))
            {
                writer.WritePropertyName(field);
                ProviderJson.WriteValue(writer, value);
            }
        }
    }

    private static void WriteReasoning(Utf8JsonWriter writer, ChatOptions options, OpenAIApi api, string model, Func<string, bool> unset)
    {
        if (!unset("reasoning_effort"))
        {
            return;
        }

        if (options.AdditionalProperties?.TryGetValue(OpenAIProperties.ReasoningEffort, out var given) == true && given is not null)
        {
            writer.WritePropertyName("reasoning_effort");
            ProviderJson.WriteValue(writer, given);
            return;
        }

        if (options.Reasoning?.Effort is not { } effort || !api.TakesReasoningEffort(model))
        {
            // A model outside the reasoning families refuses the field with 400; the README says how to opt in.
            return;
        }

        writer.WriteString("reasoning_effort", EffortName(effort));
    }

    /// <summary>The wire name of a reasoning effort, the same in Chat Completions and the Responses API.</summary>
    public static string EffortName(ReasoningEffort effort) => effort switch
    {
        ReasoningEffort.None => "none",
        ReasoningEffort.Low => "low",
        ReasoningEffort.High => "high",
        ReasoningEffort.ExtraHigh => "xhigh",
        _ => "medium",
    };

    private static void WriteTool(Utf8JsonWriter writer, AITool tool, bool? strictDefault)
    {
        if (tool is not AIFunctionDeclaration function)
        {
            throw new NotSupportedException(
                $"The tool '{tool.Name}' ({tool.GetType().Name}) has no Chat Completions equivalent: the API takes functions (AIFunction / " +
                $"AIFunctionDeclaration). Search models take web search options through ChatOptions.AdditionalProperties[\"{OpenAIProperties.WebSearchOptions}\"].");
        }

        writer.WriteStartObject();
        writer.WriteString("type", "function");
        writer.WriteStartObject("function");
        writer.WriteString("name", OpenAINames.RequireValidFunctionName(function.Name, "ChatOptions.Tools"));
        writer.WriteString("description", function.Description ?? string.Empty);
        writer.WritePropertyName("parameters");
        ProviderJson.WriteParametersSchema(writer, function);

        if ((ProviderJson.ReadBool(tool.AdditionalProperties, OpenAIProperties.Strict) ?? strictDefault) is { } strict)
        {
            writer.WriteBoolean("strict", strict);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteToolChoice(Utf8JsonWriter writer, ChatToolMode mode)
    {
        switch (mode)
        {
            case NoneChatToolMode:
                writer.WriteString("tool_choice", "none");
                break;
            case RequiredChatToolMode { RequiredFunctionName: { } name }:
                writer.WriteStartObject("tool_choice");
                writer.WriteString("type", "function");
                writer.WriteStartObject("function");
                writer.WriteString("name", OpenAINames.RequireValidFunctionName(name, "ChatOptions.ToolMode"));
                writer.WriteEndObject();
                writer.WriteEndObject();
                break;
            case RequiredChatToolMode:
                writer.WriteString("tool_choice", "required");
                break;
            default:
                writer.WriteString("tool_choice", "auto");
                break;
        }
    }

    /// <summary>
    /// Writes the messages: <see cref="ChatOptions.Instructions"/> first as a system message; every function result as
    /// its own <c>tool</c> message; a role named <c>developer</c> as it is. Reasoning is not sent (Chat Completions takes
    /// none back), nor is content another provider marked as its own (<see cref="PortableHistory.IsForeign"/>).
    /// </summary>
    private static void WriteMessages(Utf8JsonWriter writer, IEnumerable<ChatMessage> messages, string? instructions)
    {
        writer.WriteStartArray();
        if (!string.IsNullOrWhiteSpace(instructions))
        {
            writer.WriteStartObject();
            writer.WriteString("role", "system");
            writer.WriteString("content", instructions);
            writer.WriteEndObject();
        }

        foreach (var message in messages)
        {
            var role = message.Role.Value;
            if (role is "system" or "developer")
            {
                WriteSystem(writer, message, role);
            }
            else if (role == "assistant")
            {
                WriteAssistant(writer, message);
            }
            else if (role is "user" or "tool")
            {
                WriteUserOrTool(writer, message);
            }
            else
            {
                throw new ArgumentException(
                    $"A chat message has the role '{role}', which Chat Completions does not know. Use system, developer, user, assistant or tool.", nameof(messages));
            }
        }

        writer.WriteEndArray();
    }

    private static void WriteSystem(Utf8JsonWriter writer, ChatMessage message, string role)
    {
        writer.WriteStartObject();
        writer.WriteString("role", role);
        writer.WriteString("content", OpenAIMessages.SystemText(message, "Chat Completions"));
        writer.WriteEndObject();
    }

    private static void WriteAssistant(Utf8JsonWriter writer, ChatMessage message)
    {
        var text = new StringBuilder();
        var hasText = false;
        List<FunctionCallContent>? calls = null;
        List<FunctionResultContent>? results = null;
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case FunctionCallContent { InformationalOnly: true }:
                    break;
                case FunctionCallContent call:
                    (calls ??= []).Add(call);
                    break;
                case FunctionResultContent result:
                    (results ??= []).Add(result);
                    break;
                case TextContent part:
                    text.Append(part.Text);
                    hasText |= !string.IsNullOrEmpty(part.Text);
                    break;
                case UsageContent or ErrorContent or TextReasoningContent:
                    // Chat Completions takes no reasoning back: the model's own is in its context server-side or lost.
                    break;
                case var other when IsForeign(other):
                    break;
                default:
                    throw new NotSupportedException(
                        $"An assistant message holds a {content.GetType().Name}; Chat Completions assistant messages take text and tool calls only.");
            }
        }

        writer.WriteStartObject();
        writer.WriteString("role", "assistant");
        if (hasText || calls is null)
        {
            writer.WriteString("content", text.ToString());
        }

        if (calls is not null)
        {
            writer.WriteStartArray("tool_calls");
            foreach (var call in calls)
            {
                writer.WriteStartObject();
                writer.WriteString("id", call.CallId);
                writer.WriteString("type", "function");
                writer.WriteStartObject("function");
                writer.WriteString("name", OpenAINames.RequireValidFunctionName(call.Name, "a FunctionCallContent of the chat history"));
                writer.WriteString("arguments", ProviderJson.ArgumentsText(call));
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
        foreach (var result in results ?? [])
        {
            WriteToolMessage(writer, result);
        }
    }

    private static void WriteUserOrTool(Utf8JsonWriter writer, ChatMessage message) =>
        OpenAIMessages.WriteUser(writer, message, "Chat Completions", result => WriteToolMessage(writer, result), part => WritePart(writer, part));

    private static void WriteToolMessage(Utf8JsonWriter writer, FunctionResultContent result)
    {
        writer.WriteStartObject();
        writer.WriteString("role", "tool");
        writer.WriteString("tool_call_id", result.CallId);
        writer.WritePropertyName("content");
        switch (result.Result)
        {
            case IEnumerable<AIContent> contents when contents.All(c => c is TextContent):
                writer.WriteStringValue(string.Concat(contents.Select(c => ((TextContent)c).Text)));
                break;
            case (AIContent and not TextContent) or IEnumerable<AIContent>:
                throw new NotSupportedException(
                    "A function result holds content other than text; Chat Completions tool messages take text only. Return text from the tool " +
                    "and put images or files in a user message after it.");
            default:
                writer.WriteStringValue(ProviderJson.ToolResultText(result));
                break;
        }

        writer.WriteEndObject();
    }

    private static void WritePart(Utf8JsonWriter writer, AIContent content)
    {
        writer.WriteStartObject();
        switch (content)
        {
            case TextContent text:
                writer.WriteString("type", "text");
                writer.WriteString("text", text.Text);
                break;
            case DataContent data when data.HasTopLevelMediaType("image"):
                writer.WriteString("type", "image_url");
                WriteImageUrl(writer, data.Uri, data);
                break;
            case UriContent uri when uri.HasTopLevelMediaType("image"):
                writer.WriteString("type", "image_url");
                WriteImageUrl(writer, uri.Uri.AbsoluteUri, uri);
                break;
            case DataContent data when data.HasTopLevelMediaType("text"):
                // Plain text files go in as text: the file part is for PDFs.
                writer.WriteString("type", "text");
                writer.WriteString("text", Encoding.UTF8.GetString(data.Data.Span));
                break;
            case DataContent data when data.HasTopLevelMediaType("audio"):
                writer.WriteString("type", "input_audio");
                writer.WriteStartObject("input_audio");
                writer.WriteString("data", data.Base64Data.Span);
                writer.WriteString("format", AudioFormat(data.MediaType));
                writer.WriteEndObject();
                break;
            case DataContent data when !data.HasTopLevelMediaType("video"):
                writer.WriteString("type", "file");
                writer.WriteStartObject("file");
                writer.WriteString("filename", data.Name ?? (data.MediaType == "application/pdf" ? "document.pdf" : "document"));
                writer.WriteString("file_data", data.Uri);
                writer.WriteEndObject();
                break;
            case HostedFileContent file:
                writer.WriteString("type", "file");
                writer.WriteStartObject("file");
                writer.WriteString("file_id", file.FileId);
                writer.WriteEndObject();
                break;
            default:
                throw new NotSupportedException(
                    $"A {content.GetType().Name}{(content is DataContent d ? $" ({d.MediaType})" : content is UriContent u ? $" ({u.MediaType})" : string.Empty)} " +
                    "cannot be sent to Chat Completions. User messages take text, images (DataContent or UriContent image/*), audio (DataContent wav or mp3), " +
                    "files as DataContent bytes (PDF) and HostedFileContent; documents by URL must be downloaded first.");
        }

        writer.WriteEndObject();
    }

    private static string AudioFormat(string mediaType) => mediaType.ToLowerInvariant() switch
    {
        "audio/mpeg" or "audio/mp3" => "mp3",
        "audio/wav" or "audio/x-wav" or "audio/wave" => "wav",
        _ => throw new NotSupportedException($"Chat Completions takes audio as wav or mp3, not {mediaType}."),
    };

    private static void WriteImageUrl(Utf8JsonWriter writer, string url, AIContent content)
    {
        writer.WriteStartObject("image_url");
        writer.WriteString("url", url);
        if (content.AdditionalProperties?.TryGetValue(OpenAIProperties.ImageDetail, out var detail) == true && detail is string level)
        {
            writer.WriteString("detail", level);
        }

        writer.WriteEndObject();
    }

    private static bool IsForeign(AIContent content) => OpenAIMessages.IsForeign(content);
}
