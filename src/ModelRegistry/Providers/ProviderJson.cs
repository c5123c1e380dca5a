using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;

namespace ModelRegistry.Providers;

/// <summary>
/// JSON jobs every provider's request writer and answer reader does the same way: the caller's raw request from
/// <see cref="ChatOptions.RawRepresentationFactory"/>, values from <see cref="ChatOptions.AdditionalProperties"/>, and
/// the small typed reads of an answer, and the Chat Completions <c>response_format</c>. No reflection serialization: values that are not JSON already go through MEAI's
/// <see cref="AIJsonUtilities.DefaultOptions"/> type information.
/// </summary>
public static class ProviderJson
{
    /// <summary>MEAI's serializer options (<see cref="AIJsonUtilities.DefaultOptions"/>) without indentation, for arguments and results sent as JSON text.</summary>
    public static JsonSerializerOptions CompactOptions { get; } = CreateCompactOptions();

    /// <summary>
    /// The caller's request body from <see cref="ChatOptions.RawRepresentationFactory"/>, to be written first so its
    /// fields win: a <see cref="JsonObject"/> as it is, an object <see cref="JsonElement"/> or JSON text of an object
    /// as a new <see cref="JsonObject"/>; <see langword="null"/> when there is no factory or it returns nothing.
    /// </summary>
    /// <param name="options">The call's options, if any.</param>
    /// <param name="client">The client, handed to the factory.</param>
    /// <param name="provider">The provider's display name, for the error message (<c>"Acme"</c>).</param>
    /// <param name="body">What the body is, for the error message (<c>"Acme request body"</c>).</param>
    /// <exception cref="ArgumentException">The factory returned something other than a JSON object.</exception>
    public static JsonObject? RawRequest(ChatOptions? options, IChatClient client, string provider, string body) =>
        options?.RawRepresentationFactory?.Invoke(client) switch
        {
            null => null,
            JsonObject json => json,
            JsonElement { ValueKind: JsonValueKind.Object } element => JsonObject.Create(element),
            string text => JsonNode.Parse(text) as JsonObject
                ?? throw new ArgumentException($"ChatOptions.RawRepresentationFactory returned JSON text that is not an object; return the {body} as a JsonObject."),
            var other => throw new ArgumentException(
                $"ChatOptions.RawRepresentationFactory returned a {other.GetType().Name}; the {provider} client takes the request body as a System.Text.Json.Nodes.JsonObject (or a JsonElement or JSON text of an object)."),
        };

