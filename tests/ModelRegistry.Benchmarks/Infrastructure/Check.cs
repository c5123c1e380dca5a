namespace ModelRegistry.Benchmarks.Infrastructure;

/// <summary>
/// The set-up checks every benchmark class runs before it is measured: each contender is called once and must give
/// the expected answer, so a benchmark that silently measures an error path (a 404, an empty stream) fails instead,
/// in the quick mode as in the full one.
/// </summary>
internal static class Check
{
    public static void That(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Benchmark set-up check failed: " + what);
        }
    }

    public static void Equal<T>(T expected, T actual, string what)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            throw new InvalidOperationException($"Benchmark set-up check failed: {what}: expected {Show(expected)}, got {Show(actual)}.");
        }
    }

    private static string Show<T>(T value) => value is string s && s.Length > 80 ? $"\"{s[..80]}...\" ({s.Length} chars)" : $"{value}";
}
