using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace ModelRegistry.OpenAI.Tests.RecordedTraffic;

/// <summary>
/// The MEAI call equivalent to a recorded Chat Completions request (sent by pydantic-ai): built from the recorded body
/// itself, the way an application would express the same conversation through <see cref="IChatClient"/>. A recorded
/// field this translation does not know fails the test, so a new kind of recording cannot pass unexamined.
/// </summary>
internal sealed record RecordedCall(List<ChatMessage> Messages, ChatOptions Options, bool Streaming)
{
    /// <summary>Fields decided by the client (<c>stream</c>, <c>stream_options</c>) or compared by <see cref="RequestComparison"/> (<c>n</c>).</summary>
    private static readonly HashSet<string> Handled = ["model", "messages", "stream", "stream_options", "n"];

    public static RecordedCall From(JsonObject body)
    {
        var options = new ChatOptions { ModelId = body["model"]!.GetValue<string>() };
        JsonObject? raw = null;
        foreach (var (name, value) in body)
        {
            if (value is null || Handled.Contains(name))
            {
                continue;
            }

            switch (name)
            {
                case "max_completion_tokens": options.MaxOutputTokens = (int)Number(value); break;
                case "temperature": options.Temperature = (float)Number(value); break;
                case "web_search_options":
                    (options.AdditionalProperties ??= [])[OpenAIProperties.WebSearchOptions] = value.DeepClone();
                    break;
                case "moderation":
                    // pydantic-ai's moderation setting has no MEAI option and is no field the client maps: it goes through
                    // RawRepresentationFactory, the documented way to send a field as it is.
                    (raw ??= [])[name] = value.DeepClone();
                    break;
                case "tools":
                    options.Tools = [.. value.AsArray().Select(t => (AITool)new RecordedTool(t!["function"]!.AsObject()))];
                    break;
                case "tool_choice":
                    options.ToolMode = value.GetValue<string>() switch
                    {
                        "auto" => ChatToolMode.Auto,
                        "none" => ChatToolMode.None,
                        "required" => ChatToolMode.RequireAny,
                        var other => throw new InvalidOperationException($"Unknown recorded tool_choice '{other}'."),
                    };
                    break;
                case "response_format":
                    options.ResponseFormat = value["type"]!.GetValue<string>() switch
                    {
                        "json_object" => ChatResponseFormat.Json,
                        "json_schema" => ChatResponseFormat.ForJsonSchema(
                            JsonElement.Parse(value["json_schema"]!["schema"]!.ToJsonString()),
                            value["json_schema"]!["name"]?.GetValue<string>(),
                            value["json_schema"]!["description"]?.GetValue<string>()),
                        var other => throw new InvalidOperationException($"Unknown recorded response_format '{other}'."),
                    };
                    if (value["json_schema"]?["strict"] is { } strict)
                    {
                        (options.AdditionalProperties ??= [])[OpenAIProperties.Strict] = strict.GetValue<bool>();
                    }

                    break;
                default:
                    throw new InvalidOperationException($"The recorded request has a field '{name}' the replay test does not translate yet.");
            }
        }

        if (raw is not null)
        {
            options.RawRepresentationFactory = _ => raw.DeepClone();
        }

        var messages = body["messages"]!.AsArray().Select(m => Message(m!.AsObject())).ToList();
        return new RecordedCall(messages, options, body["stream"]?.GetValue<bool>() == true);
    }

    /// <summary>A number as the YAML reader stored it (a long or a double).</summary>
    private static double Number(JsonNode value) => double.Parse(value.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);

    private static ChatMessage Message(JsonObject message)
    {
        var role = message["role"]!.GetValue<string>();
        var content = message["content"];
        switch (role)
        {
            case "system":
                return new ChatMessage(ChatRole.System, content!.GetValue<string>());
            case "developer":
                return new ChatMessage(new ChatRole("developer"), content!.GetValue<string>());
            case "user":
                return new ChatMessage(ChatRole.User, Contents(content));
            case "tool":
                return new ChatMessage(ChatRole.Tool, [new FunctionResultContent(message["tool_call_id"]!.GetValue<string>(), content!.GetValue<string>())]);
            case "assistant":
                var contents = Contents(content);
                foreach (var call in message["tool_calls"] as JsonArray ?? [])
                {
                    var function = call!["function"]!;
                    contents.Add(new FunctionCallContent(
                        call["id"]!.GetValue<string>(),
                        function["name"]!.GetValue<string>(),
                        JsonSerializer.Deserialize<Dictionary<string, object?>>(function["arguments"]!.GetValue<string>())));
                }

                return new ChatMessage(ChatRole.Assistant, contents);
            default:
                throw new InvalidOperationException($"Unknown recorded role '{role}'.");
        }
    }

    private static List<AIContent> Contents(JsonNode? content)
    {
        if (content is null)
        {
            return [];
        }

        if (content is JsonValue value)
        {
            return [new TextContent(value.GetValue<string>())];
        }

        var contents = new List<AIContent>();
        foreach (var part in content.AsArray())
        {
            var type = part!["type"]!.GetValue<string>();
            switch (type)
            {
                case "text":
                    contents.Add(new TextContent(part["text"]!.GetValue<string>()));
                    break;
                case "image_url":
                    var url = part["image_url"]!["url"]!.GetValue<string>();
                    contents.Add(url.StartsWith("data:", StringComparison.Ordinal) ? new DataContent(url) : new UriContent(url, "image/jpeg"));
                    break;
                case "input_audio":
                    var audio = part["input_audio"]!;
                    contents.Add(new DataContent(
                        Convert.FromBase64String(audio["data"]!.GetValue<string>()),
                        audio["format"]!.GetValue<string>() == "mp3" ? "audio/mpeg" : "audio/wav"));
                    break;
                case "file":
                    contents.Add(new DataContent(part["file"]!["file_data"]!.GetValue<string>()) { Name = part["file"]!["filename"]?.GetValue<string>() });
                    break;
                default:
                    throw new InvalidOperationException($"Unknown recorded content part '{type}'.");
            }
        }

        return contents;
    }

    /// <summary>A recorded function declaration; a recorded <c>strict</c> becomes the tool's own <see cref="OpenAIProperties.Strict"/>.</summary>
    private sealed class RecordedTool(JsonObject function) : AIFunctionDeclaration
    {
        public override string Name => function["name"]!.GetValue<string>();

        public override string Description => function["description"]?.GetValue<string>() ?? string.Empty;

        public override JsonElement JsonSchema => JsonElement.Parse(function["parameters"]!.ToJsonString());

        public override IReadOnlyDictionary<string, object?> AdditionalProperties =>
            function["strict"] is { } strict ? new Dictionary<string, object?> { [OpenAIProperties.Strict] = strict.GetValue<bool>() } : new Dictionary<string, object?>();
    }
}
