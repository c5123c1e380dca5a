using System.Globalization;
using System.Text;

namespace ModelRegistry.Fuzz;

/// <summary>
/// Writes failing inputs to the output directory (the input as JSON for <c>--replay</c>, and a text file saying what
/// happened) and prints each new kind of failure once with its replay command. At most three files per target, kind
/// of failure and exception type: the counts say how many more there were.
/// </summary>
internal sealed class FailureLog(string directory, string repositoryRoot)
{
    private const int FilesPerSignature = 3;

    private readonly Dictionary<string, int> _signatures = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public string Directory => directory;

    public void Record(FuzzInput input, Outcome outcome)
    {
        foreach (var kind in Kinds(outcome))
        {
            var signature = $"{input.Target}|{kind}|{outcome.Error?.GetType().FullName}";
            lock (_lock)
            {
                var seen = _signatures.GetValueOrDefault(signature);
                _signatures[signature] = seen + 1;
                if (seen >= FilesPerSignature)
                {
                    continue;
                }

                System.IO.Directory.CreateDirectory(directory);
                var name = $"{input.Target}-{kind}-{input.RunSeed.ToString(CultureInfo.InvariantCulture)}-{input.Iteration.ToString(CultureInfo.InvariantCulture)}";
                var path = Path.Combine(directory, name + ".json");
                for (var n = 2; File.Exists(path); n++)
                {
                    path = Path.Combine(directory, $"{name}-{n}.json");
                }

                name = Path.GetFileNameWithoutExtension(path);
                input.Save(path);
                File.WriteAllText(Path.Combine(directory, name + ".txt"), Explain(input, outcome, kind));
                var relative = Path.GetRelativePath(repositoryRoot, path);
                if (seen == 0)
                {
                    Console.WriteLine($"FAIL {kind}: {input.Target} ({input.Call})");
                    Console.WriteLine($"  input:  {Shorten(input.Describe(), 400)}");
                    Console.WriteLine($"  result: {Shorten(Result(outcome), 400)}");
                    Console.WriteLine($"  replay: ./build/fuzz.sh --no-build --replay {relative}");
                }
            }
        }
    }

    public static IEnumerable<string> Kinds(Outcome outcome)
    {
        if (outcome.Kind == OutcomeKind.Escape)
        {
            yield return "escape";
        }

        if (outcome.Kind == OutcomeKind.Hang)
        {
            yield return "hang";
        }

        if (outcome.IsBigAllocation)
        {
            yield return "allocation";
        }

        if (outcome.Leak is not null)
        {
            yield return "leak";
        }
    }

    public static string Result(Outcome outcome) => FuzzInput.Printable(
        outcome.Kind switch
        {
            OutcomeKind.Hang => "no answer within the hang guard",
            _ when outcome.Error is { } error => $"{error.GetType().FullName}: {error.Message}",
            _ => outcome.Label,
        }
        + $" (allocated {Megabytes(outcome.Allocated)} for {outcome.Delivered} bytes received{(outcome.Synchronous ? string.Empty : ", measured alone")})"
        + (outcome.Leak is null ? string.Empty : $"; secret in {outcome.Leak}"));

    public static string Explain(FuzzInput input, Outcome outcome, string kind)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"failure: {kind}");
        text.AppendLine(CultureInfo.InvariantCulture, $"target:  {input.Target}, call {input.Call}, {(input.DefaultLimits ? "the kit's default limits" : "the fuzzer's small limits")}");
        text.AppendLine(CultureInfo.InvariantCulture, $"seed:    {input.SeedName} (run seed {input.RunSeed}, iteration {input.Iteration})");
        text.AppendLine(CultureInfo.InvariantCulture, $"answer:  HTTP {input.Status}, {input.Body.Length} bytes, delivery {input.Delivery} ({input.DeliveryParameter}), Content-Length {input.ContentLength?.ToString(CultureInfo.InvariantCulture) ?? "none"}{(input.EnforceLength ? " enforced" : string.Empty)}");
        foreach (var (name, value) in input.Headers)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"header:  {name}: {FuzzInput.Printable(value)}");
        }

        foreach (var mutation in input.Mutations)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"mutation: {FuzzInput.Printable(mutation)}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"result:  {Result(outcome)}");
        if (outcome.Error is not null)
        {
            text.AppendLine().AppendLine(outcome.Error.ToString());
        }

        return text.ToString();
    }

    public static string Megabytes(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("0.0", CultureInfo.InvariantCulture) + " MB";

    private static string Shorten(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max), "…");
}
