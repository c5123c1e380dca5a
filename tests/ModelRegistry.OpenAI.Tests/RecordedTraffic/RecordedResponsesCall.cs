using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace ModelRegistry.OpenAI.Tests.RecordedTraffic;

/// <summary>
/// The MEAI call equivalent to a recorded Responses API request (sent by pydantic-ai), built from the recorded body the
/// way an application would express the same conversation through <see cref="IChatClient"/>: <c>instructions</c> as
/// <see cref="ChatOptions.Instructions"/>; input items as messages (consecutive <c>function_call</c>, <c>reasoning</c>
/// and assistant <c>message</c> items as one assistant message, with the item ids and <c>phase</c> this client reads
/// from an answer and sends back); <c>include</c> as <see cref="OpenAIProperties.Include"/>. A recorded field or item
/// this translation does not know fails the test, so a new kind of recording cannot pass unexamined.
/// </summary>
/// <remarks>
/// The two force-download recordings sent bytes pydantic-ai downloaded itself (a data URL in <c>file_data</c> /
/// <c>image_url</c>): the registry downloads nothing for the application, so the application that wants the same call
/// gives the bytes, and the translation expresses them as <see cref="DataContent"/>. A file by URL (<c>file_url</c>)
/// is a <see cref="UriContent"/>, which the client sends as the URL for the API to fetch.
/// OpenRouter's request marks a content part with <c>prompt_cache_breakpoint</c>, which has no MEAI expression: that
/// call's <c>input</c> (and OpenRouter's own top-level fields) go through <see cref="ChatOptions.RawRepresentationFactory"/>,
/// the documented way to send fields as they are.
/// </remarks>
internal sealed record RecordedResponsesCall(List<ChatMessage> Messages, ChatOptions Options, bool Streaming)
{
    private static readonly HashSet<string> KnownPartFields = ["type", "text", "image_url", "detail", "file_url", "file_data", "filename"];

    public static RecordedResponsesCall From(JsonObject body)
    {
        var options = new ChatOptions { ModelId = body["model"]!.GetValue<string>() };
        JsonObject? raw = null;
        var messages = new List<ChatMessage>();
        foreach (var (name, value) in body)
        {
            if (value is null || name is "model" or "stream")
            {
                continue;
            }

            switch (name)
            {
                case "instructions": options.Instructions = value.GetValue<string>(); break;
                case "include":
                    (options.AdditionalProperties ??= [])[OpenAIProperties.Include] = value.AsArray().Select(v => v!.GetValue<string>()).ToList();
                    break;
                case "input" when HasUnknownPartFields(value.AsArray()):
                    (raw ??= [])[name] = value.DeepClone();
                    break;
                case "input":
                    messages = InputMessages(value.AsArray());
                    break;
                case "prompt_cache_options" or "provider":
                    // OpenRouter's own request fields: no MEAI option, sent as given through RawRepresentationFactory.
                    (raw ??= [])[name] = value.DeepClone();
                    break;
                case "tools":
                    options.Tools = [.. value.AsArray().Select(t => t!["type"]!.GetValue<string>() == "function"
                        ? (AITool)new RecordedTool(t.AsObject())
                        : throw new InvalidOperationException($"Unknown recorded tool {t.ToJsonString()}."))];
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
                case "text":
                    var format = value["format"]!;
                    if (format["type"]!.GetValue<string>() != "json_schema" || value.AsObject().Count != 1)
                    {
                        throw new InvalidOperationException($"Unknown recorded text options {value.ToJsonString()}.");
                    }

                    options.ResponseFormat = ChatResponseFormat.ForJsonSchema(
                        JsonElement.Parse(format["schema"]!.ToJsonString()), format["name"]?.GetValue<string>(), format["description"]?.GetValue<string>());
                    if (format["strict"] is { } strict)
                    {
                        (options.AdditionalProperties ??= [])[OpenAIProperties.Strict] = strict.GetValue<bool>();
                    }

                    break;
                default:
                    throw new InvalidOperationException($"The recorded Responses request has a field '{name}' the replay test does not translate yet.");
            }
        }

        if (raw is not null)
        {
            options.RawRepresentationFactory = _ => raw.DeepClone();
        }

        return new RecordedResponsesCall(messages, options, body["stream"]?.GetValue<bool>() == true);
    }

    private static bool HasUnknownPartFields(JsonArray input) =>
        input.OfType<JsonObject>().Any(item => item["content"] is JsonArray parts && parts.OfType<JsonObject>().Any(p => p.Any(f => !KnownPartFields.Contains(f.Key))));

