using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.OpenAI.Internal;

/// <summary>
/// Writes a Responses API request body (<c>POST {base}/responses</c>) from MEAI messages and options. Only fields of the
/// API are written, and nulls are left out. A <see cref="System.Text.Json.Nodes.JsonObject"/> from
/// <see cref="ChatOptions.RawRepresentationFactory"/> is written first and wins: only the fields it does not set are
/// filled in.
/// </summary>
internal static class ResponsesRequestWriter
{
    /// <summary>Request fields taken as given from <see cref="ChatOptions.AdditionalProperties"/>; any other key is not sent.</summary>
    private static readonly string[] PassThroughFields =
    [
        OpenAIProperties.Store, OpenAIProperties.Include, OpenAIProperties.ServiceTier, OpenAIProperties.PromptCacheKey,
        OpenAIProperties.SafetyIdentifier, OpenAIProperties.User, OpenAIProperties.Metadata, OpenAIProperties.TopLogprobs,
    ];

    /// <summary>Writes the body and notes what reading the answer needs to know of it.</summary>
    /// <param name="messages">The conversation (after the stored one, when <see cref="ChatOptions.ConversationId"/> is set).</param>
    /// <param name="options">The options, if any.</param>
    /// <param name="client">The client, handed to <see cref="ChatOptions.RawRepresentationFactory"/>.</param>
    /// <param name="api">The endpoint's wire choices (reasoning effort rule).</param>
    /// <param name="model">The model the call asks for.</param>
    /// <param name="stream">Whether to ask for an event stream.</param>
    public static ResponsesRequest Write(IEnumerable<ChatMessage> messages, ChatOptions? options, IChatClient client, OpenAIApi api, string model, bool stream)
    {
        var raw = ProviderJson.RawRequest(options, client, "OpenAI", "Responses request body");
        string? conversation = null;
        using var body = ProviderJsonBody.Rent();
        var writer = body.Writer;
        writer.WriteStartObject();
        foreach (var (name, value) in raw ?? [])
        {
            if (name == "stream")
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

        if (!string.IsNullOrWhiteSpace(options?.Instructions) && Unset("instructions"))
        {
            writer.WriteString("instructions", options.Instructions);
        }

        if (Unset("input"))
        {
            writer.WritePropertyName("input");
            WriteInput(writer, messages);
        }

        writer.WriteBoolean("stream", stream);
        if (options is not null)
        {
            conversation = WriteConversation(writer, options, Unset) ?? ReadText(raw, "conversation");
            WriteOptions(writer, options, api, model, Unset);
        }

        writer.WriteEndObject();

        // The raw body's store is what was sent when it has one (its fields win), else the property's.
        bool? sentStore = raw?["store"] is { } node && node.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? node.GetValueKind() == JsonValueKind.True : null;
        var store = sentStore ?? ProviderJson.ReadBool(options?.AdditionalProperties, OpenAIProperties.Store);
        return new ResponsesRequest(body.ToArray(), conversation, store != false, options?.Reasoning?.Output != ReasoningOutput.None);
    }

    /// <summary>
    /// <see cref="ChatOptions.ConversationId"/> as MEAI's own OpenAI Responses client sends it: an id starting with
    /// <c>conv_</c> names a conversation (<c>conversation</c>), anything else the response to continue
    /// (<c>previous_response_id</c>). Returns the conversation id, if one was sent.
    /// </summary>
    private static string? WriteConversation(Utf8JsonWriter writer, ChatOptions options, Func<string, bool> unset)
    {
        if (string.IsNullOrWhiteSpace(options.ConversationId) || !unset("previous_response_id") || !unset("conversation"))
        {
            return null;
        }

        if (options.ConversationId.StartsWith("conv_", StringComparison.Ordinal))
        {
            writer.WriteString("conversation", options.ConversationId);
            return options.ConversationId;
        }

        writer.WriteString("previous_response_id", options.ConversationId);
        return null;
    }

    private static void WriteOptions(Utf8JsonWriter writer, ChatOptions options, OpenAIApi api, string model, Func<string, bool> unset)
    {
        var extra = options.AdditionalProperties;
        if (options.StopSequences is { Count: > 0 })
        {
            throw new NotSupportedException(
                "ChatOptions.StopSequences cannot be sent to the OpenAI Responses API, which has no stop sequences. Remove them, or give the entry \"api\": \"chat_completions\".");
        }

        if (options.Seed is not null)
        {
            throw new NotSupportedException(
                "ChatOptions.Seed cannot be sent to the OpenAI Responses API, which takes no seed. Remove it, or give the entry \"api\": \"chat_completions\".");
        }

        if (options.Temperature is { } temperature && unset("temperature"))
        {
            writer.WriteNumber("temperature", temperature);
        }

        if (options.TopP is { } topP && unset("top_p"))
        {
            writer.WriteNumber("top_p", topP);
        }

        if (options.PresencePenalty is { } presence && unset("presence_penalty"))
        {
            writer.WriteNumber("presence_penalty", presence);
        }

        if (options.FrequencyPenalty is { } frequency && unset("frequency_penalty"))
        {
            writer.WriteNumber("frequency_penalty", frequency);
        }

        if (options.MaxOutputTokens is { } maxTokens && unset("max_output_tokens"))
        {
            writer.WriteNumber("max_output_tokens", maxTokens);
        }

        var strict = ProviderJson.ReadBool(extra, OpenAIProperties.Strict);
        var verbosity = extra?.TryGetValue(OpenAIProperties.Verbosity, out var v) == true ? v : null;
        if ((options.ResponseFormat is not null || verbosity is not null) && unset("text"))
        {
            writer.WriteStartObject("text");
            if (options.ResponseFormat is { } format)
            {
                writer.WriteStartObject("format");
                switch (format)
                {
                    case ChatResponseFormatJson { Schema: not null } json:
                        writer.WriteString("type", "json_schema");
                        ProviderJson.WriteJsonSchemaMembers(writer, json, strict);
                        break;
                    case ChatResponseFormatJson:
                        writer.WriteString("type", "json_object");
                        break;
                    default:
                        writer.WriteString("type", "text");
                        break;
                }

                writer.WriteEndObject();
            }

            if (verbosity is not null)
            {
                writer.WritePropertyName("verbosity");
                ProviderJson.WriteValue(writer, verbosity);
            }

            writer.WriteEndObject();
        }

        var wroteTools = false;
        if (options.Tools is { Count: > 0 } tools && unset("tools"))
        {
            writer.WriteStartArray("tools");
            foreach (var tool in tools)
            {
                ResponsesTools.Write(writer, tool, strict);
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
            writer.WriteBoolean("parallel_tool_calls", parallel);
        }

        WriteReasoning(writer, options, api, model, unset);
        foreach (var field in PassThroughFields)
        {
            if (extra is not null && extra.TryGetValue(field, out var value) && value is not null && unset(field))
            {
                writer.WritePropertyName(field);
                ProviderJson.WriteValue(writer, value);
            }
        }
    }

    /// <summary>
    /// <c>reasoning: {effort, summary}</c>: <c>AdditionalProperties["reasoning_effort"]</c> and
    /// <c>["reasoning_summary"]</c> as given, whatever the model; else <see cref="ChatOptions.Reasoning"/> for models
    /// that reason (the same rule as Chat Completions' <c>reasoning_effort</c>): its effort, and its output as the
    /// summary (<see cref="ReasoningOutput.Summary"/> → <c>auto</c>, <see cref="ReasoningOutput.Full"/> → <c>detailed</c>).
    /// </summary>
    private static void WriteReasoning(Utf8JsonWriter writer, ChatOptions options, OpenAIApi api, string model, Func<string, bool> unset)
    {
        if (!unset("reasoning"))
        {
            return;
        }

        var extra = options.AdditionalProperties;
        object? effort = extra?.TryGetValue(OpenAIProperties.ReasoningEffort, out var e) == true ? e : null;
        object? summary = extra?.TryGetValue(OpenAIProperties.ReasoningSummary, out var s) == true ? s : null;
        if (options.Reasoning is { } reasoning && api.TakesReasoningEffort(model))
        {
            effort ??= reasoning.Effort is { } level ? ChatRequestWriter.EffortName(level) : null;
            summary ??= reasoning.Output switch
            {
                ReasoningOutput.Summary => "auto",
                ReasoningOutput.Full => "detailed",
                _ => null,
            };
        }

        if (effort is null && summary is null)
        {
            return;
        }

        writer.WriteStartObject("reasoning");
        if (effort is not null)
        {
            writer.WritePropertyName("effort");
            ProviderJson.WriteValue(writer, effort);
        }

        if (summary is not null)
        {
            writer.WritePropertyName("summary");
            ProviderJson.WriteValue(writer, summary);
        }

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
                writer.WriteString("name", OpenAINames.RequireValidFunctionName(name, "ChatOptions.ToolMode"));
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
    /// Writes the input items: system and developer messages as messages of that role; user messages as text or
    /// <c>input_*</c> parts; every <see cref="FunctionResultContent"/> as a <c>function_call_output</c>; assistant
    /// messages, in order, as <c>message</c> items with <c>output_text</c> (its <see cref="ChatMessage.MessageId"/> and
    /// <c>phase</c> when they are this API's), <c>function_call</c> items, <c>reasoning</c> items for reasoning with
    /// encrypted content, and the items of hosted tool calls this client read (their raw JSON). Content another provider
    /// marked as its own is left out.
    /// </summary>
    private static void WriteInput(Utf8JsonWriter writer, IEnumerable<ChatMessage> messages)
    {
        writer.WriteStartArray();
        foreach (var message in messages)
        {
            switch (message.Role.Value)
            {
                case "system" or "developer":
                    writer.WriteStartObject();
                    writer.WriteString("role", message.Role.Value);
                    writer.WriteString("content", OpenAIMessages.SystemText(message, "Responses API"));
                    writer.WriteEndObject();
                    break;
                case "assistant":
                    WriteAssistant(writer, message);
                    break;
                case "user" or "tool":
                    WriteUserOrTool(writer, message);
                    break;
                default:
                    throw new ArgumentException(
                        $"A chat message has the role '{message.Role.Value}', which the Responses API does not know. Use system, developer, user, assistant or tool.", nameof(messages));
            }
        }

        writer.WriteEndArray();
    }

    private static void WriteAssistant(Utf8JsonWriter writer, ChatMessage message)
    {
        var text = new StringBuilder();
        var hasText = false;
        var idUsed = false;
        void FlushText()
        {
            if (!hasText)
            {
                return;
            }

            writer.WriteStartObject();
            writer.WriteString("type", "message");
            writer.WriteString("role", "assistant");
            writer.WriteStartArray("content");
            writer.WriteStartObject();
            writer.WriteString("type", "output_text");
            writer.WriteString("text", text.ToString());
            writer.WriteStartArray("annotations");
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndArray();
            if (!idUsed && message.MessageId is { } id && id.StartsWith("msg_", StringComparison.Ordinal))
            {
                // An output message sent back with its id is the stored item; the API wants its status with it.
                writer.WriteString("id", id);
                writer.WriteString("status", "completed");
                idUsed = true;
            }

            if (message.AdditionalProperties?.TryGetValue(OpenAIProperties.Phase, out var phase) == true && phase is not null)
            {
                writer.WritePropertyName("phase");
                ProviderJson.WriteValue(writer, phase);
            }

            writer.WriteEndObject();
            text.Clear();
            hasText = false;
        }

        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case TextContent part:
                    text.Append(part.Text);
                    hasText |= !string.IsNullOrEmpty(part.Text);
                    continue;
                case UsageContent or ErrorContent or FunctionCallContent { InformationalOnly: true }:
                    continue;
                case var other when IsForeign(other):
                    continue;
            }

            FlushText();
            switch (content)
            {
                case FunctionCallContent call:
                    writer.WriteStartObject();
                    writer.WriteString("type", "function_call");
                    WriteItemId(writer, call);
                    writer.WriteString("call_id", call.CallId);
                    writer.WriteString("name", OpenAINames.RequireValidFunctionName(call.Name, "a FunctionCallContent of the chat history"));
                    writer.WriteString("arguments", ProviderJson.ArgumentsText(call));
                    writer.WriteEndObject();
                    break;
                case FunctionResultContent result:
                    WriteFunctionOutput(writer, result);
                    break;
                case TextReasoningContent { ProtectedData: { Length: > 0 } encrypted } reasoning:
                    writer.WriteStartObject();
                    writer.WriteString("type", "reasoning");
                    WriteItemId(writer, reasoning);
                    writer.WriteString("encrypted_content", encrypted);
                    writer.WriteStartArray("summary");
                    if (!string.IsNullOrEmpty(reasoning.Text))
                    {
                        writer.WriteStartObject();
                        writer.WriteString("type", "summary_text");
                        writer.WriteString("text", reasoning.Text);
                        writer.WriteEndObject();
                    }

                    writer.WriteEndArray();
                    writer.WriteEndObject();
                    break;
                case TextReasoningContent:
                    // Reasoning text without its encrypted content cannot be given back to the model; the API keeps its own.
                    break;
                case { RawRepresentation: JsonElement { ValueKind: JsonValueKind.Object } item } when item.TryGetProperty("type", out _):
                    // A hosted tool call (web search, code interpreter, MCP, image generation...) or an item the client did
                    // not map: sent back as the API gave it.
                    item.WriteTo(writer);
                    break;
                case ToolResultContent or ToolCallContent or DataContent or UriContent:
                case var plain when plain.GetType() == typeof(AIContent):
                    // The result half of a hosted tool call (its item went with the call), citations of a stream, or a
                    // record whose item was lost when the history was stored: the answer text keeps what it said of it.
                    break;
                default:
                    throw new NotSupportedException(
                        $"An assistant message holds a {content.GetType().Name}; Responses API assistant input takes text, function calls, reasoning with encrypted content and hosted tool call items.");
            }
        }

        FlushText();
    }

    private static void WriteItemId(Utf8JsonWriter writer, AIContent content)
    {
        if (content.AdditionalProperties?.TryGetValue(OpenAIProperties.ItemId, out var id) == true && id is not null)
        {
            writer.WritePropertyName("id");
            ProviderJson.WriteValue(writer, id);
        }
    }

    private static void WriteUserOrTool(Utf8JsonWriter writer, ChatMessage message) =>
        OpenAIMessages.WriteUser(writer, message, "the Responses API", result => WriteFunctionOutput(writer, result), part => WritePart(writer, part));

    private static void WriteFunctionOutput(Utf8JsonWriter writer, FunctionResultContent result)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "function_call_output");
        writer.WriteString("call_id", result.CallId);
        writer.WritePropertyName("output");
        switch (result.Result)
        {
            case IEnumerable<AIContent> contents when contents.All(c => c is TextContent):
                writer.WriteStringValue(string.Concat(contents.Select(c => ((TextContent)c).Text)));
                break;
            case IEnumerable<AIContent> contents:
                // The API takes a list of input parts as a function's output: images and files a tool returned.
                writer.WriteStartArray();
                foreach (var content in contents)
                {
                    WritePart(writer, content);
                }

                writer.WriteEndArray();
                break;
            case AIContent content and not TextContent:
                writer.WriteStartArray();
                WritePart(writer, content);
                writer.WriteEndArray();
                break;
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
                writer.WriteString("type", "input_text");
                writer.WriteString("text", text.Text);
                break;
            case DataContent data when data.HasTopLevelMediaType("image"):
                writer.WriteString("type", "input_image");
                writer.WriteString("image_url", data.Uri);
                WriteDetail(writer, data);
                break;
            case UriContent uri when uri.HasTopLevelMediaType("image"):
                writer.WriteString("type", "input_image");
                writer.WriteString("image_url", uri.Uri.AbsoluteUri);
                WriteDetail(writer, uri);
                break;
            case DataContent data when data.HasTopLevelMediaType("text"):
                writer.WriteString("type", "input_text");
                writer.WriteString("text", Encoding.UTF8.GetString(data.Data.Span));
                break;
            case DataContent data when !data.HasTopLevelMediaType("audio") && !data.HasTopLevelMediaType("video"):
                writer.WriteString("type", "input_file");
                writer.WriteString("filename", data.Name ?? (data.MediaType == "application/pdf" ? "document.pdf" : "document"));
                writer.WriteString("file_data", data.Uri);
                break;
            case UriContent uri when !uri.HasTopLevelMediaType("audio") && !uri.HasTopLevelMediaType("video"):
                // The API fetches the file itself; the registry downloads nothing for the application.
                writer.WriteString("type", "input_file");
                writer.WriteString("file_url", uri.Uri.AbsoluteUri);
                break;
            case HostedFileContent file:
                writer.WriteString("type", file.HasTopLevelMediaType("image") ? "input_image" : "input_file");
                writer.WriteString("file_id", file.FileId);
                break;
            default:
                throw new NotSupportedException(
                    $"A {content.GetType().Name}{(content is DataContent d ? $" ({d.MediaType})" : content is UriContent u ? $" ({u.MediaType})" : string.Empty)} " +
                    "cannot be sent to the Responses API. User messages take text, images (DataContent or UriContent image/*), files as DataContent bytes " +
                    "or by https URL (UriContent), and HostedFileContent; audio and video are not taken.");
        }

        writer.WriteEndObject();
    }

    private static void WriteDetail(Utf8JsonWriter writer, AIContent content)
    {
        if (content.AdditionalProperties?.TryGetValue(OpenAIProperties.ImageDetail, out var detail) == true && detail is string level)
        {
            writer.WriteString("detail", level);
        }
    }

    private static string? ReadText(System.Text.Json.Nodes.JsonObject? raw, string field) =>
        raw?[field] is System.Text.Json.Nodes.JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static bool IsForeign(AIContent content) => OpenAIMessages.IsForeign(content);
}
