using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ModelRegistry.Testing;

/// <summary>
/// Semantic JSON comparison: key order and whitespace do not matter, numbers compare by value
/// (<c>1</c> equals <c>1.0</c>). Returns the differences as JSON paths, so a failing test says where.
/// </summary>
public static class JsonEquivalence
{
    /// <summary>The differences between two JSON documents; empty when they are equivalent.</summary>
    /// <param name="expected">The expected JSON.</param>
    /// <param name="actual">The actual JSON.</param>
    public static IReadOnlyList<string> Differences(JsonNode? expected, JsonNode? actual)
    {
        var differences = new List<string>();
        Compare(expected, actual, "$", differences);
        return differences;
    }

    /// <summary>The differences between two JSON texts.</summary>
    /// <param name="expected">The expected JSON text.</param>
    /// <param name="actual">The actual JSON text.</param>
    public static IReadOnlyList<string> Differences(string expected, string actual) =>
        Differences(JsonNode.Parse(expected), JsonNode.Parse(actual));

    private static void Compare(JsonNode? expected, JsonNode? actual, string path, List<string> differences)
    {
        switch (expected, actual)
        {
            case (null, null):
                return;
            case (JsonObject e, JsonObject a):
                foreach (var (key, value) in e)
                {
                    if (!a.TryGetPropertyValue(key, out var other))
                    {
                        differences.Add($"{path}.{key}: missing (expected {Show(value)})");
                    }
                    else
                    {
                        Compare(value, other, $"{path}.{key}", differences);
                    }
                }

                foreach (var (key, value) in a)
                {
                    if (!e.ContainsKey(key))
                    {
                        differences.Add($"{path}.{key}: unexpected {Show(value)}");
                    }
                }

                return;
            case (JsonArray e, JsonArray a):
                if (e.Count != a.Count)
                {
                    differences.Add($"{path}: expected {e.Count} items, got {a.Count}");
                }

                for (var i = 0; i < Math.Min(e.Count, a.Count); i++)
                {
                    Compare(e[i], a[i], $"{path}[{i}]", differences);
                }

                return;
            case (JsonValue e, JsonValue a) when ValuesEqual(e, a):
                return;
            default:
                differences.Add($"{path}: expected {Show(expected)}, got {Show(actual)}");
                return;
        }
    }

    private static bool ValuesEqual(JsonValue expected, JsonValue actual)
    {
        var (e, a) = (expected.GetValueKind(), actual.GetValueKind());
        if (e != a)
        {
            return false;
        }

        if (e == JsonValueKind.Number)
        {
            var et = expected.ToJsonString();
            var at = actual.ToJsonString();
            return decimal.TryParse(et, NumberStyles.Float, CultureInfo.InvariantCulture, out var ed)
                && decimal.TryParse(at, NumberStyles.Float, CultureInfo.InvariantCulture, out var ad)
                ? ed == ad
                : double.Parse(et, CultureInfo.InvariantCulture).Equals(double.Parse(at, CultureInfo.InvariantCulture));
        }

        return e == JsonValueKind.String
            ? string.Equals(expected.GetValue<string>(), actual.GetValue<string>(), StringComparison.Ordinal)
            : expected.ToJsonString() == actual.ToJsonString();
    }

    private static string Show(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "null";
        return text.Length <= 120 ? text : text[..117] + "...";
    }
}
