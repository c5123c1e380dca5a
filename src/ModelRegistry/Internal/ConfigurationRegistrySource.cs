using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace ModelRegistry.Internal;

/// <summary>
/// A registry in configuration: <c>ModelRegistry:Models:&lt;name&gt;:provider</c>, <c>...:model_id</c> and so on,
/// the same keys as the JSON form. Read on each load, so configuration reloads reach the registry's refresh.
/// </summary>
internal sealed class ConfigurationRegistrySource(IConfiguration configuration, string sectionPath) : IModelRegistrySource
{
    public string Description => $"configuration section '{sectionPath}'";

    public ValueTask<IReadOnlyList<ModelEntry>> LoadAsync(CancellationToken cancellationToken)
    {
        var section = configuration.GetSection(sectionPath);
        if (!section.GetChildren().Any())
        {
            throw new ModelRegistryException(
                $"The model registry is empty: {Description} has no entries. Add entries such as " +
                $"\"{sectionPath}:mistral-large:provider\" = \"mistral\" and \"{sectionPath}:mistral-large:model_id\" = \"mistral-large-latest\" " +
                "(in appsettings.json: {\"ModelRegistry\":{\"Models\":{\"mistral-large\":{\"provider\":\"mistral\",\"model_id\":\"mistral-large-latest\"}}}}), " +
                "or load the registry from elsewhere (FromJson, FromParameterStore).");
        }

        var json = ToJson(section);
        return ValueTask.FromResult(RegistryParser.Parse(json, Description, keys => string.Join(':', [sectionPath, .. keys])));
    }

    /// <summary>Writes a configuration section as JSON: leaves as strings, sections keyed 0..n-1 as arrays.</summary>
    internal static string ToJson(IConfigurationSection section)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteChildren(writer, section);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteChildren(Utf8JsonWriter writer, IConfigurationSection section)
    {
        var children = section.GetChildren().ToList();
        var isArray = children.Count > 0 && children
            .Select(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : -1)
            .Order()
            .SequenceEqual(Enumerable.Range(0, children.Count));
        if (isArray)
        {
            writer.WriteStartArray();
            foreach (var child in children.OrderBy(c => int.Parse(c.Key, CultureInfo.InvariantCulture)))
            {
                WriteValue(writer, child);
            }

            writer.WriteEndArray();
            return;
        }

        writer.WriteStartObject();
        foreach (var child in children)
        {
            writer.WritePropertyName(child.Key);
            WriteValue(writer, child);
        }

        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, IConfigurationSection section)
    {
        if (section.GetChildren().Any())
        {
            WriteChildren(writer, section);
        }
        else if (section.Value is { } value)
        {
            writer.WriteStringValue(value);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
