using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.Mistral.Internal;

/// <summary>
/// Writes a Mistral chat completion request body from MEAI messages and options. The API rejects unknown fields with
/// 422, so only fields of <c>ChatCompletionRequest</c> (or <c>AgentsCompletionRequest</c>) are ever written, and nulls
/// are left out. A <see cref="JsonObject"/> from <see cref="ChatOptions.RawRepresentationFactory"/> is written first and
/// wins: only the fields it does not set are filled in.
/// </summary>
internal static class ChatRequestWriter
{
    /// <summary>Mistral-only request fields taken from <see cref="ChatOptions.AdditionalProperties"/>; any other key is not sent.</summary>
    private static readonly string[] PassThroughFields =
        [MistralProperties.Prediction, MistralProperties.PromptCacheKey, MistralProperties.ServiceTier, MistralProperties.Guardrails, MistralProperties.Metadata];

    /// <summary>Writes the body.</summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="options">The options, if any.</param>
    /// <param name="client">The client, handed to <see cref="ChatOptions.RawRepresentationFactory"/>.</param>
    /// <param name="modelId">The entry's model id, used when the options name none.</param>
    /// <param name="agentId">The agent id when the entry is an agent (<c>/v1/agents/completions</c>).</param>
    /// <param name="stream">Whether to ask for an event stream.</param>
    /// <param name="guardrails">The entry's <c>guardrails</c>, which a per-call <see cref="MistralProperties.Guardrails"/> does not replace.</param>
    public static ReadOnlyMemory<byte> Write(
        IEnumerable<ChatMessage> messages, ChatOptions? options, IChatClient client, string modelId, string? agentId, bool stream, JsonArray? guardrails = null)
    {
        var raw = ProviderJson.RawRequest(options, client, "Mistral", "Mistral request body");
        using var body = ProviderJsonBody.Rent();
        var writer = body.Writer;
        writer.WriteStartObject();
        if (raw is not null)
        {
            foreach (var (name, value) in raw)
            {
                if (name == "stream")
                {
                    continue; // Decided by the method called: GetResponseAsync or GetStreamingResponseAsync.
                }

                writer.WritePropertyName(name);
                ProviderJson.WriteNode(writer, value);
            }
        }

        var unset = raw is null ? AlwaysUnset : UnsetIn(raw);
        bool Unset(string field) => unset(field);
        var agent = agentId is not null;
        var effectiveModel = MistralNames.ModelFor(options?.ModelId, modelId, "ChatOptions.ModelId");

        if (agent && Unset("agent_id"))
        {
            writer.WriteString("agent_id", agentId);
        }
        else if (!agent && Unset("model"))
        {
            writer.WriteString("model", effectiveModel);
        }

        if (Unset("messages"))
        {
            writer.WritePropertyName("messages");
            WriteMessages(writer, messages, options?.Instructions);
        }

        if (guardrails is not null && Unset(MistralProperties.Guardrails))
        {
            writer.WritePropertyName(MistralProperties.Guardrails);
            ProviderJson.WriteNode(writer, guardrails);
        }

        writer.WriteBoolean("stream", stream);
        if (options is not null)
        {
            WriteOptions(writer, options, agent, effectiveModel, guardrails is null ? unset : WithoutGuardrails(unset));
        }

        writer.WriteEndObject();
        return body.ToArray();
    }

    /// <summary>Every field is left to write: the caller sent no request body of its own.</summary>
    private static readonly Func<string, bool> AlwaysUnset = static _ => true;

    /// <summary>Whether a field is left to write: not in the caller's own request body.</summary>
    private static Func<string, bool> UnsetIn(JsonObject raw) => field => !raw.ContainsKey(field);

    private static Func<string, bool> WithoutGuardrails(Func<string, bool> unset) => field => field != MistralProperties.Guardrails && unset(field);

