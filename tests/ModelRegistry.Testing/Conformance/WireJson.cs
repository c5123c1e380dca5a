using System.Globalization;
using System.Text.Json.Nodes;

namespace ModelRegistry.Testing;

/// <summary>
/// JSON path look-ups for wire fixtures' request checks: <c>WireJson.At(request, "messages[1].content[0].type")</c>. A
/// path is property names separated by dots, each optionally followed by <c>[index]</c>; a missing step gives
/// <see langword="null"/>, so <c>Assert.That(WireJson.Text(request, "tool_choice"), Is.EqualTo("auto"))</c> reads as
/// the check it is.
/// </summary>
public static class WireJson
{
    /// <summary>The node at a path of the request's JSON body, or <see langword="null"/>.</summary>
    /// <param name="request">The request the server received.</param>
    /// <param name="path">The path, e.g. <c>messages[0].role</c>; empty for the root.</param>
    public static JsonNode? At(ReceivedRequest request, string path)
    {
        ArgumentNullException.ThrowIfNull(request);
        return At(request.Json, path);
    }

    /// <summary>The node at a path below a node, or <see langword="null"/>.</summary>
    /// <param name="node">The node.</param>
    /// <param name="path">The path.</param>
    public static JsonNode? At(JsonNode? node, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        foreach (var step in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var bracket = step.IndexOf('[', StringComparison.Ordinal);
            var name = bracket < 0 ? step : step[..bracket];
            if (name.Length > 0)
            {
                node = node is JsonObject obj && obj.TryGetPropertyValue(name, out var child) ? child : null;
            }

            while (bracket >= 0 && node is not null)
            {
                var close = step.IndexOf(']', bracket);
                var index = int.Parse(step.AsSpan(bracket + 1, close - bracket - 1), CultureInfo.InvariantCulture);
                node = node is JsonArray array && index < array.Count ? array[index] : null;
                bracket = step.IndexOf('[', close);
            }
        }

        return node;
    }

    /// <summary>The string at a path, or <see langword="null"/> when it is missing or not a string.</summary>
    /// <param name="request">The request.</param>
    /// <param name="path">The path.</param>
    public static string? Text(ReceivedRequest request, string path) =>
        At(request, path) is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>The number at a path, or <see langword="null"/>.</summary>
    /// <param name="request">The request.</param>
    /// <param name="path">The path.</param>
    public static double? Number(ReceivedRequest request, string path) =>
        At(request, path) is JsonValue value && value.TryGetValue<double>(out var number) ? number : null;

    /// <summary>The node at a path as compact JSON text, or <see langword="null"/>; handy for comparing objects with <see cref="JsonEquivalence"/>.</summary>
    /// <param name="request">The request.</param>
    /// <param name="path">The path.</param>
    public static string? Raw(ReceivedRequest request, string path) => At(request, path)?.ToJsonString();
}