    private static List<ChatMessage> InputMessages(JsonArray input)
    {
        var messages = new List<ChatMessage>();
        ChatMessage? assistant = null;
        foreach (var item in input.Select(i => i!.AsObject()))
        {
            var type = item["type"]?.GetValue<string>();
            var role = item["role"]?.GetValue<string>();
            if (type is null or "message" && role is "user" or "system" or "developer")
            {
                assistant = null;
                messages.Add(new ChatMessage(new ChatRole(role), Contents(item["content"]!)));
                continue;
            }

            if (type == "function_call_output")
            {
                assistant = null;
                messages.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(item["call_id"]!.GetValue<string>(), item["output"]!.GetValue<string>())]));
                continue;
            }

            if (type == "message" && assistant?.MessageId is not null)
            {
                assistant = null; // A second output message starts a new assistant message.
            }

            if (assistant is null)
            {
                assistant = new ChatMessage(ChatRole.Assistant, []);
                messages.Add(assistant);
            }

            switch (type)
            {
                case "function_call":
                    assistant.Contents.Add(WithItemId(
                        new FunctionCallContent(
                            item["call_id"]!.GetValue<string>(),
                            item["name"]!.GetValue<string>(),
                            JsonSerializer.Deserialize<Dictionary<string, object?>>(item["arguments"]!.GetValue<string>())),
                        item));
                    break;
                case "reasoning":
                    var summary = string.Join("\n\n", item["summary"]!.AsArray().Select(s => s!["text"]!.GetValue<string>()));
                    assistant.Contents.Add(WithItemId(new TextReasoningContent(summary) { ProtectedData = item["encrypted_content"]?.GetValue<string>() }, item));
                    break;
                case "message" when role == "assistant" && item["status"]?.GetValue<string>() is null or "completed":
                    assistant.MessageId = item["id"]?.GetValue<string>();
                    if (item["phase"] is { } phase)
                    {
                        (assistant.AdditionalProperties ??= [])[OpenAIProperties.Phase] = phase.GetValue<string>();
                    }

                    foreach (var part in item["content"]!.AsArray().Select(p => p!.AsObject()))
                    {
                        if (part["type"]!.GetValue<string>() != "output_text" || part["annotations"]?.AsArray().Count > 0)
                        {
                            throw new InvalidOperationException($"Unknown recorded assistant content {part.ToJsonString()}.");
                        }

                        assistant.Contents.Add(new TextContent(part["text"]!.GetValue<string>()));
                    }

                    break;
                default:
                    throw new InvalidOperationException($"Unknown recorded input item {item.ToJsonString()}.");
            }
        }

        return messages;
    }

    private static T WithItemId<T>(T content, JsonObject item)
        where T : AIContent
    {
        if (item["id"] is { } id)
        {
            (content.AdditionalProperties ??= [])[OpenAIProperties.ItemId] = id.GetValue<string>();
        }

        return content;
    }

    private static List<AIContent> Contents(JsonNode content)
    {
        if (content is JsonValue value)
        {
            return [new TextContent(value.GetValue<string>())];
        }

        var contents = new List<AIContent>();
        foreach (var part in content.AsArray().Select(p => p!.AsObject()))
        {
            var type = part["type"]!.GetValue<string>();
            AIContent item = type switch
            {
                "input_text" => new TextContent(part["text"]!.GetValue<string>()),
                "input_image" when part["image_url"]!.GetValue<string>() is var url => url.StartsWith("data:", StringComparison.Ordinal)
                    ? new DataContent(url) // force_download: the bytes pydantic-ai downloaded, given by the application
                    : new UriContent(url, "image/*"),
                "input_file" when part["file_url"] is { } url => new UriContent(url.GetValue<string>(), "application/pdf"),
                "input_file" => new DataContent(part["file_data"]!.GetValue<string>()) { Name = part["filename"]?.GetValue<string>() },
                _ => throw new InvalidOperationException($"Unknown recorded content part '{type}'."),
            };
            if (part["detail"] is { } detail)
            {
                (item.AdditionalProperties ??= [])[OpenAIProperties.ImageDetail] = detail.GetValue<string>();
            }

            contents.Add(item);
        }

        return contents;
    }

    /// <summary>A recorded function tool (flat, as the Responses API takes it); a recorded <c>strict</c> becomes the tool's own <see cref="OpenAIProperties.Strict"/>.</summary>
    private sealed class RecordedTool(JsonObject tool) : AIFunctionDeclaration
    {
        public override string Name => tool["name"]!.GetValue<string>();

        public override string Description => tool["description"]?.GetValue<string>() ?? string.Empty;

        public override JsonElement JsonSchema => JsonElement.Parse(tool["parameters"]!.ToJsonString());

        public override IReadOnlyDictionary<string, object?> AdditionalProperties =>
            tool["strict"] is { } strict ? new Dictionary<string, object?> { [OpenAIProperties.Strict] = strict.GetValue<bool>() } : new Dictionary<string, object?>();
    }
}