    private static void WriteOptions(Utf8JsonWriter writer, ChatOptions options, bool agent, string model, Func<string, bool> unset)
    {
        var extra = options.AdditionalProperties;
        WriteSampling(writer, options, withTemperature: !agent, unset);
        var strict = ProviderJson.ReadBool(extra, MistralProperties.Strict);
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

        if (options.AllowMultipleToolCalls is { } parallel && unset("parallel_tool_calls"))
        {
            writer.WriteBoolean("parallel_tool_calls", parallel);
        }

        WriteReasoning(writer, options, extra, model, unset);

        if (!agent && ProviderJson.ReadBool(extra, MistralProperties.SafePrompt) == true && unset("safe_prompt"))
        {
            // Only when true: false is the default, and some deployments refuse the field altogether.
            writer.WriteBoolean("safe_prompt", true);
        }

        if (extra is null)
        {
            return;
        }

        foreach (var field in PassThroughFields)
        {
            if (extra.TryGetValue(field, out var value) && value is not null && unset(field))
            {
                WritePassThrough(writer, field, value);
            }
        }
    }

    /// <summary>
    /// Writes the sampling fields chat completions and the Conversations API's <c>completion_args</c> share:
    /// <c>temperature</c> and <c>top_p</c> (unless <paramref name="withTemperature"/> is false, as for agents), <c>max_tokens</c>,
    /// <c>stop</c>, <c>random_seed</c>, <c>presence_penalty</c> and <c>frequency_penalty</c>.
    /// </summary>
    internal static void WriteSampling(Utf8JsonWriter writer, ChatOptions options, bool withTemperature, Func<string, bool> unset)
    {
        if (withTemperature && options.Temperature is { } temperature && unset("temperature"))
        {
            writer.WriteNumber("temperature", temperature);
        }

        if (withTemperature && options.TopP is { } topP && unset("top_p"))
        {
            writer.WriteNumber("top_p", topP);
        }

        if (options.MaxOutputTokens is { } maxTokens && unset("max_tokens"))
        {
            writer.WriteNumber("max_tokens", maxTokens);
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

        if (options.Seed is { } seed && unset("random_seed"))
        {
            // The API takes a non-negative integer; fold other longs into that range deterministically.
            writer.WriteNumber("random_seed", seed is >= 0 and <= int.MaxValue ? seed : seed & int.MaxValue);
        }

        if (options.PresencePenalty is { } presence && unset("presence_penalty"))
        {
            writer.WriteNumber("presence_penalty", presence);
        }

        if (options.FrequencyPenalty is { } frequency && unset("frequency_penalty"))
        {
            writer.WriteNumber("frequency_penalty", frequency);
        }
    }

    /// <summary>Writes a field taken from <see cref="ChatOptions.AdditionalProperties"/> as given; a <c>prediction</c> string becomes <c>{"type":"content","content":...}</c>.</summary>
    internal static void WritePassThrough(Utf8JsonWriter writer, string field, object value)
    {
        writer.WritePropertyName(field);
        if (field == MistralProperties.Prediction && value is string expected)
        {
            writer.WriteStartObject();
            writer.WriteString("type", "content");
            writer.WriteString("content", expected);
            writer.WriteEndObject();
        }
        else
        {
            ProviderJson.WriteValue(writer, value);
        }
    }

    private static void WriteReasoning(Utf8JsonWriter writer, ChatOptions options, AdditionalPropertiesDictionary? extra, string model, Func<string, bool> unset)
    {
        var explicitEffort = extra is not null && extra.TryGetValue(MistralProperties.ReasoningEffort, out var e) && e is not null ? e : null;
        var explicitMode = extra is not null && extra.TryGetValue(MistralProperties.PromptMode, out var m) && m is not null ? m : null;
        if (explicitEffort is not null && unset("reasoning_effort"))
        {
            writer.WritePropertyName("reasoning_effort");
            ProviderJson.WriteValue(writer, explicitEffort);
        }

        if (explicitMode is not null && unset("prompt_mode"))
        {
            writer.WritePropertyName("prompt_mode");
            ProviderJson.WriteValue(writer, explicitMode);
        }

        if (explicitEffort is not null || explicitMode is not null || options.Reasoning?.Effort is not { } effort)
        {
            return;
        }

        if (IsPromptModeModel(model))
        {
            // Magistral models reason through the reasoning system prompt and know no reasoning_effort; they cannot turn reasoning off.
            if (effort != ReasoningEffort.None && unset("prompt_mode"))
            {
                writer.WriteString("prompt_mode", "reasoning");
            }

            return;
        }

        if (unset("reasoning_effort"))
        {
            writer.WriteString("reasoning_effort", EffortName(effort));
        }
    }

    /// <summary>Mistral's <c>reasoning_effort</c> for MEAI's effort.</summary>
    internal static string EffortName(ReasoningEffort effort) => effort switch
    {
        ReasoningEffort.None => "none",
        ReasoningEffort.Low => "low",
        ReasoningEffort.Medium => "medium",
        ReasoningEffort.High => "high",
        ReasoningEffort.ExtraHigh => "xhigh",
        _ => "medium",
    };

    /// <summary>Whether the model takes <c>prompt_mode: "reasoning"</c> rather than <c>reasoning_effort</c> (the Magistral family).</summary>
    internal static bool IsPromptModeModel(string model) => model.StartsWith("magistral", StringComparison.OrdinalIgnoreCase);

    /// <summary>Writes one tool: a function, or one of Mistral's built-in connectors for MEAI's hosted tools.</summary>
    internal static void WriteTool(Utf8JsonWriter writer, AITool tool, bool? strictDefault)
    {
        switch (tool)
        {
            case AIFunctionDeclaration function:
                writer.WriteStartObject();
                writer.WriteString("type", "function");
                writer.WriteStartObject("function");
                writer.WriteString("name", MistralNames.RequireValidFunctionName(function.Name, "ChatOptions.Tools"));
                writer.WriteString("description", function.Description ?? string.Empty);
                writer.WritePropertyName("parameters");
                ProviderJson.WriteParametersSchema(writer, function);

                if ((ProviderJson.ReadBool(tool.AdditionalProperties, MistralProperties.Strict) ?? strictDefault) is { } strict)
                {
                    writer.WriteBoolean("strict", strict);
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
                break;
            case HostedWebSearchTool:
                WriteConnector(writer, ProviderJson.ReadBool(tool.AdditionalProperties, MistralProperties.WebSearchPremium) == true ? "web_search_premium" : "web_search");
                break;
            case HostedCodeInterpreterTool { Inputs.Count: > 0 }:
                throw new NotSupportedException(
                    "HostedCodeInterpreterTool.Inputs cannot be sent to Mistral: its code_interpreter takes no input files. Leave Inputs empty, " +
                    "or put the files in the conversation as content.");
            case HostedCodeInterpreterTool:
                WriteConnector(writer, "code_interpreter");
                break;
            case HostedImageGenerationTool:
                WriteConnector(writer, "image_generation");
                break;
            case HostedFileSearchTool search:
                WriteDocumentLibrary(writer, search);
                break;
            default:
                throw new NotSupportedException(
                    $"The tool '{tool.Name}' ({tool.GetType().Name}) has no Mistral equivalent. Mistral takes functions (AIFunction / " +
                    "AIFunctionDeclaration), HostedWebSearchTool, HostedCodeInterpreterTool, HostedImageGenerationTool and HostedFileSearchTool " +
                    "(its document_library, with library ids as HostedVectorStoreContent inputs).");
        }
    }

    private static void WriteConnector(Utf8JsonWriter writer, string type)
    {
        writer.WriteStartObject();
        writer.WriteString("type", type);
        writer.WriteEndObject();
    }

    /// <summary>A <see cref="HostedFileSearchTool"/> is Mistral's <c>document_library</c>: the libraries to search are its <see cref="HostedVectorStoreContent"/> inputs.</summary>
    private static void WriteDocumentLibrary(Utf8JsonWriter writer, HostedFileSearchTool search)
    {
        var inputs = search.Inputs ?? [];
        var libraries = inputs.OfType<HostedVectorStoreContent>().Select(l => l.VectorStoreId).ToList();
        if (libraries.Count == 0 || libraries.Count != inputs.Count)
        {
            throw new ArgumentException(
                "A HostedFileSearchTool becomes Mistral's document_library, which searches libraries: give it Inputs of " +
                "HostedVectorStoreContent holding Mistral library ids, e.g. new HostedFileSearchTool { Inputs = [new HostedVectorStoreContent(\"<library id>\")] } " +
                $"(it has {inputs.Count} input(s), {libraries.Count} of them libraries).",
                nameof(search));
        }

        writer.WriteStartObject();
        writer.WriteString("type", "document_library");
        writer.WriteStartArray("library_ids");
        foreach (var library in libraries)
        {
            writer.WriteStringValue(library);
        }

        writer.WriteEndArray();
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
                writer.WriteString("name", MistralNames.RequireValidFunctionName(name, "ChatOptions.ToolMode"));
                writer.WriteEndObject();
                writer.WriteEndObject();
                break;
            case RequiredChatToolMode:
                writer.WriteString("tool_choice", "any");
                break;
            default:
                writer.WriteString("tool_choice", "auto");
                break;
        }
    }

    private static void WriteMessages(Utf8JsonWriter writer, IEnumerable<ChatMessage> messages, string? instructions)
    {
        var wire = MessagePlanner.Plan(messages, instructions);
        writer.WriteStartArray();
        foreach (var message in wire)
        {
            writer.WriteStartObject();
            writer.WriteString("role", message.Role);
            switch (message.Role)
            {
                case "tool":
                    writer.WritePropertyName("content");
                    WriteToolResult(writer, message.Result!);
                    writer.WriteString("tool_call_id", message.ToolCallId);
                    if (message.Name is not null)
                    {
                        writer.WriteString("name", message.Name);
                    }

                    break;
                case "assistant" when message.Calls is { Count: > 0 } calls:
                    // Content stays empty beside tool_calls: some models refuse text and tool calls in one message.
                    writer.WriteString("content", string.Empty);
                    writer.WriteStartArray("tool_calls");
                    for (var i = 0; i < calls.Count; i++)
                    {
                        WriteToolCall(writer, calls[i], i);
                    }

                    writer.WriteEndArray();
                    break;
                default:
                    writer.WritePropertyName("content");
                    WriteContent(writer, message.Content);
                    if (message.Prefix)
                    {
                        writer.WriteBoolean("prefix", true);
                    }

                    break;
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteToolCall(Utf8JsonWriter writer, FunctionCallContent call, int index)
    {
        writer.WriteStartObject();
        writer.WriteString("id", MistralNames.ToToolCallId(call.CallId));
        writer.WriteString("type", "function");
        writer.WriteStartObject("function");
        writer.WriteString("name", MistralNames.RequireValidFunctionName(call.Name, "a FunctionCallContent of the chat history"));
        writer.WriteString("arguments", ProviderJson.ArgumentsText(call));
        writer.WriteEndObject();
        writer.WriteNumber("index", index);
        writer.WriteEndObject();
    }

    /// <summary>Writes content as a plain string when it is one text, else as an array of chunks.</summary>
    internal static void WriteContent(Utf8JsonWriter writer, List<AIContent> contents)
    {
        if (contents.Count == 0)
        {
            writer.WriteStringValue(string.Empty);
            return;
        }

        if (contents is [TextContent single])
        {
            writer.WriteStringValue(single.Text ?? string.Empty);
            return;
        }

        writer.WriteStartArray();
        for (var i = 0; i < contents.Count; i++)
        {
            if (contents[i] is TextReasoningContent)
            {
                // Consecutive reasoning parts form one thinking chunk, as the API returns them; Mistral's own parts and
                // another provider's never share one, so a Mistral signature never covers text it did not sign.
                var end = i;
                var foreign = MessagePlanner.IsForeign(contents[i]);
                while (end + 1 < contents.Count && contents[end + 1] is TextReasoningContent next && MessagePlanner.IsForeign(next) == foreign)
                {
                    end++;
                }

                WriteThinking(writer, contents, i, end);
                i = end;
                continue;
            }

            WriteChunk(writer, contents[i]);
        }

        writer.WriteEndArray();
    }

    private static void WriteThinking(Utf8JsonWriter writer, List<AIContent> contents, int start, int end)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "thinking");
        writer.WriteStartArray("thinking");
        string? signature = null;
        for (var i = start; i <= end; i++)
        {
            var reasoning = (TextReasoningContent)contents[i];
            if (!MessagePlanner.IsForeign(reasoning))
            {
                // Another provider's signature (Bedrock's, say) means nothing to Mistral and is never sent to it.
                signature = reasoning.ProtectedData ?? signature;
            }

            if (!string.IsNullOrEmpty(reasoning.Text))
            {
                writer.WriteStartObject();
                writer.WriteString("type", "text");
                writer.WriteString("text", reasoning.Text);
                writer.WriteEndObject();
            }
        }

        writer.WriteEndArray();
        if (signature is not null)
        {
            writer.WriteString("signature", signature);
        }

        writer.WriteEndObject();
    }

    private static void WriteChunk(Utf8JsonWriter writer, AIContent content)
    {
        writer.WriteStartObject();
        switch (content)
        {
            case TextContent text:
                writer.WriteString("type", "text");
                writer.WriteString("text", text.Text ?? string.Empty);
                break;
            case DataContent data when data.HasTopLevelMediaType("image"):
                writer.WriteString("type", "image_url");
                WriteImageUrl(writer, data.Uri, data);
                break;
            case DataContent data when data.HasTopLevelMediaType("text"):
                // Plain text files go in as text: document_url is for PDFs and office documents.
                writer.WriteString("type", "text");
                writer.WriteString("text", Encoding.UTF8.GetString(data.Data.Span));
                break;
            case DataContent data when data.HasTopLevelMediaType("audio"):
                writer.WriteString("type", "input_audio");
                writer.WriteString("input_audio", data.Base64Data.Span);
                break;
            case DataContent data when data.HasTopLevelMediaType("video"):
                throw Unsupported(data.MediaType);
            case DataContent data:
                writer.WriteString("type", "document_url");
                writer.WriteString("document_url", data.Uri);
                if (data.Name is { } name)
                {
                    writer.WriteString("document_name", name);
                }

                break;
            case UriContent uri when uri.HasTopLevelMediaType("image"):
                writer.WriteString("type", "image_url");
                WriteImageUrl(writer, uri.Uri.AbsoluteUri, uri);
                break;
            case UriContent uri when uri.HasTopLevelMediaType("audio") || uri.HasTopLevelMediaType("video"):
                throw Unsupported(uri.MediaType);
            case UriContent uri:
                writer.WriteString("type", "document_url");
                writer.WriteString("document_url", uri.Uri.AbsoluteUri);
                break;
            case HostedFileContent file:
                writer.WriteString("type", "file");
                writer.WriteString("file_id", file.FileId);
                break;
            default:
                throw new NotSupportedException(
                    $"A {content.GetType().Name} cannot be sent to Mistral. Messages take text, images (DataContent or UriContent image/*), " +
                    "documents (PDF and other files as DataContent or UriContent), audio as DataContent, and HostedFileContent.");
        }

        writer.WriteEndObject();
    }

    private static void WriteImageUrl(Utf8JsonWriter writer, string url, AIContent content)
    {
        writer.WriteStartObject("image_url");
        writer.WriteString("url", url);
        if (content.AdditionalProperties?.TryGetValue(MistralProperties.ImageDetail, out var detail) == true && detail is string level)
        {
            writer.WriteString("detail", level);
        }

        writer.WriteEndObject();
    }

    private static NotSupportedException Unsupported(string mediaType) => new(
        $"Mistral chat completions take no {mediaType} content by {(mediaType.StartsWith("audio", StringComparison.Ordinal) ? "URL" : "any means")}. " +
        "Send images, documents, text, or audio as DataContent bytes.");

    private static void WriteToolResult(Utf8JsonWriter writer, FunctionResultContent result)
    {
        switch (result.Result)
        {
            case AIContent content and not TextContent:
                WriteContent(writer, [content]);
                break;
            case IEnumerable<AIContent> contents:
                var list = contents.ToList();
                if (TextOnly(list) is { } text)
                {
                    writer.WriteStringValue(text);
                }
                else
                {
                    WriteContent(writer, list);
                }

                break;
            default:
                writer.WriteStringValue(ProviderJson.ToolResultText(result));
                break;
        }
    }

    /// <summary>
    /// A function result as one text, for wires that take a string (the Conversations API's <c>function.result</c>): a list
    /// of text contents joined, anything else as <see cref="ProviderJson.ToolResultText"/> gives it.
    /// </summary>
    internal static string ToolResultText(FunctionResultContent result) =>
        (result.Result is IEnumerable<AIContent> contents ? TextOnly(contents.ToList()) : null) ?? ProviderJson.ToolResultText(result);

    private static string? TextOnly(List<AIContent> contents) =>
        contents.All(c => c is TextContent) ? string.Concat(contents.Select(c => ((TextContent)c).Text)) : null;
}
