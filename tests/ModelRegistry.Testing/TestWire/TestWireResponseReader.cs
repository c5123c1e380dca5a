using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.Testing.TestWire;

/// <summary>
/// Reads testwire answers (see <see cref="TestWireProvider"/> for the format). Strict: a missing or mistyped field
/// throws, and the kit's error boundary turns that into <see cref="ProviderErrorCodes.InvalidResponse"/>.
/// </summary>
internal static class TestWireResponseReader
{
    /// <summary>The <see cref="UsageDetails.AdditionalCounts"/> key of tokens written to the prompt cache (the EMF package reads it).</summary>
    public const string CacheWriteKey = RegistryProperties.CacheWriteInputTokens;

    public static ChatResponse Read(ProviderResponse response)
    {
        using var document = JsonDocument.Parse(response.Body);
        var root = document.RootElement;
        var contents = new List<AIContent>();
        foreach (var block in Required(root, "content").EnumerateArray())
        {
            contents.Add(ReadBlock(block));
        }

        return new ChatResponse(new ChatMessage(ChatRole.Assistant, contents))
        {
            ResponseId = Optional(root, "id")?.GetString(),
            ModelId = Optional(root, "model")?.GetString(),
            FinishReason = ReadFinish(Required(root, "finish")),
            Usage = Optional(root, "usage") is { } usage ? ReadUsage(usage) : null,
        };
    }

    public static async IAsyncEnumerable<ChatResponseUpdate> ReadStreamAsync(ProviderStream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var events = new ServerSentEventReader(stream);
        string? responseId = null, modelId = null;
        while (await events.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var update = ReadEvent(events.EventName, events.Data, ref responseId, ref modelId);
            if (update is null)
            {
                continue;
            }

            yield return update;
            if (update.FinishReason is not null)
            {
                yield break;
            }
        }

        throw new EndOfStreamException("the stream ended without its 'done' event");
    }

    public static GeneratedEmbeddings<Embedding<float>> ReadEmbeddings(ProviderResponse response, int expected, string modelId)
    {
        using var document = JsonDocument.Parse(response.Body);
        var root = document.RootElement;
        var vectors = Required(root, "embeddings");
        if (vectors.GetArrayLength() != expected)
        {
            throw new InvalidDataException($"{vectors.GetArrayLength()} embeddings for {expected} inputs");
        }

        var result = new GeneratedEmbeddings<Embedding<float>>(expected);
        foreach (var vector in vectors.EnumerateArray())
        {
            var values = new float[vector.GetArrayLength()];
            var i = 0;
            foreach (var value in vector.EnumerateArray())
            {
                values[i++] = value.GetSingle();
            }

            result.Add(new Embedding<float>(values) { ModelId = modelId });
        }

        if (Optional(root, "usage") is { } usage)
        {
            result.Usage = new UsageDetails { InputTokenCount = Required(usage, "input").GetInt64() };
        }

        return result;
    }

    public static long ReadTokenCount(ProviderResponse response)
    {
        using var document = JsonDocument.Parse(response.Body);
        return Required(document.RootElement, "input_tokens").GetInt64();
    }

    /// <summary>The model's availability from a model description: <c>{"id": "...", "status": "available"}</c>.</summary>
    public static string ReadModelStatus(ProviderResponse response)
    {
        using var document = JsonDocument.Parse(response.Body);
        return Required(document.RootElement, "status").GetString()!;
    }

    private static ChatResponseUpdate? ReadEvent(string name, ReadOnlyMemory<byte> data, ref string? responseId, ref string? modelId)
    {
        using var document = JsonDocument.Parse(data);
        var root = document.RootElement;
        AIContent[] contents;
        ChatFinishReason? finish = null;
        switch (name)
        {
            case "start":
                responseId = Optional(root, "id")?.GetString();
                modelId = Optional(root, "model")?.GetString();
                return null;
            case "text":
            case "reasoning":
            case "tool_call":
                contents = [ReadBlock(root, name)];
                break;
            case "done":
                finish = ReadFinish(Required(root, "finish"));
                contents = Optional(root, "usage") is { } usage ? [new UsageContent(ReadUsage(usage))] : [];
                break;
            default:
                return null; // Events of later versions of the wire are skipped, as SSE comments are.
        }

        return new ChatResponseUpdate(ChatRole.Assistant, contents)
        {
            ResponseId = responseId,
            MessageId = responseId,
            ModelId = modelId,
            FinishReason = finish,
        };
    }

    private static AIContent ReadBlock(JsonElement block) => ReadBlock(block, Required(block, "type").GetString()!);

    private static AIContent ReadBlock(JsonElement block, string type) => type switch
    {
        "text" => new TextContent(Required(block, "text").GetString()),
        "reasoning" => new TextReasoningContent(Required(block, "text").GetString()) { ProtectedData = Optional(block, "signature")?.GetString() },
        "tool_call" => new FunctionCallContent(
            Required(block, "id").GetString()!,
            Required(block, "name").GetString()!,
            Required(block, "arguments").EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone())),
        _ => throw new InvalidDataException($"unknown content block type '{type}'"),
    };

    private static ChatFinishReason ReadFinish(JsonElement finish) => finish.GetString() switch
    {
        "stop" => ChatFinishReason.Stop,
        "length" => ChatFinishReason.Length,
        "tool_calls" => ChatFinishReason.ToolCalls,
        "content_filter" => ChatFinishReason.ContentFilter,
        var other => new ChatFinishReason(other!),
    };

    /// <summary><c>input</c> counts every input token, cached ones included; <c>cache_read</c> and <c>cache_write</c> say how many of them hit or filled the cache.</summary>
    private static UsageDetails ReadUsage(JsonElement usage)
    {
        var input = Required(usage, "input").GetInt64();
        var output = Required(usage, "output").GetInt64();
        var details = new UsageDetails
        {
            InputTokenCount = input,
            OutputTokenCount = output,
            TotalTokenCount = input + output,
            CachedInputTokenCount = Optional(usage, "cache_read")?.GetInt64(),
        };
        if (Optional(usage, "cache_write")?.GetInt64() is { } written)
        {
            details.AdditionalCounts = new() { [CacheWriteKey] = written };
        }

        return details;
    }

    private static JsonElement Required(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : throw new InvalidDataException($"the answer has no '{name}'");

    private static JsonElement? Optional(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;
}
