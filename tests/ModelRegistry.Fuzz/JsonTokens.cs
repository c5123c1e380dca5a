using System.Text.Json;

namespace ModelRegistry.Fuzz;

/// <summary>A JSON value's place in a body: [Start, End), its kind, and where its property name starts (-1 in an array or at the root).</summary>
internal readonly record struct JsonValueSpan(int Start, int End, JsonTokenType Kind, int NameStart)
{
    public int Length => End - Start;

    public bool IsContainer => Kind is JsonTokenType.StartObject or JsonTokenType.StartArray;
}

/// <summary>Finds the values of a JSON body, as far as it parses (a body broken by earlier mutations yields its prefix's values).</summary>
internal static class JsonTokens
{
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 512, CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public static List<JsonValueSpan> Values(ReadOnlySpan<byte> json)
    {
        var values = new List<JsonValueSpan>();
        var open = new Stack<(int Start, int NameStart)>();
        var reader = new Utf8JsonReader(json, Options);
        var name = -1;
        try
        {
            while (reader.Read())
            {
                var start = (int)reader.TokenStartIndex;
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        name = start;
                        break;
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        open.Push((start, name));
                        name = -1;
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        var (begin, nameStart) = open.Pop();
                        values.Add(new(begin, (int)reader.BytesConsumed, reader.TokenType == JsonTokenType.EndObject ? JsonTokenType.StartObject : JsonTokenType.StartArray, nameStart));
                        break;
                    default:
                        values.Add(new(start, (int)reader.BytesConsumed, reader.TokenType, name));
                        name = -1;
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Keep what was found before the break.
        }

        return values;
    }

    /// <summary>Whether a body parses as one JSON document.</summary>
    public static bool IsValid(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, Options);
            while (reader.Read())
            {
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

/// <summary>The property names and values of a target's seeds: material for dictionary mutations and splices.</summary>
internal sealed class JsonDictionary
{
    private const int MaxSpliceBytes = 4096;

    public List<byte[]> Names { get; } = [];

    public List<byte[]> Values { get; } = [];

    public static JsonDictionary From(IEnumerable<Seed> seeds)
    {
        var dictionary = new JsonDictionary();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var values = new HashSet<string>(StringComparer.Ordinal);
        foreach (var seed in seeds)
        {
            foreach (var json in JsonParts(seed))
            {
                var span = json.Span;
                foreach (var value in JsonTokens.Values(span))
                {
                    if (value.NameStart >= 0)
                    {
                        var nameEnd = span[value.NameStart..].IndexOf((byte)':');
                        if (nameEnd > 0)
                        {
                            var nameBytes = span.Slice(value.NameStart, nameEnd).TrimEnd(" \t\r\n"u8).ToArray();
                            if (names.Add(Convert.ToBase64String(nameBytes)))
                            {
                                dictionary.Names.Add(nameBytes);
                            }
                        }
                    }

                    if (value.Length <= MaxSpliceBytes)
                    {
                        var bytes = span[value.Start..value.End].ToArray();
                        if (values.Add(Convert.ToBase64String(bytes)))
                        {
                            dictionary.Values.Add(bytes);
                        }
                    }
                }
            }
        }

        return dictionary;
    }

    /// <summary>The JSON documents of a seed: its body, its events' data, or its frames' payloads.</summary>
    public static IEnumerable<ReadOnlyMemory<byte>> JsonParts(Seed seed) => seed.Format switch
    {
        BodyFormat.ServerSentEvents => SseDocument.Parse(seed.Body).Events.Select(e => (ReadOnlyMemory<byte>)e.Data()),
        BodyFormat.EventStream => EventStreamFrames.Parse(seed.Body).Frames.Select(f => (ReadOnlyMemory<byte>)f.Payload),
        _ => [seed.Body],
    };
}
