using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace ModelRegistry.Testing.TestWire;

/// <summary>
/// Writes testwire's request body (see <see cref="TestWireProvider"/> for the format) from MEAI messages and options.
/// Content the wire cannot carry is refused before anything is sent.
/// </summary>
internal static class TestWireRequestWriter
{
    public static byte[] Chat(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            var system = string.Join("\n\n", new[] { options?.Instructions }
                .Concat(messages.Where(m => m.Role == ChatRole.System).Select(m => m.Text))
                .Where(t => !string.IsNullOrWhiteSpace(t)));
            if (system.Length > 0)
            {
                json.WriteString("system", system);
            }

            json.WriteStartArray("messages");
            foreach (var message in messages.Where(m => m.Role != ChatRole.System))
            {
                WriteMessage(json, message);
            }

            json.WriteEndArray();
            if (options is not null)
            {
                WriteOptions(json, options);
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Embed(IEnumerable<string> values)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("input");
            foreach (var value in values)
            {
                json.WriteStringValue(value);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteMessage(Utf8JsonWriter json, ChatMessage message)
    {
        json.WriteStartObject();
        json.WriteString("role", message.Role == ChatRole.User ? "user" : message.Role == ChatRole.Assistant ? "assistant" : message.Role == ChatRole.Tool ? "tool"
            : throw new NotSupportedException($"testwire sends user, assistant, tool and system messages, not '{message.Role}'."));
        json.WriteStartArray("content");
        foreach (var content in message.Contents)
        {
            json.WriteStartObject();
            switch (content)
            {
                case TextContent text:
                    json.WriteString("type", "text");
                    json.WriteString("text", text.Text);
                    break;
                case DataContent data:
                    json.WriteString("type", data.HasTopLevelMediaType("image") ? "image" : "document");
                    json.WriteString("media_type", data.MediaType);
                    if (data.Name is { } name)
                    {
                        json.WriteString("name", name);
                    }

                    json.WriteBase64String("data", data.Data.Span);
                    break;
                case TextReasoningContent reasoning:
                    json.WriteString("type", "reasoning");
                    json.WriteString("text", reasoning.Text);
                    if (reasoning.ProtectedData is { } signature)
                    {
                        json.WriteString("signature", signature);
                    }

                    break;
                case FunctionCallContent call:
                    json.WriteString("type", "tool_call");
                    json.WriteString("id", call.CallId);
                    json.WriteString("name", call.Name);
                    json.WritePropertyName("arguments");
                    JsonSerializer.Serialize(json, call.Arguments ?? new Dictionary<string, object?>(), AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>)));
                    break;
                case FunctionResultContent result:
                    json.WriteString("type", "tool_result");
                    json.WriteString("id", result.CallId);
                    json.WritePropertyName("result");
                    JsonSerializer.Serialize(json, result.Result, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(object)));
                    break;
                default:
                    throw new NotSupportedException($"testwire cannot send {content.GetType().Name}: it takes text, data (images, documents), reasoning, tool calls and tool results.");
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteOptions(Utf8JsonWriter json, ChatOptions options)
    {
        if (options.Tools is { Count: > 0 } tools)
        {
            json.WriteStartArray("tools");
            foreach (var tool in tools)
            {
                var function = tool as AIFunctionDeclaration
                    ?? throw new NotSupportedException($"testwire takes function tools only, not {tool.GetType().Name}.");
                json.WriteStartObject();
                json.WriteString("name", function.Name);
                json.WriteString("description", function.Description);
                json.WritePropertyName("parameters");
                function.JsonSchema.WriteTo(json);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        switch (options.ToolMode)
        {
            case NoneChatToolMode:
                json.WriteString("tool_choice", "none");
                break;
            case AutoChatToolMode:
                json.WriteString("tool_choice", "auto");
                break;
            case RequiredChatToolMode { RequiredFunctionName: null }:
                json.WriteString("tool_choice", "required");
                break;
            case RequiredChatToolMode { RequiredFunctionName: { } name }:
                json.WriteStartObject("tool_choice");
                json.WriteString("name", name);
                json.WriteEndObject();
                break;
        }

        if (options.ResponseFormat is ChatResponseFormatJson format)
        {
            json.WriteStartObject("response_format");
            if (format.Schema is { } schema)
            {
                json.WriteString("type", "json_schema");
                json.WriteString("name", format.SchemaName ?? "response");
                if (format.SchemaDescription is { } description)
                {
                    json.WriteString("description", description);
                }

                json.WritePropertyName("schema");
                schema.WriteTo(json);
                if (options.AdditionalProperties?.TryGetValue("strict", out var strict) == true && strict is bool isStrict)
                {
                    json.WriteBoolean("strict", isStrict);
                }
            }
            else
            {
                json.WriteString("type", "json");
            }

            json.WriteEndObject();
        }

        if (options.Reasoning?.Effort is { } effort)
        {
            json.WriteStartObject("reasoning");
            json.WriteString("effort", effort switch
            {
                ReasoningEffort.None => "none",
                ReasoningEffort.Low => "low",
                ReasoningEffort.Medium => "medium",
                ReasoningEffort.High => "high",
                _ => "extra_high",
            });
            json.WriteEndObject();
        }

        if (options.MaxOutputTokens is { } maxTokens)
        {
            json.WriteNumber("max_tokens", maxTokens);
        }

        if (options.Temperature is { } temperature)
        {
            json.WriteNumber("temperature", temperature);
        }

        if (options.TopP is { } topP)
        {
            json.WriteNumber("top_p", topP);
        }

        if (options.StopSequences is { Count: > 0 } stops)
        {
            json.WriteStartArray("stop");
            foreach (var stop in stops)
            {
                json.WriteStringValue(stop);
            }

            json.WriteEndArray();
        }
    }
}