    /// <summary>Writes a node, or JSON <c>null</c> for <see langword="null"/>.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="node">The node.</param>
    public static void WriteNode(Utf8JsonWriter writer, JsonNode? node)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (node is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            node.WriteTo(writer);
        }
    }

    /// <summary>
    /// Writes a value from <see cref="ChatOptions.AdditionalProperties"/>, a raw representation or a function result:
    /// strings, booleans, <see cref="JsonElement"/> and <see cref="JsonNode"/> as they are, anything else through
    /// <see cref="CompactOptions"/>.
    /// </summary>
    /// <param name="writer">The writer.</param>
    /// <param name="value">The value.</param>
    public static void WriteValue(Utf8JsonWriter writer, object value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        switch (value)
        {
            case string text:
                writer.WriteStringValue(text);
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case JsonElement element:
                element.WriteTo(writer);
                break;
            case JsonNode node:
                node.WriteTo(writer);
                break;
            default:
                try
                {
                    JsonSerializer.Serialize(writer, value, CompactOptions.GetTypeInfo(value.GetType()));
                }
                catch (NotSupportedException ex)
                {
                    throw Unwritable($"A value of type {value.GetType()} given to the client (a ChatOptions.AdditionalProperties value or a function result)", ex);
                }

                break;
        }
    }

    /// <summary>Writes a function's parameter schema (<see cref="AIFunctionDeclaration.JsonSchema"/>), or <c>{"type":"object","properties":{}}</c> when it has none that is an object.</summary>
    /// <param name="writer">The writer, after the property name.</param>
    /// <param name="function">The function.</param>
    public static void WriteParametersSchema(Utf8JsonWriter writer, AIFunctionDeclaration function)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(function);
        if (function.JsonSchema.ValueKind == JsonValueKind.Object)
        {
            function.JsonSchema.WriteTo(writer);
        }
        else
        {
            writer.WriteStartObject();
            writer.WriteString("type", "object");
            writer.WriteStartObject("properties");
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
    }

    /// <summary>A function call's arguments as compact JSON text (<c>{}</c> when it has none), for wires that send them as a string.</summary>
    /// <param name="call">The call.</param>
    public static string ArgumentsText(FunctionCallContent call)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (call.Arguments is null)
        {
            return "{}";
        }

        try
        {
            return JsonSerializer.Serialize(call.Arguments, ArgumentsInfo);
        }
        catch (NotSupportedException ex)
        {
            throw UnwritableArguments(call, ex);
        }
    }

    /// <summary>Writes a function call's arguments as a JSON object (<c>{}</c> when it has none), for wires that send them as JSON.</summary>
    /// <param name="writer">The writer, after the property name.</param>
    /// <param name="call">The call.</param>
    public static void WriteArguments(Utf8JsonWriter writer, FunctionCallContent call)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(call);
        if (call.Arguments is null)
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
            return;
        }

        try
        {
            JsonSerializer.Serialize(writer, call.Arguments, ArgumentsInfo);
        }
        catch (NotSupportedException ex)
        {
            throw UnwritableArguments(call, ex);
        }
    }

    /// <summary>
    /// The text a function result is sent as: <c>Error: {message}</c> for a failure without a result, empty for none,
    /// strings and <see cref="TextContent"/> as they are, a JSON string's value, other JSON as its text, anything else
    /// serialized through <see cref="CompactOptions"/>. Write other <see cref="AIContent"/> results your provider's way first.
    /// </summary>
    /// <param name="result">The function result.</param>
    public static string ToolResultText(FunctionResultContent result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Result switch
        {
            null when result.Exception is { } exception => $"Error: {exception.Message}",
            null => string.Empty,
            string text => text,
            TextContent text => text.Text,
            JsonElement { ValueKind: JsonValueKind.String } element => element.GetString() ?? string.Empty,
            JsonElement element => element.GetRawText(),
            var value => SerializeResult(result.CallId, value),
        };
    }

    private static JsonTypeInfo ArgumentsInfo => CompactOptions.GetTypeInfo(typeof(IDictionary<string, object?>));

    private static string SerializeResult(string callId, object value)
    {
        try
        {
            return JsonSerializer.Serialize(value, CompactOptions.GetTypeInfo(value.GetType()));
        }
        catch (NotSupportedException ex)
        {
            throw Unwritable($"The result of function call '{callId}' (a {value.GetType()})", ex);
        }
    }

    private static NotSupportedException UnwritableArguments(FunctionCallContent call, NotSupportedException inner) =>
        Unwritable($"The arguments of function call '{call.Name}' (call id '{call.CallId}')", inner);

    /// <summary>
    /// The refusal of a caller's value that has no JSON type information: in a trimmed or native AOT app (no reflection
    /// serializer) MEAI's options know only the types they list. Says what the value was and what to give instead.
    /// </summary>
    private static NotSupportedException Unwritable(string what, NotSupportedException inner) => new(
        $"{what} cannot be written as JSON: {inner.Message} Such values are serialized with Microsoft.Extensions.AI's " +
        "AIJsonUtilities.DefaultOptions, which in a trimmed or native AOT app know only their own types: give strings, numbers, " +
        "booleans, JsonElement, JsonNode or JSON text, or lists and dictionaries of those.",
        inner);

    /// <summary>Reads a yes/no option: a <see cref="bool"/>, <c>"true"</c>/<c>"false"</c> text, or a JSON boolean; anything else, or no such key, is <see langword="null"/>.</summary>
    /// <param name="properties">The properties (<see cref="ChatOptions.AdditionalProperties"/>, <see cref="AIContent.AdditionalProperties"/>...).</param>
    /// <param name="key">The key.</param>
    public static bool? ReadBool(IReadOnlyDictionary<string, object?>? properties, string key) =>
        properties is not null && properties.TryGetValue(key, out var value)
            ? value switch
            {
                bool flag => flag,
                string text when bool.TryParse(text, out var parsed) => parsed,
                JsonElement { ValueKind: JsonValueKind.True } => true,
                JsonElement { ValueKind: JsonValueKind.False } => false,
                _ => null,
            }
            : null;

    /// <summary>Throws <see cref="InvalidDataException"/> (which the kit reports as <c>invalid_response</c>) unless the element is a JSON object.</summary>
    /// <param name="element">The element.</param>
    /// <param name="what">What the element is, for the message (<c>"The answer"</c>).</param>
    /// <exception cref="InvalidDataException">The element is not an object.</exception>
    public static void RequireObject(JsonElement element, string what)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{what} is JSON {element.ValueKind.ToString().ToLowerInvariant()}, not an object.");
        }
    }

    /// <summary>The object's string property, or <see langword="null"/> when it is missing or not a string.</summary>
    /// <param name="element">An object element.</param>
    /// <param name="name">The property name.</param>
    public static string? ReadString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The object's whole-number property, or <see langword="null"/> when it is missing, not a number or outside <see cref="long"/>.</summary>
    /// <param name="element">An object element.</param>
    /// <param name="name">The property name.</param>
    public static long? ReadLong(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;

    /// <summary>The whole-number property of the object property <paramref name="outer"/> (<c>usage.details.tokens</c>), or <see langword="null"/> when either is missing or of another type.</summary>
    /// <param name="element">An object element.</param>
    /// <param name="outer">The name of the nested object.</param>
    /// <param name="inner">The property name inside it.</param>
    public static long? ReadNestedLong(JsonElement element, string outer, string inner) =>
        element.TryGetProperty(outer, out var nested) && nested.ValueKind == JsonValueKind.Object ? ReadLong(nested, inner) : null;

    /// <summary>A time given in Unix seconds (<c>created</c>); <see langword="null"/> when the property is missing, not a whole number, or outside the years 1 to 9999.</summary>
    /// <param name="element">An object element.</param>
    /// <param name="name">The property name.</param>
    public static DateTimeOffset? ReadUnixSeconds(JsonElement element, string name) =>
        ReadLong(element, name) is { } seconds
            && seconds >= DateTimeOffset.MinValue.ToUnixTimeSeconds() && seconds <= DateTimeOffset.MaxValue.ToUnixTimeSeconds()
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    private static JsonSerializerOptions CreateCompactOptions()
    {
        var options = new JsonSerializerOptions(AIJsonUtilities.DefaultOptions) { WriteIndented = false };
        options.MakeReadOnly();
        return options;
    }

    /// <summary>
    /// Writes the <c>response_format</c> member Chat Completions APIs take (OpenAI, Mistral, OpenAI-compatible servers):
    /// <c>json_schema</c> with the schema's name (<c>response</c> when it has none), description, schema and
    /// <paramref name="strict"/> when given; <c>json_object</c> for JSON without a schema; else <c>text</c>.
    /// </summary>
    /// <param name="writer">The writer, positioned inside the request object.</param>
    /// <param name="format">The caller's <see cref="ChatOptions.ResponseFormat"/>.</param>
    /// <param name="strict">The strict-schema flag to send, or <see langword="null"/> to leave it out.</param>
    public static void WriteResponseFormat(Utf8JsonWriter writer, ChatResponseFormat format, bool? strict)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject("response_format");
        switch (format)
        {
            case ChatResponseFormatJson { Schema: not null } json:
                writer.WriteString("type", "json_schema");
                writer.WriteStartObject("json_schema");
                WriteJsonSchemaMembers(writer, json, strict);
                writer.WriteEndObject();
                break;
            case ChatResponseFormatJson:
                writer.WriteString("type", "json_object");
                break;
            default:
                writer.WriteString("type", "text");
                break;
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// Writes the members that describe a JSON schema response format, inside the object the caller opened (Chat
    /// Completions' <c>response_format.json_schema</c>, the Responses API's <c>text.format</c>): the schema's name
    /// (<c>response</c> when it has none), its description when given, the schema, and <paramref name="strict"/> when given.
    /// </summary>
    /// <param name="writer">The writer, positioned inside the format object.</param>
    /// <param name="format">A JSON response format with a schema.</param>
    /// <param name="strict">The strict-schema flag to send, or <see langword="null"/> to leave it out.</param>
    /// <exception cref="ArgumentException">The format has no schema.</exception>
    public static void WriteJsonSchemaMembers(Utf8JsonWriter writer, ChatResponseFormatJson format, bool? strict)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(format);
        if (format.Schema is not { } schema)
        {
            throw new ArgumentException("The response format has no JSON schema.", nameof(format));
        }

        writer.WriteString("name", string.IsNullOrWhiteSpace(format.SchemaName) ? "response" : format.SchemaName);
        if (!string.IsNullOrWhiteSpace(format.SchemaDescription))
        {
            writer.WriteString("description", format.SchemaDescription);
        }

        writer.WritePropertyName("schema");
        schema.WriteTo(writer);
        if (strict is { } value)
        {
            writer.WriteBoolean("strict", value);
        }
    }
}
