#pragma warning disable MEAI001 // HostedToolSearchTool is experimental in MEAI 10.11; the replay expresses tool search through it.
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace ModelRegistry.Anthropic.Tests.RecordedTraffic;

/// <summary>
/// The MEAI call equivalent to a recorded Messages API request (sent by pydantic-ai through Anthropic's SDK): built from
/// the recorded body, the way an application would express the same conversation through <see cref="IChatClient"/>. A
/// recorded field or tool this translation does not know fails the test, so a new kind of recording cannot pass
/// unexamined. Every recorded call is expressible: none is skipped.
/// </summary>
internal sealed record RecordedCall(List<ChatMessage> Messages, ChatOptions Options, bool Streaming)
{
    /// <summary>Fields of the recorded body that have no MEAI counterpart and are handled by <see cref="RequestComparison"/>.</summary>
    private static readonly HashSet<string> Handled = ["model", "messages", "stream", "system"];

    public static RecordedCall From(JsonObject body)
    {
        var options = new ChatOptions { ModelId = body["model"]!.GetValue<string>() };
        foreach (var (name, value) in body)
        {
            if (value is null || Handled.Contains(name))
            {
                continue;
            }

            switch (name)
            {
                case "max_tokens": options.MaxOutputTokens = (int)Number(value); break;
                case "temperature": options.Temperature = (float)Number(value); break;
                case "top_p": options.TopP = (float)Number(value); break;
                case "top_k": options.TopK = (int)Number(value); break;
                case "stop_sequences": options.StopSequences = [.. value.AsArray().Select(s => s!.GetValue<string>())]; break;
                case "thinking":
                    (options.AdditionalProperties ??= [])[AnthropicProperties.Thinking] = JsonElement.Parse(value.ToJsonString());
                    break;
                case "output_config":
                    (options.AdditionalProperties ??= [])[AnthropicProperties.OutputConfig] = JsonElement.Parse(value.ToJsonString());
                    break;
                case "cache_control":
                    (options.AdditionalProperties ??= [])[AnthropicProperties.CacheControl] = value["ttl"]?.GetValue<string>() is { } ttl ? ttl : true;
                    break;
                case "tools":
                    options.Tools = [.. Tools(value.AsArray()), .. options.Tools ?? []];
                    break;
                case "mcp_servers":
                    options.Tools = [.. options.Tools ?? [], .. value.AsArray().Select(McpServer)];
                    break;
                case "container":
                    (options.AdditionalProperties ??= [])[AnthropicProperties.Container] = value.GetValue<string>();
                    break;
                case "context_management":
                    (options.AdditionalProperties ??= [])[AnthropicProperties.ContextManagement] = JsonElement.Parse(value.ToJsonString());
                    break;
                case "tool_choice":
                    options.ToolMode = value["type"]!.GetValue<string>() switch
                    {
                        "auto" => ChatToolMode.Auto,
                        "any" => ChatToolMode.RequireAny,
                        "tool" => ChatToolMode.RequireSpecific(value["name"]!.GetValue<string>()),
                        "none" => ChatToolMode.None,
                        var other => throw new InvalidOperationException($"Unknown recorded tool_choice '{other}'."),
                    };
                    if (value["disable_parallel_tool_use"]?.GetValue<bool>() == true)
                    {
                        options.AllowMultipleToolCalls = false;
                    }

                    break;
                default:
                    throw new InvalidOperationException($"The recorded request has a field '{name}' the replay test does not translate yet.");
            }
        }

        var messages = new List<ChatMessage>();
        switch (body["system"])
        {
            case JsonValue text:
                messages.Add(new ChatMessage(ChatRole.System, text.GetValue<string>()));
                break;
            case JsonArray blocks:
                messages.Add(new ChatMessage(ChatRole.System, Contents(blocks)));
                break;
        }

        foreach (var message in body["messages"]!.AsArray())
        {
            var role = message!["role"]!.GetValue<string>() switch
            {
                "assistant" => ChatRole.Assistant,
                "system" => ChatRole.System, // a system message inside the conversation, where the app put it
                _ => ChatRole.User,
            };
            messages.Add(new ChatMessage(role, message["content"] is JsonValue text ? [new TextContent(text.GetValue<string>())] : Contents(message["content"]!.AsArray())));
        }

        return new RecordedCall(messages, options, body["stream"]?.GetValue<bool>() == true);
    }

