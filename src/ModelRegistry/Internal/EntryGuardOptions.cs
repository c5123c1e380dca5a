using System.Globalization;

namespace ModelRegistry.Internal;

/// <summary>
/// An entry's circuit breaker and client-side limits, read from its settings:
/// <c>circuit_breaker:enabled|failure_ratio|minimum_throughput|sampling_duration_ms|break_duration_ms</c> and
/// <c>limits:max_concurrency|requests_per_minute|tokens_per_minute</c>.
/// </summary>
internal sealed record EntryGuardOptions
{
    public bool BreakerEnabled { get; init; } = true;

    public double FailureRatio { get; init; } = 0.5;

    public int MinimumThroughput { get; init; } = 5;

    public TimeSpan SamplingDuration { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(30);

    public int? MaxConcurrency { get; init; }

    public int? RequestsPerMinute { get; init; }

    public int? TokensPerMinute { get; init; }

    /// <summary>Reads the entry's settings; throws naming the entry and the key when one is invalid.</summary>
    public static EntryGuardOptions For(ModelEntry entry)
    {
        var defaults = new EntryGuardOptions();
        return new EntryGuardOptions
        {
            BreakerEnabled = ReadBool(entry, "circuit_breaker:enabled") ?? defaults.BreakerEnabled,
            FailureRatio = ReadRatio(entry, "circuit_breaker:failure_ratio") ?? defaults.FailureRatio,
            MinimumThroughput = (int?)ReadWhole(entry, "circuit_breaker:minimum_throughput", 2, 10_000) ?? defaults.MinimumThroughput,
            SamplingDuration = ReadMilliseconds(entry, "circuit_breaker:sampling_duration_ms") ?? defaults.SamplingDuration,
            BreakDuration = ReadMilliseconds(entry, "circuit_breaker:break_duration_ms") ?? defaults.BreakDuration,
            MaxConcurrency = (int?)ReadWhole(entry, "limits:max_concurrency", 1, 100_000),
            RequestsPerMinute = (int?)ReadWhole(entry, "limits:requests_per_minute", 1, 10_000_000),
            TokensPerMinute = (int?)ReadWhole(entry, "limits:tokens_per_minute", 1, int.MaxValue),
        };
    }

    private static TimeSpan? ReadMilliseconds(ModelEntry entry, string key) =>
        ReadWhole(entry, key, 500, 24 * 3600 * 1000L) is { } ms ? TimeSpan.FromMilliseconds(ms) : null;

    private static long? ReadWhole(ModelEntry entry, string key, long min, long max)
    {
        var text = entry.GetSetting(key);
        if (text is null)
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw Invalid(entry, key, text, $"a whole number from {min} to {max}");
    }

    private static double? ReadRatio(ModelEntry entry, string key)
    {
        var text = entry.GetSetting(key);
        if (text is null)
        {
            return null;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && value <= 1
            ? value
            : throw Invalid(entry, key, text, "a number above 0 and at most 1");
    }

    private static bool? ReadBool(ModelEntry entry, string key)
    {
        var text = entry.GetSetting(key);
        if (text is null)
        {
            return null;
        }

        return bool.TryParse(text, out var value) ? value : throw Invalid(entry, key, text, "true or false");
    }

    private static ModelRegistryException Invalid(ModelEntry entry, string key, string text, string expected) =>
        new($"Model registry entry '{entry.Name}': setting '{key}' must be {expected}, but is '{text}'. Fix the entry's value in the registry.");
}
