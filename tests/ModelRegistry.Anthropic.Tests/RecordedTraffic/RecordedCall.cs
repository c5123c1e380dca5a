using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace ModelRegistry.Anthropic.Tests.RecordedTraffic;

/// <summary>
/// The MEAI call equivalent to a recorded Messages API request (sent by pydantic-ai through Anthropic's SDK): built from
/// the recorded body, the way an application would express the same conversation through <see cref="IChatClient"/>. A
/// recorded field this translation does not know fails the test, so a new kind of recording cannot pass unexamined;
/// the features the client does not build are named in <see cref="Unsupported"/>, with the reason, and skipped.
/// </summary>
internal sealed record RecordedCall(List<ChatMessage> Messages, ChatOptions Options, bool Streaming)
{
    /// <summary>Why a recorded request cannot be expressed through this client, or <see langword="null"/> when it can.</summary>
    public static string? Unsupported(JsonObject body)
    {
        foreach (var (field, reason) in (ReadOnlySpan<(string, string)>)
        [
            ("mcp_servers", "MCP connector servers are not built (no MEAI hosted MCP mapping yet)"),
            ("context_management", "context management (server-side compaction) is not built"),
            ("container", "code-execution containers are not built"),
        ])
        {
            if (body.ContainsKey(field))
            {
                return reason;
            }
        }

        foreach (var tool in body["tools"]?.AsArray() ?? [])
        {
            if (tool!["type"] is { } type && type.GetValue<string>() != "custom")
            {
                return $"server tool {type.GetValue<string>()}: only plain web search is mapped (HostedWebSearchTool), without its options";
            }

            if (tool["defer_loading"] is not null)
            {
                return "deferred tool loading (tool search) is not built";
            }
        }

        if (body["messages"]!.AsArray().Any(m => m!["role"]!.GetValue<string>() == "system"))
        {
            return "system messages inside the conversation are not built: the client gathers every system message into the top-level system prompt";
        }

        return null;
    }

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
                    options.Tools = [.. value.AsArray().Select(Tool)];
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
            var role = message!["role"]!.GetValue<string>() == "assistant" ? ChatRole.Assistant : ChatRole.User;
            messages.Add(new ChatMessage(role, message["content"] is JsonValue text ? [new TextContent(text.GetValue<string>())] : Contents(message["content"]!.AsArray())));
        }

        return new RecordedCall(messages, options, body["stream"]?.GetValue<bool>() == true);
    }

    /// <summary>A number as the YAML reader stored it (a long or a double).</summary>
    private static double Number(JsonNode value) => double.Parse(value.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);

    private static AITool Tool(JsonNode? tool)
    {
        var function = AIFunctionFactory.CreateDeclaration(
            tool!["name"]!.GetValue<string>(),
            tool["description"]?.GetValue<string>(),
            JsonElement.Parse(tool["input_schema"]!.ToJsonString()));
        if (tool["strict"] is { } strict)
        {
            // A declaration carries no AdditionalProperties of its own; strictness per tool goes through a wrapper.
            return new StrictDeclaration(function, strict.GetValue<bool>());
        }

        return function;
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
                    // A block the client does not map (a server tool's record): kept as Anthropic's own, as the client returns it.
                    contents.Add(new AIContent
                    {
                        RawRepresentation = JsonElement.Parse(block.ToJsonString()),
                        AdditionalProperties = new() { [RegistryProperties.Origin] = "anthropic" },
                    });
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

    /// <summary>A function declaration marked strict (or not) in its <see cref="AITool.AdditionalProperties"/>.</summary>
    private sealed class StrictDeclaration(AIFunctionDeclaration inner, bool strict) : AIFunctionDeclaration
    {
        public override string Name => inner.Name;

        public override string Description => inner.Description;

        public override JsonElement JsonSchema => inner.JsonSchema;

        public override IReadOnlyDictionary<string, object?> AdditionalProperties { get; } = new Dictionary<string, object?> { [AnthropicProperties.Strict] = strict };
    }
}
