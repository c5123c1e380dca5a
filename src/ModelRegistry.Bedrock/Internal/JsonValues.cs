using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace ModelRegistry.Bedrock.Internal;

/// <summary>
/// Parses Bedrock's answers strictly, and converts caller values (JSON nodes, elements, text, plain objects) to JSON nodes
/// without reflection.
/// </summary>
internal static class JsonValues
{
    /// <summary>Bedrock's answers are parsed strictly: a duplicate key is malformed JSON, never a silent last-one-wins.</summary>
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    /// <summary>Parses an answer body that must be a JSON object.</summary>
    /// <exception cref="JsonException">The body is not JSON, holds a duplicate key, is cut off, or is not an object.</exception>
    public static JsonObject ParseObject(ReadOnlyMemory<byte> body) =>
        JsonNode.Parse(body.Span, documentOptions: Strict) as JsonObject ?? throw new JsonException("Bedrock sent JSON that is not an object where an object was expected.");

    /// <summary>Parses an answer body that must be a JSON object, as an element of its own (the body is not kept).</summary>
    /// <exception cref="JsonException">The body is not JSON, holds a duplicate key, is cut off, or is not an object.</exception>
    public static JsonElement ParseElement(ReadOnlyMemory<byte> body)
    {
        using var document = JsonDocument.Parse(body, Strict);
        return document.RootElement.ValueKind == JsonValueKind.Object
            ? document.RootElement.Clone()
            : throw new JsonException("Bedrock sent JSON that is not an object where an object was expected.");
    }

    /// <summary>An element as compact JSON text, written as <see cref="JsonNode.ToJsonString"/> writes it.</summary>
    public static string Minified(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            element.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>A JSON node for a value: nodes are cloned, elements parsed, other objects serialized with MEAI's AOT-safe options.</summary>
    public static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        JsonNode node => node.DeepClone(),
        JsonElement element => element.ValueKind is JsonValueKind.Undefined ? null : JsonNode.Parse(element.GetRawText()),
        JsonDocument document => JsonNode.Parse(document.RootElement.GetRawText()),
        string text => JsonValue.Create(text),
        bool flag => JsonValue.Create(flag),
        int number => JsonValue.Create(number),
        long number => JsonValue.Create(number),
        double number => JsonValue.Create(number),
        float number => JsonValue.Create(number),
        decimal number => JsonValue.Create(number),
        _ => Serialize(value),
    };

    /// <summary>
    /// A value of another type, through MEAI's options. In a trimmed or native AOT app (no reflection serializer) those
    /// have type information only for the types MEAI's source-generated options list; any other type is refused with
    /// what to pass instead, not STJ's bare message.
    /// </summary>
    private static JsonNode? Serialize(object value)
    {
        try
        {
            return JsonSerializer.SerializeToNode(value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType()));
        }
        catch (NotSupportedException ex)
        {
            throw new NotSupportedException(
                $"A value given to the Bedrock client (a ChatOptions.AdditionalProperties value or a function result) is a {value.GetType()}, " +
                $"which cannot be written as JSON: {ex.Message} Such values are serialized with Microsoft.Extensions.AI's AIJsonUtilities.DefaultOptions, " +
                "which in a trimmed or native AOT app know only their own types: give it as a string, number, boolean, JsonElement, JsonNode or JSON text.", ex);
        }
    }

    /// <summary>A JSON object for a value, or <see langword="null"/> when it is not one (a JSON text of an object is parsed).</summary>
    public static JsonObject? ToObject(object? value) => value switch
    {
        string text when text.TrimStart().StartsWith('{') => JsonNode.Parse(text) as JsonObject,
        _ => ToNode(value) as JsonObject,
    };

    /// <summary>Appends a node (the non-generic JsonArray.Add, which needs no serialization metadata).</summary>
    public static void Push(this JsonArray array, JsonNode? node) => array.Add(node);
}
