using System.Globalization;
using System.Text.Json;

namespace ModelRegistry.Internal;

/// <summary>
/// Parses registry JSON: an object mapping names to entries, exactly as Terraform's <c>jsonencode</c> writes the
/// seed map (snake_case keys, provider settings flat on the entry). Numbers and booleans may also come as strings,
/// since configuration holds every value as text.
/// </summary>
internal static class RegistryParser
{
    /// <summary>The highest price per million tokens accepted: high enough for any model, low enough that cost never overflows.</summary>
    private const decimal MaxPrice = 1_000_000m;

    /// <summary>The default <c>location</c>, one delegate for every parse.</summary>
    private static readonly Func<IReadOnlyList<string>, string> DefaultLocation = JsonPath;

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
    };

    /// <summary>Parses registry JSON text.</summary>
    /// <param name="json">The JSON.</param>
    /// <param name="source">The source's description, for errors.</param>
    /// <param name="location">Formats a path of keys for errors; defaults to a JSON path (<c>$.haiku.model_id</c>).</param>
    public static IReadOnlyList<ModelEntry> Parse(string json, string source, Func<IReadOnlyList<string>, string>? location = null)
    {
        location ??= DefaultLocation;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new ModelRegistryException(
                $"The model registry from {source} is not valid JSON: {FirstSentence(ex.Message)} " +
                $"(at {location(PathAtError(json))}, line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}). " +
                "Fix the JSON; it must be an object mapping model names to entries, e.g. {\"mistral-large\":{\"provider\":\"mistral\",\"model_id\":\"mistral-large-latest\"}}.",
                ex);
        }

        using (document)
        {
            return Parse(document.RootElement, source, location);
        }
    }

    /// <summary>Reads malformed JSON up to its error and returns the keys leading to where it stopped.</summary>
    private static List<string> PathAtError(string json)
    {
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json));
        var open = new List<string>();
        string? property = null;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        property = reader.GetString();
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        if (reader.CurrentDepth > 0)
                        {
                            open.Add(property ?? "0");
                        }

                        property = null;
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        if (open.Count > 0)
                        {
                            open.RemoveAt(open.Count - 1);
                        }

                        property = null;
                        break;
                    default:
                        property = null;
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // The reader stopped at the error: the path is where it was.
        }

        return property is null ? open : [.. open, property];
    }

    private static IReadOnlyList<ModelEntry> Parse(JsonElement root, string source, Func<IReadOnlyList<string>, string> location)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ModelRegistryException(
                $"The model registry from {source} must be a JSON object mapping model names to entries, but {location([])} is {Describe(root)}. " +
                "Write it as {\"mistral-large\":{\"provider\":\"mistral\",\"model_id\":\"mistral-large-latest\"}}.");
        }

        var entries = new List<ModelEntry>();
        foreach (var property in root.EnumerateObject())
        {
            var name = property.Name;
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ModelRegistryException($"The model registry from {source} has an entry with an empty name. Give every entry a name.");
            }

            entries.Add(ParseEntry(name, property.Value, source, location));
        }

        // Names, fallbacks and settings are checked with every other source's entries, by EntryValidator.
        return entries;
    }

    private static ModelEntry ParseEntry(string name, JsonElement element, string source, Func<IReadOnlyList<string>, string> location)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ModelRegistryException(
                $"Model registry entry '{name}' ({source}) must be an object with \"provider\" and \"model_id\", but {location([name])} is {Describe(element)}.");
        }

        string? provider = null;
        string? modelId = null;
        ModelCapabilities? capabilities = null;
        ModelPricing? pricing = null;
        IReadOnlyList<string> fallbacks = [];
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        // Known keys are matched on the UTF-8 name, so reading an entry allocates no key strings it does not keep.
        foreach (var property in element.EnumerateObject())
        {
            if (property.NameEquals("provider"))
            {
                provider = ReadString(property.Value, name, source, location, new(name, "provider"));
            }
            else if (property.NameEquals("model_id"))
            {
                modelId = ReadString(property.Value, name, source, location, new(name, "model_id"));
            }
            else if (property.NameEquals("capabilities"))
            {
                capabilities = ReadCapabilities(property.Value, name, source, location, new(name, "capabilities"));
            }
            else if (property.NameEquals("pricing"))
            {
                pricing = ReadPricing(property.Value, name, source, location, new(name, "pricing"));
            }
            else if (property.NameEquals("fallbacks"))
            {
                fallbacks = ReadFallbacks(property.Value, name, source, location, new(name, "fallbacks"));
            }
            else
            {
                var key = property.Name;
                if (ReservedVariant(key) is { } intended)
                {
                    throw new ModelRegistryException(
                        $"Model registry entry '{EntryValidator.Printable(name)}' ({source}) has the key \"{key}\" at {location([name, key])}. Did you mean \"{intended}\"? Keys are matched exactly.");
                }

                Flatten(key, property.Value, settings);
            }
        }

        if (string.IsNullOrWhiteSpace(provider))
        {
            throw new ModelRegistryException(
                $"Model registry entry '{name}' ({source}) has no \"provider\" at {location([name, "provider"])}. " +
                "Set it to the provider that serves the model, e.g. \"bedrock\" or \"mistral\".");
        }

        if (string.IsNullOrWhiteSpace(modelId))
        {
            throw new ModelRegistryException(
                $"Model registry entry '{name}' ({source}) has no \"model_id\" at {location([name, "model_id"])}. " +
                "Set it to the provider's model id, e.g. \"mistral-large-latest\" or \"anthropic.claude-haiku-4-5-20251001-v1:0\".");
        }

        return new ModelEntry(name, provider.Trim(), modelId.Trim(), settings)
        {
            Capabilities = capabilities,
            Pricing = pricing,
            Fallbacks = fallbacks,
        };
    }

    /// <summary>The parser's key <paramref name="key"/> was meant to be (a case variant, or <c>fallback</c>), else <see langword="null"/>.</summary>
    private static string? ReservedVariant(string key)
    {
        if (key == "fallback")
        {
            return "fallbacks";
        }

        foreach (var reserved in EntryValidator.ReservedKeys)
        {
            if (string.Equals(reserved, key, StringComparison.OrdinalIgnoreCase))
            {
                return reserved;
            }
        }

        return null;
    }

    private static ModelCapabilities ReadCapabilities(JsonElement element, string name, string source, Func<IReadOnlyList<string>, string> location, KeyPath path)
    {
        RequireObject(element, name, source, location, path, "{\"context_window\":200000,\"max_output_tokens\":8192,\"vision\":true,\"tools\":true}");
        var capabilities = new ModelCapabilities();
        foreach (var property in element.EnumerateObject())
        {
            var at = path.Child(property.Name);
            capabilities = at.Last switch
            {
                "context_window" => capabilities with { ContextWindow = ReadInt(property.Value, name, source, location, at) },
                "max_output_tokens" => capabilities with { MaxOutputTokens = ReadInt(property.Value, name, source, location, at) },
                "vision" => capabilities with { Vision = ReadBool(property.Value, name, source, location, at) },
                "tools" => capabilities with { Tools = ReadBool(property.Value, name, source, location, at) },
                _ => throw Unknown(name, source, location, at, ["context_window", "max_output_tokens", "vision", "tools"]),
            };
        }

        return capabilities;
    }

    private static ModelPricing ReadPricing(JsonElement element, string name, string source, Func<IReadOnlyList<string>, string> location, KeyPath path)
    {
        RequireObject(element, name, source, location, path, "{\"input\":3,\"output\":15,\"cache_read\":0.3,\"cache_write\":3.75}");
        decimal? input = null, output = null, cacheRead = null, cacheWrite = null;
        string? currency = null;
        foreach (var property in element.EnumerateObject())
        {
            var at = path.Child(property.Name);
            switch (at.Last)
            {
                case "input": input = ReadPrice(property.Value, name, source, location, at); break;
                case "output": output = ReadPrice(property.Value, name, source, location, at); break;
                case "cache_read": cacheRead = ReadPrice(property.Value, name, source, location, at); break;
                case "cache_write": cacheWrite = ReadPrice(property.Value, name, source, location, at); break;
                case "currency": currency = ReadString(property.Value, name, source, location, at); break;
                default: throw Unknown(name, source, location, at, ["input", "output", "cache_read", "cache_write", "currency"]);
            }
        }

        if (input is null || output is null)
        {
            throw new ModelRegistryException(
                $"Model registry entry '{name}' ({source}): {location(path.ToArray())} needs both \"input\" and \"output\" (prices per million tokens).");
        }

        var pricing = new ModelPricing { Input = input.Value, Output = output.Value, CacheRead = cacheRead, CacheWrite = cacheWrite };
        return currency is null ? pricing : pricing with { Currency = currency.Trim() };
    }

    private static string[] ReadFallbacks(JsonElement element, string name, string source, Func<IReadOnlyList<string>, string> location, KeyPath path)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (element.ValueKind == JsonValueKind.String)
        {
            // A single name, or a comma-separated list as an environment variable would give it.
            return element.GetString()!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        if (element.ValueKind != JsonValueKind.Array)
        {
            throw Invalid(name, source, location, path, "a list of registry names", element);
        }

        var names = new List<string>();
        var index = 0;
        foreach (var item in element.EnumerateArray())
        {
            var value = ReadString(item, name, source, location, path.Child(index));
            if (!string.IsNullOrWhiteSpace(value))
            {
                names.Add(value.Trim());
            }

            index++;
        }

        return [.. names];
    }

    private static string? ReadString(JsonElement element, string name, string source, Func<IReadOnlyList<string>, string> location, KeyPath path) =>
        element.ValueKind switch
        {
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Null => null,
            _ => throw Invalid(name, source, location, path, "a string", element),
        };

    private static int ReadInt(JsonElement element, string name, string source, Func<IReadOnlyList<string>, string> location, KeyPath path)
    {
        if (element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out var number) && number > 0)
        {
            return number;
        }

        if (element.ValueKind == JsonValueKind.String
            && int.TryParse(element.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out number) && number > 0)
        {
            return number;
        }

        throw Invalid(name, source, location, path, "a positive whole number", element);
    }

    private static decimal ReadPrice(JsonElement element, string name, string source, Func<IReadOnlyList<string>, string> location, KeyPath path)
    {
        if (element.ValueKind == JsonValueKind.Number && element.TryGetDecimal(out var price) && price is >= 0 and <= MaxPrice)
        {
            return price;
        }

        if (element.ValueKind == JsonValueKind.String
            && decimal.TryParse(element.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out price) && price is >= 0 and <= MaxPrice)
        {
            return price;
        }

        throw Invalid(name, source, location, path, "a price per million tokens from 0 to 1000000", element);
    }

    private static bool ReadBool(JsonElement element, string name, string source, Func<IReadOnlyList<string>, string> location, KeyPath path) =>
        element.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when bool.TryParse(element.GetString(), out var value) => value,
            _ => throw Invalid(name, source, location, path, "true or false", element),
        };

    private static void RequireObject(JsonElement element, string name, string source, Func<IReadOnlyList<string>, string> location, KeyPath path, string example)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(name, source, location, path, $"an object like {example}", element);
        }
    }

    private static void Flatten(string key, JsonElement element, Dictionary<string, string> settings)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten($"{key}:{property.Name}", property.Value, settings);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten($"{key}:{index++}", item, settings);
                }

                if (index == 0)
                {
                    // Kept as an empty value for the key's rule to judge: "allowed_roles": [] must not read as "no rule".
                    settings[key] = string.Empty;
                }

                break;
            case JsonValueKind.String:
                settings[key] = element.GetString()!;
                break;
            case JsonValueKind.Null:
            case JsonValueKind.Undefined:
                break;
            default:
                settings[key] = element.GetRawText();
                break;
        }
    }

    private static ModelRegistryException Invalid(string name, string source, Func<IReadOnlyList<string>, string> location, KeyPath path, string expected, JsonElement actual) =>
        new($"Model registry entry '{name}' ({source}): {location(path.ToArray())} must be {expected}, but is {Describe(actual)}.");

    private static ModelRegistryException Unknown(string name, string source, Func<IReadOnlyList<string>, string> location, KeyPath path, string[] known) =>
        new($"Model registry entry '{name}' ({source}): {location(path.ToArray())} is not a known key.{EntryValidator.Suggest(path.Last, known)} Known keys there: {string.Join(", ", known)}.");

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Shorten(element.GetString()!)}\"",
        JsonValueKind.Number => $"the number {element.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"{element.GetRawText()}",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "a list",
        JsonValueKind.Object => "an object",
        _ => "nothing",
    };

    private static string Shorten(string text) => text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 57), "...");

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message.TrimEnd('.') : message[..end];
    }

    /// <summary>
    /// Where a value is: the entry's name, its key and, inside an object or list, the key or index there. Made into
    /// the list of keys only for an error message, so reading a valid value allocates no path.
    /// </summary>
    private readonly struct KeyPath(string name, string key, string? child = null, int index = -1)
    {
        /// <summary>The last key of the path.</summary>
        public string Last => child ?? (index >= 0 ? index.ToString(CultureInfo.InvariantCulture) : key);

        public KeyPath Child(string childKey) => new(name, key, childKey);

        public KeyPath Child(int childIndex) => new(name, key, null, childIndex);

        public string[] ToArray() => child is not null ? [name, key, child] : index >= 0 ? [name, key, Last] : [name, key];
    }

    /// <summary>Formats keys as a JSON path: <c>$.haiku.model_id</c>, with brackets for names that need them.</summary>
    public static string JsonPath(IReadOnlyList<string> keys)
    {
        var path = new System.Text.StringBuilder("$");
        foreach (var key in keys)
        {
            if (key.Length > 0 && key.All(char.IsAsciiDigit))
            {
                path.Append('[').Append(key).Append(']');
            }
            else if (key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                path.Append('.').Append(key);
            }
            else
            {
                path.Append("['").Append(key.Replace("'", "\\'", StringComparison.Ordinal)).Append("']");
            }
        }

        return path.ToString();
    }
}
