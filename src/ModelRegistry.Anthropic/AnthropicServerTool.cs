using System.Text.Json;
using Microsoft.Extensions.AI;

namespace ModelRegistry.Anthropic;

/// <summary>
/// A tool Anthropic runs itself that has no Microsoft.Extensions.AI type (web fetch, the advisor, memory...), given as the
/// Messages API's tool definition and sent exactly as given, e.g.
/// <c>new AnthropicServerTool(JsonElement.Parse("""{"type":"web_fetch_20250910","name":"web_fetch","max_uses":3}"""))</c>.
/// Its records in the answer come back as plain <see cref="AIContent"/> holding each block, and go back as they came.
/// Bedrock Mantle serves no server tools (its entries' <c>unavailable_features</c> hold <c>server_tools</c>).
/// </summary>
public sealed class AnthropicServerTool : AITool
{
    /// <summary>Creates the tool from its definition.</summary>
    /// <param name="definition">A JSON object with at least a string <c>type</c> and <c>name</c>.</param>
    /// <exception cref="ArgumentException">The definition is not an object with a string <c>type</c> and <c>name</c>.</exception>
    public AnthropicServerTool(JsonElement definition)
    {
        if (definition.ValueKind != JsonValueKind.Object
            || !definition.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String
            || !definition.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
        {
            throw new ArgumentException(
                "An Anthropic server tool definition must be a JSON object with a string \"type\" (such as \"web_fetch_20250910\") and a string \"name\" (such as \"web_fetch\").",
                nameof(definition));
        }

        Definition = definition.Clone();
        Name = name.GetString()!;
    }

    /// <summary>The tool definition, sent as given.</summary>
    public JsonElement Definition { get; }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override string Description => $"Anthropic server tool {Definition.GetProperty("type").GetString()}";
}
