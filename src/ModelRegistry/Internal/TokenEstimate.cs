using System.Text;
using Microsoft.Extensions.AI;

namespace ModelRegistry.Internal;

/// <summary>
/// A network-free estimate of a request's input tokens, for the capability gate's context-window check. It is meant to
/// sit <em>below</em> the real count: one token per <see cref="BytesPerToken"/> UTF-8 bytes of text (tokenizers of
/// current models give 3.5–4.5 bytes a token on English prose and fewer on code or non-Latin scripts), plus a few
/// tokens per message and a fixed amount per image or other binary item. So the gate refuses only what surely cannot
/// fit; a borderline input is sent, and the provider's own context-window error falls back the same way.
/// </summary>
internal static class TokenEstimate
{
    /// <summary>UTF-8 bytes counted as one token: above what tokenizers average, which is the safety margin.</summary>
    public const int BytesPerToken = 5;

    /// <summary>Tokens counted for each message's role and framing.</summary>
    public const int PerMessage = 4;

    /// <summary>Tokens counted for each image, document or other non-text item (its real cost depends on its size and the model).</summary>
    public const int PerBinaryItem = 256;

    /// <summary>Estimates the input tokens of the messages and of what the options add (instructions, tool declarations).</summary>
    public static long Input(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        long bytes = 0, tokens = 0;
        foreach (var message in messages)
        {
            tokens += PerMessage;
            foreach (var content in message.Contents)
            {
                switch (content)
                {
                    case TextContent text:
                        bytes += Utf8(text.Text);
                        break;
                    case TextReasoningContent reasoning:
                        bytes += Utf8(reasoning.Text);
                        break;
                    case FunctionCallContent call:
                        bytes += Utf8(call.Name);
                        foreach (var (name, value) in call.Arguments ?? new Dictionary<string, object?>())
                        {
                            bytes += Utf8(name) + Utf8(value?.ToString());
                        }

                        break;
                    case FunctionResultContent result:
                        bytes += Utf8(result.Result?.ToString());
                        break;
                    case DataContent or UriContent:
                        tokens += PerBinaryItem;
                        break;
                }
            }
        }

        bytes += Utf8(options?.Instructions);
        foreach (var tool in options?.Tools ?? [])
        {
            bytes += Utf8(tool.Name) + Utf8(tool.Description);
            if (tool is AIFunctionDeclaration function)
            {
                bytes += Utf8(function.JsonSchema.GetRawText());
            }
        }

        return tokens + (bytes / BytesPerToken);
    }

    private static long Utf8(string? text) => string.IsNullOrEmpty(text) ? 0 : Encoding.UTF8.GetByteCount(text);
}
