using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelRegistry.Providers;

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
    /// A value of another type, written by the kit's <see cref="ProviderJson.WriteValue"/> (MEAI's AOT-safe options; a
    /// type they do not list is refused there, naming it and what to give instead) and read back as a node.
    /// </summary>
    private static JsonNode? Serialize(object value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            ProviderJson.WriteValue(writer, value);
        }

        return JsonNode.Parse(buffer.WrittenSpan);
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