    /// <summary>A number as the YAML reader stored it (a long or a double).</summary>
    private static double Number(JsonNode value) => double.Parse(value.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The recorded tools as an app gives them: server tools as their MEAI types (or <see cref="AnthropicServerTool"/> for
    /// those MEAI has none for), and deferred functions through the tool search that defers them, or, without one, through
    /// <see cref="AnthropicProperties.DeferLoading"/> on each.
    /// </summary>
    private static List<AITool> Tools(JsonArray tools)
    {
        var deferred = tools.Where(t => t!["defer_loading"]?.GetValue<bool>() == true).Select(t => t!["name"]!.GetValue<string>()).ToList();
        var searched = tools.Any(t => t!["type"]?.GetValue<string>() is { } type && type.StartsWith("tool_search_tool_", StringComparison.Ordinal));
        var result = new List<AITool>();
        foreach (var tool in tools)
        {
            switch (tool!["type"]?.GetValue<string>())
            {
                case null or "custom":
                    result.Add(Function(tool, deferLoading: !searched && deferred.Contains(tool["name"]!.GetValue<string>())));
                    break;
                case "web_search_20250305":
                    var options = tool.AsObject().Where(p => p.Key is not ("type" or "name") && p.Value is not null)
                        .ToDictionary(p => p.Key, p => (object?)JsonElement.Parse(p.Value!.ToJsonString()));
                    result.Add(new HostedWebSearchTool(options));
                    break;
                case "code_execution_20260120":
                    result.Add(new HostedCodeInterpreterTool());
                    break;
                case var type when type.StartsWith("tool_search_tool_", StringComparison.Ordinal):
                    result.Add(new HostedToolSearchTool(new Dictionary<string, object?> { [AnthropicProperties.ToolSearchKind] = type.Contains("regex", StringComparison.Ordinal) ? "regex" : "bm25" })
                    {
                        DeferredTools = deferred,
                    });
                    break;
                default:
                    result.Add(new AnthropicServerTool(JsonElement.Parse(tool.ToJsonString())));
                    break;
            }
        }

        return result;
    }

    private static HostedMcpServerTool McpServer(JsonNode? server)
    {
        Assert.That(server!["type"]!.GetValue<string>(), Is.EqualTo("url"), "the only MCP server type the API has");
        var tool = new HostedMcpServerTool(server["name"]!.GetValue<string>(), server["url"]!.GetValue<string>());
        if (server["tool_configuration"]?["allowed_tools"] is JsonArray allowed)
        {
            tool.AllowedTools = [.. allowed.Select(a => a!.GetValue<string>())];
        }

        if (server["authorization_token"]?.GetValue<string>() is { } token)
        {
            tool.Headers = new Dictionary<string, string> { ["Authorization"] = $"Bearer {token}" };
        }

        return tool;
    }

    private static AITool Function(JsonNode tool, bool deferLoading)
    {
        var function = AIFunctionFactory.CreateDeclaration(
            tool!["name"]!.GetValue<string>(),
            tool["description"]?.GetValue<string>(),
            JsonElement.Parse(tool["input_schema"]!.ToJsonString()));
        var properties = new Dictionary<string, object?>();
        if (tool["strict"] is { } strict)
        {
            properties[AnthropicProperties.Strict] = strict.GetValue<bool>();
        }

        if (deferLoading)
        {
            properties[AnthropicProperties.DeferLoading] = true;
        }

        // A declaration carries no AdditionalProperties of its own; per-tool properties go through a wrapper.
        return properties.Count == 0 ? function : new DeclarationWithProperties(function, properties);
    }

    private static List<AIContent> Contents(JsonArray blocks)
    {
        var contents = new List<AIContent>();
        foreach (var block in blocks)
        {
            var type = block!["type"]!.GetValue<string>();
            switch (type)
            {
                case "text":
                    contents.Add(new TextContent(block["text"]!.GetValue<string>()));
                    break;
                case "image" or "document":
                    contents.Add(Media(type, block["source"]!.AsObject()));
                    break;
                case "tool_use":
                    contents.Add(new FunctionCallContent(
                        block["id"]!.GetValue<string>(), block["name"]!.GetValue<string>(),
                        JsonSerializer.Deserialize<Dictionary<string, object?>>(block["input"]!.ToJsonString())));
                    break;
                case "tool_result":
                    var content = block["content"];
                    object? result = content is JsonValue text ? text.GetValue<string>() : Contents(content!.AsArray());
                    contents.Add(new FunctionResultContent(block["tool_use_id"]!.GetValue<string>(), result)
                    {
                        Exception = block["is_error"]?.GetValue<bool>() == true ? new InvalidOperationException("the tool failed") : null,
                    });
                    break;
                case "thinking":
                    contents.Add(new TextReasoningContent(block["thinking"]!.GetValue<string>()) { ProtectedData = block["signature"]!.GetValue<string>() });
                    break;
                case "redacted_thinking":
                    contents.Add(new TextReasoningContent(string.Empty)
                    {
                        ProtectedData = block["data"]!.GetValue<string>(),
                        AdditionalProperties = new() { [AnthropicProperties.RedactedThinking] = true },
                    });
                    break;
                default:
                    // Any other block (a server tool's call or result, an MCP record, compaction, a tool_reference or
                    // tool_addition): what the client returned for it in the earlier answer, which the app sends back.
                    var read = Internal.MessagesResponseReader.ReadBlock(JsonElement.Parse(block.ToJsonString()));
                    ModelRegistry.Providers.PortableHistory.MarkOrigin([read], "anthropic");
                    contents.Add(read);
                    break;
            }

            if (block["cache_control"] is { } cache)
            {
                contents.Add(new AnthropicCachePointContent(cache["ttl"]?.GetValue<string>()));
            }
        }

        return contents;
    }

    private static AIContent Media(string type, JsonObject source) => source["type"]!.GetValue<string>() switch
    {
        "base64" => new DataContent(Convert.FromBase64String(source["data"]!.GetValue<string>()), source["media_type"]!.GetValue<string>()),
        "text" => new DataContent(System.Text.Encoding.UTF8.GetBytes(source["data"]!.GetValue<string>()), "text/plain"),
        "url" => new UriContent(source["url"]!.GetValue<string>(), type == "document" ? "application/pdf" : ImageMediaType(source["url"]!.GetValue<string>())),
        var other => throw new InvalidOperationException($"Unknown recorded {type} source '{other}'."),
    };

    private static string ImageMediaType(string url) => Path.GetExtension(new Uri(url).AbsolutePath).ToLowerInvariant() switch
    {
        ".png" => "image/png",
        ".gif" => "image/gif",
        ".webp" => "image/webp",
        _ => "image/jpeg",
    };

    /// <summary>A function declaration with <see cref="AITool.AdditionalProperties"/> (strict, defer_loading).</summary>
    private sealed class DeclarationWithProperties(AIFunctionDeclaration inner, Dictionary<string, object?> properties) : AIFunctionDeclaration
    {
        public override string Name => inner.Name;

        public override string Description => inner.Description;

        public override JsonElement JsonSchema => inner.JsonSchema;

        public override IReadOnlyDictionary<string, object?> AdditionalProperties => properties;
    }
}
