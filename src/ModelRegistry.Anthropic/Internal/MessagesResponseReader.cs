using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.Anthropic.Internal;

/// <summary>
/// Maps the Messages API's answers to MEAI: a whole message, and the pieces a stream is made of. Records of tools the API
/// ran become MEAI's hosted-tool contents (web search, code execution, MCP); other blocks (web fetch, the advisor,
/// compaction...) become plain <see cref="AIContent"/>. Each holds its block as its raw representation, which the client
/// sends back as it came. Reasoning, tool records and unknown blocks are marked as Anthropic's
/// (<see cref="PortableHistory.MarkOrigin"/>), so another provider given the conversation never sends them.
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
            "server_tool_use" => ServerToolUse(block.Clone()),
            "web_search_tool_result" => new WebSearchToolResultContent(ProviderJson.ReadString(block, "tool_use_id") ?? string.Empty)
            {
                Outputs = SearchResults(block),
                RawRepresentation = block.Clone(),
            },
            "code_execution_tool_result" or "bash_code_execution_tool_result" or "text_editor_code_execution_tool_result" =>
                new CodeInterpreterToolResultContent(ProviderJson.ReadString(block, "tool_use_id") ?? string.Empty)
                {
                    Outputs = CodeOutputs(block),
                    RawRepresentation = block.Clone(),
                },
            "mcp_tool_use" => new McpServerToolCallContent(
                ProviderJson.ReadString(block, "id") ?? string.Empty, ProviderJson.ReadString(block, "name") ?? string.Empty, ProviderJson.ReadString(block, "server_name"))
            {
                Arguments = block.TryGetProperty("input", out var arguments) && arguments.ValueKind == JsonValueKind.Object
                    ? JsonSerializer.Deserialize(arguments, AnthropicJsonContext.Default.DictionaryStringObject)
                    : null,
                RawRepresentation = block.Clone(),
            },
            "mcp_tool_result" => new McpServerToolResultContent(ProviderJson.ReadString(block, "tool_use_id") ?? string.Empty)
            {
                Outputs = McpOutputs(block),
                RawRepresentation = block.Clone(),
            },
            _ => new AIContent { RawRepresentation = block.Clone() },
        };

    /// <summary>
    /// A <c>server_tool_use</c> block: a web search (its query), a code execution (bash, Python or the text editor, with
    /// the command or code as input), or, for a tool MEAI has no type for (web fetch, the advisor, tool search), a plain
    /// <see cref="AIContent"/>.
    /// </summary>
    private static AIContent ServerToolUse(JsonElement block)
    {
        var id = ProviderJson.ReadString(block, "id") ?? string.Empty;
        var input = block.TryGetProperty("input", out var given) && given.ValueKind == JsonValueKind.Object ? given : default;
        string? Input(string name) => input.ValueKind == JsonValueKind.Object ? ProviderJson.ReadString(input, name) : null;
        switch (ProviderJson.ReadString(block, "name"))
        {
            case "web_search":
                return new WebSearchToolCallContent(id) { Queries = Input("query") is { } query ? [query] : null, RawRepresentation = block };
            case "bash_code_execution" or "code_execution" or "text_editor_code_execution" when input.ValueKind == JsonValueKind.Object:
                var call = new CodeInterpreterToolCallContent(id) { RawRepresentation = block };
                if (Input("command") is { } command && ProviderJson.ReadString(block, "name") == "bash_code_execution")
                {
                    call.Inputs = [new DataContent(System.Text.Encoding.UTF8.GetBytes(command), "text/x-shellscript")];
                }
                else if (Input("code") is { } code)
                {
                    call.Inputs = [new DataContent(System.Text.Encoding.UTF8.GetBytes(code), "text/x-python")];
                }

                return call;
            default:
                return new AIContent { RawRepresentation = block };
        }
    }

    /// <summary>The pages a web search found (their URL and title), or the error it ended with.</summary>
    private static List<AIContent>? SearchResults(JsonElement block)
    {
        if (!block.TryGetProperty("content", out var content))
        {
            return null;
        }

        if (content.ValueKind == JsonValueKind.Object)
        {
            return [new ErrorContent("web search failed") { ErrorCode = ProviderJson.ReadString(content, "error_code") }];
        }

        var outputs = new List<AIContent>();
        foreach (var result in content.ValueKind == JsonValueKind.Array ? content.EnumerateArray() : default)
        {
            if (result.ValueKind == JsonValueKind.Object && ProviderJson.ReadString(result, "url") is { } url && Uri.TryCreate(url, UriKind.Absolute, out var uri))
            {
                outputs.Add(new UriContent(uri, "text/html")
                {
                    AdditionalProperties = ProviderJson.ReadString(result, "title") is { } title ? new() { ["title"] = title } : null,
                });
            }
        }

        return outputs;
    }

    /// <summary>What a code execution gave: its standard output and file contents as text, files as hosted files, its standard error or failure as an error.</summary>
    private static List<AIContent>? CodeOutputs(JsonElement block)
    {
        if (!block.TryGetProperty("content", out var result) || result.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var outputs = new List<AIContent>();
        if (ProviderJson.ReadString(result, "stdout") is { Length: > 0 } stdout)
        {
            outputs.Add(new TextContent(stdout));
        }

        if (ProviderJson.ReadString(result, "content") is { Length: > 0 } text)
        {
            outputs.Add(new TextContent(text));
        }

        if (result.TryGetProperty("content", out var files) && files.ValueKind == JsonValueKind.Array)
        {
            foreach (var file in files.EnumerateArray())
            {
                if (file.ValueKind == JsonValueKind.Object && ProviderJson.ReadString(file, "file_id") is { } fileId)
                {
                    outputs.Add(new HostedFileContent(fileId));
                }
            }
        }

        if (ProviderJson.ReadString(result, "stderr") is { Length: > 0 } stderr)
        {
            outputs.Add(new ErrorContent(stderr) { ErrorCode = ProviderJson.ReadLong(result, "return_code")?.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }

        if (ProviderJson.ReadString(result, "error_code") is { } errorCode)
        {
            outputs.Add(new ErrorContent("code execution failed") { ErrorCode = errorCode });
        }

        return outputs;
    }

    /// <summary>The text an MCP tool returned (a string, or its text blocks), as an error when <c>is_error</c> is true.</summary>
    private static List<AIContent>? McpOutputs(JsonElement block)
    {
        if (!block.TryGetProperty("content", out var content))
        {
            return null;
        }

        var failed = block.TryGetProperty("is_error", out var error) && error.ValueKind == JsonValueKind.True;
        var outputs = new List<AIContent>();
        void Add(string text) => outputs.Add(failed ? new ErrorContent(text) : new TextContent(text));
        if (content.ValueKind == JsonValueKind.String)
        {
            Add(content.GetString()!);
        }
        else if (content.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in content.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object && ProviderJson.ReadString(item, "text") is { } text)
                {
                    Add(text);
                }
            }
        }

        return outputs;
    }

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
