using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace ModelRegistry.Testing;

/// <summary>
/// A VCR.py cassette: recorded HTTP interactions in YAML. Request bodies come as <c>body</c> (JSON text) or
/// <c>parsed_body</c> (YAML); response bodies as <c>body.string</c> (text, or <c>!!binary</c> base64) or
/// <c>parsed_body</c>. Header values may be <c>!!binary</c> too.
/// </summary>
public sealed class Cassette
{
    private Cassette(string name, IReadOnlyList<CassetteInteraction> interactions)
    {
        Name = name;
        Interactions = interactions;
    }

    /// <summary>The cassette's file name.</summary>
    public string Name { get; }

    /// <summary>The interactions, in recorded order.</summary>
    public IReadOnlyList<CassetteInteraction> Interactions { get; }

    /// <summary>Loads a cassette file.</summary>
    /// <param name="path">The YAML file.</param>
    public static Cassette Load(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        return Parse(reader, Path.GetFileName(path));
    }

    /// <summary>Parses cassette YAML.</summary>
    /// <param name="reader">The YAML text.</param>
    /// <param name="name">A name for messages.</param>
    public static Cassette Parse(TextReader reader, string name)
    {
        var stream = new YamlStream();
        stream.Load(reader);
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var interactions = new List<CassetteInteraction>();
        foreach (var node in (YamlSequenceNode)root.Children[new YamlScalarNode("interactions")])
        {
            var interaction = (YamlMappingNode)node;
            interactions.Add(new CassetteInteraction(
                ParseRequest((YamlMappingNode)interaction.Children[new YamlScalarNode("request")]),
                ParseResponse((YamlMappingNode)interaction.Children[new YamlScalarNode("response")])));
        }

        return new Cassette(name, interactions);
    }

    private static CassetteRequest ParseRequest(YamlMappingNode node)
    {
        var uri = Scalar(node, "uri") ?? throw new InvalidDataException("request without uri");
        var streaming = uri.EndsWith("#stream", StringComparison.Ordinal);
        byte[]? body = null;
        JsonNode? json = null;
        if (node.Children.TryGetValue(new YamlScalarNode("parsed_body"), out var parsed))
        {
            json = ToJson(parsed);
            body = Encoding.UTF8.GetBytes(json?.ToJsonString() ?? "null");
        }
        else if (node.Children.TryGetValue(new YamlScalarNode("body"), out var raw) && raw is YamlScalarNode scalar && scalar.Value is { } text)
        {
            body = ScalarBytes(scalar) ?? Encoding.UTF8.GetBytes(text);
            json = TryParseJson(body);
        }

        return new CassetteRequest(
            Scalar(node, "method") ?? "GET",
            streaming ? uri[..^"#stream".Length] : uri,
            streaming,
            Headers(node),
            body,
            json);
    }

    private static CassetteResponse ParseResponse(YamlMappingNode node)
    {
        var status = 200;
        if (node.Children.TryGetValue(new YamlScalarNode("status"), out var statusNode) && statusNode is YamlMappingNode statusMap)
        {
            status = int.Parse(Scalar(statusMap, "code") ?? "200", CultureInfo.InvariantCulture);
        }

        byte[] body = [];
        if (node.Children.TryGetValue(new YamlScalarNode("parsed_body"), out var parsed))
        {
            body = Encoding.UTF8.GetBytes(ToJson(parsed)?.ToJsonString() ?? "null");
        }
        else if (node.Children.TryGetValue(new YamlScalarNode("body"), out var bodyNode) && bodyNode is YamlMappingNode bodyMap
            && bodyMap.Children.TryGetValue(new YamlScalarNode("string"), out var text) && text is YamlScalarNode scalar)
        {
            body = ScalarBytes(scalar) ?? Encoding.UTF8.GetBytes(scalar.Value ?? string.Empty);
        }

        return new CassetteResponse(status, Headers(node), body);
    }

    private static IReadOnlyList<KeyValuePair<string, string>> Headers(YamlMappingNode node)
    {
        var headers = new List<KeyValuePair<string, string>>();
        if (!node.Children.TryGetValue(new YamlScalarNode("headers"), out var headersNode) || headersNode is not YamlMappingNode map)
        {
            return headers;
        }

        foreach (var (key, value) in map.Children)
        {
            var name = ((YamlScalarNode)key).Value!;
            IEnumerable<YamlNode> values = value is YamlSequenceNode sequence ? sequence.Children : [value];
            foreach (var item in values.OfType<YamlScalarNode>())
            {
                var bytes = ScalarBytes(item);
                headers.Add(new(name, bytes is null ? item.Value ?? string.Empty : Encoding.UTF8.GetString(bytes)));
            }
        }

        return headers;
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar ? scalar.Value : null;

    /// <summary>The bytes of a <c>!!binary</c> scalar; <see langword="null"/> for any other scalar.</summary>
    private static byte[]? ScalarBytes(YamlScalarNode scalar) =>
        !scalar.Tag.IsEmpty && !scalar.Tag.IsNonSpecific && scalar.Tag.Value is "tag:yaml.org,2002:binary" or "!!binary"
            ? Convert.FromBase64String(string.Concat((scalar.Value ?? string.Empty).Where(c => !char.IsWhiteSpace(c))))
            : null;

    private static JsonNode? TryParseJson(byte[] body)
    {
        try
        {
            return JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>Converts YAML (core schema) to JSON: plain scalars resolve to null, booleans and numbers.</summary>
    internal static JsonNode? ToJson(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (key, value) in map.Children)
                {
                    obj[((YamlScalarNode)key).Value!] = ToJson(value);
                }

                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                foreach (var item in sequence.Children)
                {
                    array.Add(ToJson(item));
                }

                return array;
            case YamlScalarNode scalar:
                var text = scalar.Value ?? string.Empty;
                if (ScalarBytes(scalar) is { } bytes)
                {
                    return JsonValue.Create(Convert.ToBase64String(bytes));
                }

                if (scalar.Style != YamlDotNet.Core.ScalarStyle.Plain)
                {
                    return JsonValue.Create(text);
                }

                return text switch
                {
                    "null" or "Null" or "NULL" or "~" or "" => null,
                    "true" or "True" or "TRUE" => JsonValue.Create(true),
                    "false" or "False" or "FALSE" => JsonValue.Create(false),
                    _ when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
                    _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !text.Contains('_', StringComparison.Ordinal) => JsonValue.Create(d),
                    _ => JsonValue.Create(text),
                };
            default:
                return null;
        }
    }
}
