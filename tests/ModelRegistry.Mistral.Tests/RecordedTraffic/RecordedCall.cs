using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace ModelRegistry.Mistral.Tests.RecordedTraffic;

/// <summary>
/// The MEAI call equivalent to a recorded Mistral request (sent by pydantic-ai): built from the recorded body itself,
/// the way an application would express the same conversation through <see cref="IChatClient"/>. A recorded field this
/// translation does not know fails the test, so a new kind of recording cannot pass unexamined.
/// </summary>
internal sealed record RecordedCall(List<ChatMessage> Messages, ChatOptions Options, bool Streaming)
{
    /// <summary>Fields of the recorded body that have no MEAI counterpart and are handled by <see cref="RequestComparison"/>.</summary>
    private static readonly HashSet<string> Handled = ["model", "messages", "stream", "n"];

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
                case "temperature": options.Temperature = (float)Number(value); break;
                case "top_p": options.TopP = (float)Number(value); break;
                case "max_tokens": options.MaxOutputTokens = (int)Number(value); break;
                case "random_seed": options.Seed = (long)Number(value); break;
                case "presence_penalty": options.PresencePenalty = (float)Number(value); break;
                case "frequency_penalty": options.FrequencyPenalty = (float)Number(value); break;
                case "parallel_tool_calls": options.AllowMultipleToolCalls = value.GetValue<bool>(); break;
                case "stop":
                    options.StopSequences = value is JsonArray stops ? [.. stops.Select(s => s!.GetValue<string>())] : [value.GetValue<string>()];
                    break;
                case "prompt_cache_key":
                    (options.AdditionalProperties ??= [])[name] = value.GetValue<string>();
                    break;
                case "tools":
                    options.Tools = [.. value.AsArray().Select(t => (AITool)AIFunctionFactory.CreateDeclaration(
                        t!["function"]!["name"]!.GetValue<string>(),
                        t["function"]!["description"]?.GetValue<string>(),
                        JsonElement.Parse(t["function"]!["parameters"]!.ToJsonString())))];
                    break;
                case "tool_choice":
                    options.ToolMode = value switch
                    {
                        JsonObject specific => ChatToolMode.RequireSpecific(specific["function"]!["name"]!.GetValue<string>()),
                        _ => value.GetValue<string>() switch
                        {
                            "auto" => ChatToolMode.Auto,
                            "none" => ChatToolMode.None,
                            "any" or "required" => ChatToolMode.RequireAny,
                            var other => throw new InvalidOperationException($"Unknown recorded tool_choice '{other}'."),
                        },
                    };
                    break;
                default:
                    throw new InvalidOperationException($"The recorded request has a field '{name}' the replay test does not translate yet.");
            }
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
            case "user":
                return new ChatMessage(ChatRole.User, Contents(content));
            case "tool":
                return new ChatMessage(ChatRole.Tool, [new FunctionResultContent(message["tool_call_id"]!.GetValue<string>(), content!.GetValue<string>())]);
            case "assistant":
                var contents = Contents(content);
                if (message["tool_calls"] is JsonArray calls)
                {
                    foreach (var call in calls)
                    {
                        var function = call!["function"]!;
                        var arguments = function["arguments"]!;
                        var json = arguments is JsonValue text && text.GetValueKind() == JsonValueKind.String ? text.GetValue<string>() : arguments.ToJsonString();
                        contents.Add(new FunctionCallContent(
                            call["id"]!.GetValue<string>(),
                            function["name"]!.GetValue<string>(),
                            JsonSerializer.Deserialize<Dictionary<string, object?>>(json)));
                    }
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
        foreach (var chunk in content.AsArray())
        {
            var type = chunk!["type"]!.GetValue<string>();
            switch (type)
            {
                case "text":
                    contents.Add(new TextContent(chunk["text"]!.GetValue<string>()));
                    break;
                case "thinking":
                    contents.AddRange(chunk["thinking"]!.AsArray().Select(part => new TextReasoningContent(part!["text"]!.GetValue<string>())));
                    break;
                case "image_url":
                    var url = chunk["image_url"] is JsonObject image ? image["url"]!.GetValue<string>() : chunk["image_url"]!.GetValue<string>();
                    contents.Add(url.StartsWith("data:", StringComparison.Ordinal) ? new DataContent(url) : new UriContent(url, ImageMediaType(url)));
                    break;
                case "document_url":
                    var document = chunk["document_url"]!.GetValue<string>();
                    contents.Add(document.StartsWith("data:", StringComparison.Ordinal) ? new DataContent(document) : new UriContent(document, "application/pdf"));
                    break;
                default:
                    throw new InvalidOperationException($"Unknown recorded chunk type '{type}'.");
            }
        }

        return contents;
    }

    private static string ImageMediaType(string url) => Path.GetExtension(new Uri(url).AbsolutePath).ToLowerInvariant() switch
    {
        ".png" => "image/png",
        ".gif" => "image/gif",
        ".webp" => "image/webp",
        _ => "image/jpeg",
    };
}
