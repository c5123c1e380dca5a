using System.Text.Json;

namespace ModelRegistry.Emf.Tests.TestSupport;

/// <summary>One metric data point CloudWatch extracts from an EMF event.</summary>
internal sealed record MetricDatum(string Namespace, IReadOnlyDictionary<string, string> Dimensions, string Name, string? Unit, int? StorageResolution, IReadOnlyList<double> Values)
{
    public string DimensionText => string.Join(",", Dimensions.Select(d => $"{d.Key}={d.Value}"));
}

/// <summary>
/// Reads an EMF event the way CloudWatch does: each directive names metrics and dimension sets, and their values
/// are the top-level members of the same name (no nesting). It fails on what CloudWatch would reject: a missing or
/// non-numeric metric member, more than 100 values, a missing or non-string dimension member, a value over 1024
/// characters, a repeated metric name.
/// </summary>
internal static class CloudWatchReader
{
    public static IReadOnlyList<MetricDatum> Read(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var data = new List<MetricDatum>();
        foreach (var directive in root.GetProperty("_aws").GetProperty("CloudWatchMetrics").EnumerateArray())
        {
            var metricNamespace = directive.GetProperty("Namespace").GetString()!;
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var metric in directive.GetProperty("Metrics").EnumerateArray())
            {
                var name = metric.GetProperty("Name").GetString()!;
                if (!names.Add(name))
                {
                    throw new AssertionException($"metric '{name}' is defined twice in one directive");
                }

                var values = NumbersOf(root, name);
                foreach (var set in directive.GetProperty("Dimensions").EnumerateArray())
                {
                    var dimensions = new SortedDictionary<string, string>(StringComparer.Ordinal);
                    foreach (var key in set.EnumerateArray().Select(k => k.GetString()!))
                    {
                        dimensions[key] = DimensionValueOf(root, key);
                    }

                    data.Add(new MetricDatum(
                        metricNamespace,
                        dimensions,
                        name,
                        metric.TryGetProperty("Unit", out var unit) ? unit.GetString() : null,
                        metric.TryGetProperty("StorageResolution", out var resolution) ? resolution.GetInt32() : null,
                        values));
                }
            }
        }

        return data;
    }

    /// <summary>The value of one metric under one dimension set, given as <c>Key=Value,Key=Value</c> (keys sorted).</summary>
    public static double Value(IReadOnlyList<MetricDatum> data, string name, string dimensions = "")
    {
        var matches = data.Where(d => d.Name == name && d.DimensionText == dimensions).ToList();
        Assert.That(matches, Has.Count.EqualTo(1), $"one data point for {name} [{dimensions}]; found: {string.Join("; ", data.Select(d => $"{d.Name} [{d.DimensionText}]"))}");
        Assert.That(matches[0].Values, Has.Count.EqualTo(1));
        return matches[0].Values[0];
    }

    private static double[] NumbersOf(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var member))
        {
            throw new AssertionException($"metric '{name}' has no top-level member");
        }

        if (member.ValueKind == JsonValueKind.Number)
        {
            return [member.GetDouble()];
        }

        if (member.ValueKind == JsonValueKind.Array && member.GetArrayLength() <= 100 && member.EnumerateArray().All(v => v.ValueKind == JsonValueKind.Number))
        {
            return [.. member.EnumerateArray().Select(v => v.GetDouble())];
        }

        throw new AssertionException($"metric member '{name}' is {member.ValueKind}, not a number or an array of at most 100 numbers");
    }

    private static string DimensionValueOf(JsonElement root, string key)
    {
        if (!root.TryGetProperty(key, out var member) || member.ValueKind != JsonValueKind.String)
        {
            throw new AssertionException($"dimension '{key}' has no top-level string member");
        }

        var value = member.GetString()!;
        if (value.Length is 0 or > 1024)
        {
            throw new AssertionException($"dimension '{key}' has a value of {value.Length} characters; CloudWatch takes 1 to 1024");
        }

        return value;
    }
}
