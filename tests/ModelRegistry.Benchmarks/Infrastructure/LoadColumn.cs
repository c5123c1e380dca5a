using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace ModelRegistry.Benchmarks.Infrastructure;

/// <summary>
/// The load benchmarks' own figures, read from the files their processes wrote (<see cref="LoadRecorder"/>): p50 and
/// p99 latency (median over the iterations of each launch, the worse launch shown), the thread pool's size before the
/// first batch and at most, and the connections the server accepted in a launch. Other classes show "-".
/// </summary>
internal sealed class LoadColumn : IColumn
{
    private readonly Func<IReadOnlyList<string[]>, string> _value;

    private LoadColumn(string name, string legend, Func<IReadOnlyList<string[]>, string> value)
    {
        ColumnName = name;
        Legend = legend;
        _value = value;
    }

    public static readonly LoadColumn P50 = new("p50 latency", "Median latency of a call from its batch's start (streams: time to the first update; calls: time to the answer)",
        launches => FormatMicroseconds(launches.Max(l => Parse(l[0]))));

    public static readonly LoadColumn P99 = new("p99 latency", "99th percentile latency of a call from its batch's start (streams: time to the first update; calls: time to the answer)",
        launches => FormatMicroseconds(launches.Max(l => Parse(l[1]))));

    public static readonly LoadColumn Threads = new("Pool threads", "Thread-pool threads before the first batch → at most during the run",
        launches => $"{launches.Max(l => int.Parse(l[2], CultureInfo.InvariantCulture))} → {launches.Max(l => int.Parse(l[3], CultureInfo.InvariantCulture))}");

    public static readonly LoadColumn Connections = new("Connections", "TCP connections the server accepted in one launch (all its batches)",
        launches => launches.Max(l => int.Parse(l[4], CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture));

    /// <summary>The folder the benchmark processes write to, set by <c>Program</c> before the run.</summary>
    public static string? Folder { get; set; }

    public string Id => nameof(LoadColumn) + "." + ColumnName;

    public string ColumnName { get; }

    public bool AlwaysShow => true; // a figure equal in every row (e.g. 256 connections) is still the figure

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 1;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend { get; }

    /// <summary>The name a benchmark's figures are filed under.</summary>
    public static string NameOf(Type type, string method) => type.Name + "." + method;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (PerUnitColumn.UnitsOf(benchmarkCase.Descriptor.Type, "CallsPerOp") is null)
        {
            return "-";
        }

        var launches = Read(NameOf(benchmarkCase.Descriptor.Type, benchmarkCase.Descriptor.WorkloadMethod.Name));
        return launches.Count == 0 ? "NA" : _value(launches);
    }

    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(b => PerUnitColumn.UnitsOf(b.Descriptor.Type, "CallsPerOp") is not null);

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    private static List<string[]> Read(string benchmark) =>
        Folder is not null && File.Exists(LoadRecorder.PathOf(Folder, benchmark))
            ? [.. File.ReadAllLines(LoadRecorder.PathOf(Folder, benchmark)).Where(l => l.Length > 0).Select(l => l.Split('\t')).Where(f => f.Length == 5)]
            : [];

    private static double Parse(string value) => double.Parse(value, CultureInfo.InvariantCulture);

    private static string FormatMicroseconds(double microseconds) => microseconds < 1_000
        ? microseconds.ToString("N0", CultureInfo.InvariantCulture) + " μs"
        : (microseconds / 1_000).ToString("N2", CultureInfo.InvariantCulture) + " ms";
}
