using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using BenchmarkDotNet.Reports;

namespace ModelRegistry.Benchmarks.Infrastructure;

/// <summary>
/// Writes one Markdown file with every class's table (ratios to the baseline of each class or category), under a
/// header naming the machine, the runtime, the date and the job, so the numbers can be read and reproduced.
/// </summary>
internal static class ResultsMarkdown
{
    /// <summary>The columns worth reading, in order; BenchmarkDotNet's job and statistics details stay in its own logs.</summary>
    private static readonly string[] Columns =
    [
        "Method", "Categories", "Mean", "StdDev", "Ratio", "Allocated", "Alloc Ratio", "Exceptions", "Time/update", "Alloc/update", "MB/s",
        "Calls/s", "Alloc/call", "p50 latency", "p99 latency", "Pool threads", "Connections",
    ];

    public static void Write(string path, IReadOnlyList<Summary> summaries, string job, string command)
    {
        var text = new StringBuilder();
        text.AppendLine("# Benchmark results");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"- Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {Machine.Describe()}");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Runtime: {RuntimeInformation.FrameworkDescription}, BenchmarkDotNet {typeof(Summary).Assembly.GetName().Version?.ToString(3)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Job: {job}");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Command: `{command}`");
        text.AppendLine();
        text.AppendLine("Ratios compare each row with the baseline of its class (or of its category, where a class has several), measured in the same run.");
        text.AppendLine("Time/update and Alloc/update divide the per-call figures by the updates a call streams; MB/s is payload bytes over mean time.");
        text.AppendLine("Calls/s and Alloc/call divide a load batch by its calls; p50/p99 latency, Pool threads and Connections are the load classes' own figures (see their descriptions).");

        foreach (var summary in summaries.OrderBy(s => s.BenchmarksCases.FirstOrDefault()?.Descriptor.Type.FullName, StringComparer.Ordinal))
        {
            var type = summary.BenchmarksCases.FirstOrDefault()?.Descriptor.Type;
            if (type is null)
            {
                continue;
            }

            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"## {type.Name}");
            text.AppendLine();
            if (type.GetCustomAttribute<DescriptionAttribute>()?.Description is { } description)
            {
                text.AppendLine(description);
                text.AppendLine();
            }

            AppendTable(text, summary);
        }

        File.WriteAllText(path, text.ToString());
    }

    private static void AppendTable(StringBuilder text, Summary summary)
    {
        var table = summary.Table;
        var shown = Columns
            .Select(name => table.Columns.FirstOrDefault(c => c.Header == name && c.NeedToShow))
            .Where(c => c is not null)
            .Select(c => c!)
            .ToList();
        text.AppendLine("| " + string.Join(" | ", shown.Select(c => c.Header)) + " |");
        text.AppendLine("|" + string.Join("|", shown.Select(c => c.Justify == SummaryTable.SummaryTableColumn.TextJustification.Right ? "---:" : ":---")) + "|");
        for (var row = 0; row < table.FullContent.Length; row++)
        {
            text.AppendLine("| " + string.Join(" | ", shown.Select(c => Escape(c.Content[row]))) + " |");
        }
    }

    private static string Escape(string cell) => cell.Replace("|", "\\|", StringComparison.Ordinal).Replace("'", "", StringComparison.Ordinal);
}
