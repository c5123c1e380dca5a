using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.OpenAI.Internal;

/// <summary>
/// What Chat Completions and the Responses API read alike from MEAI messages: the text of system and developer
/// messages, and user and tool messages split into function results and the parts of one user message. Each API writes
/// the pieces its own way.
/// </summary>
internal static class OpenAIMessages
{
    /// <summary>The text of a system or developer message; usage, errors, reasoning and another provider's content are left out.</summary>
    /// <exception cref="NotSupportedException">The message holds other content, which such messages cannot carry.</exception>
    public static string SystemText(ChatMessage message, string api)
    {
        var text = new StringBuilder();
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case TextContent part:
                    text.Append(part.Text);
                    break;
                case UsageContent or ErrorContent or TextReasoningContent:
                    break;
                case var other when IsForeign(other):
                    break;
                default:
                    throw new NotSupportedException(
                        $"A {message.Role.Value} message holds a {content.GetType().Name}; {api} {message.Role.Value} messages take text only. Move it to a user message.");
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// Writes a user or tool message: every function result where it sits (<paramref name="writeResult"/>), then the
    /// other contents as one user message — a string when they are one text, else parts (<paramref name="writePart"/>),
    /// an empty string when there are none — unless the message held only results. Other content of a tool message
    /// (rare) thus follows its results rather than being dropped.
    /// </summary>
    /// <exception cref="ArgumentException">A tool message holds no result, or a user message holds a function call.</exception>
    public static void WriteUser(Utf8JsonWriter writer, ChatMessage message, string api, Action<FunctionResultContent> writeResult, Action<AIContent> writePart)
    {
        var parts = new List<AIContent>();
        var hadResults = false;
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case FunctionResultContent result:
                    writeResult(result);
                    hadResults = true;
                    break;
                case UsageContent or ErrorContent or TextReasoningContent or FunctionCallContent { InformationalOnly: true }:
                    break;
                case var other when IsForeign(other):
                    break;
                case FunctionCallContent:
                    throw new ArgumentException($"A {message.Role} message holds a FunctionCallContent; tool calls belong to assistant messages.", nameof(message));
                default:
                    parts.Add(content);
                    break;
            }
        }

        if (!hadResults && message.Role == ChatRole.Tool)
        {
            throw new ArgumentException($"A tool message holds no FunctionResultContent; {api} needs the result of a call with its call id.", nameof(message));
        }

        if (parts.Count == 0 && hadResults)
        {
            return;
        }

        writer.WriteStartObject();
        writer.WriteString("role", "user");
        writer.WritePropertyName("content");
        if (parts is [TextContent single])
        {
            writer.WriteStringValue(single.Text);
        }
        else if (parts.Count == 0)
        {
            writer.WriteStringValue(string.Empty); // The APIs refuse an empty array of parts.
        }
        else
        {
            writer.WriteStartArray();
            foreach (var part in parts)
            {
                writePart(part);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    /// <summary>Whether another provider marked the content as its own (<see cref="PortableHistory.IsForeign"/>).</summary>
    public static bool IsForeign(AIContent content) => PortableHistory.IsForeign(content, OpenAIProtocol.ProviderName);
}
