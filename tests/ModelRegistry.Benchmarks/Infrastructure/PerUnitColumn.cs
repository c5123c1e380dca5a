using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace ModelRegistry.Benchmarks.Infrastructure;

/// <summary>
/// Columns derived from the mean time and allocation of each benchmark and a size its class declares as a public
/// static property: <c>UpdatesPerCall</c> gives time and bytes per streamed update, <c>PayloadBytes</c> gives MB/s
/// (10^6 bytes per second), <c>CallsPerOp</c> (the load benchmarks' batch size) gives calls per second and bytes per call. Classes without the property show "-".
/// </summary>
internal sealed class PerUnitColumn : IColumn
{
    private readonly Func<Summary, BenchmarkCase, double, string?> _value;
    private readonly string _property;

    private PerUnitColumn(string name, string property, string legend, Func<Summary, BenchmarkCase, double, string?> value)
    {
        ColumnName = name;
        _property = property;
        Legend = legend;
        _value = value;
    }

    public static readonly PerUnitColumn TimePerUpdate = new("Time/update", "UpdatesPerCall", "Mean time divided by the updates a call streams",
        (summary, benchmark, updates) => summary[benchmark]?.ResultStatistics is { } stats ? FormatTime(stats.Mean / updates) : null);

    public static readonly PerUnitColumn AllocatedPerUpdate = new("Alloc/update", "UpdatesPerCall", "Allocated bytes divided by the updates a call streams",
        (summary, benchmark, updates) => summary[benchmark]?.GcStats.GetBytesAllocatedPerOperation(benchmark) is { } bytes
            ? (bytes / updates).ToString("N0", CultureInfo.InvariantCulture) + " B"
            : null);

    public static readonly PerUnitColumn Throughput = new("MB/s", "PayloadBytes", "Payload bytes decoded per second (10^6 bytes), from the mean time",
        (summary, benchmark, bytes) => summary[benchmark]?.ResultStatistics is { } stats
            ? (bytes / (stats.Mean / 1e9) / 1e6).ToString("N1", CultureInfo.InvariantCulture)
            : null);

    public static readonly PerUnitColumn CallsPerSecond = new("Calls/s", "CallsPerOp", "Calls (or streams) completed per second by a batch, from the mean time",
        (summary, benchmark, calls) => summary[benchmark]?.ResultStatistics is { } stats
            ? (calls / (stats.Mean / 1e9)).ToString("N0", CultureInfo.InvariantCulture)
            : null);

    public static readonly PerUnitColumn AllocatedPerCall = new("Alloc/call", "CallsPerOp", "Allocated bytes (every thread, the loopback server's share included) divided by the calls of a batch",
        (summary, benchmark, calls) => summary[benchmark]?.GcStats.GetBytesAllocatedPerOperation(benchmark) is { } bytes
            ? (bytes / calls).ToString("N0", CultureInfo.InvariantCulture) + " B"
            : null);

    public string Id => nameof(PerUnitColumn) + "." + ColumnName;

    public string ColumnName { get; }

    public bool AlwaysShow => false;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend { get; }

    /// <summary>The unit count a benchmark class declares, or null.</summary>
    public static double? UnitsOf(Type type, string property) =>
        type.GetProperty(property, BindingFlags.Public | BindingFlags.Static)?.GetValue(null) switch
        {
            int i => i,
            long l => l,
            double d => d,
            _ => null,
        };

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        UnitsOf(benchmarkCase.Descriptor.Type, _property) is { } units ? _value(summary, benchmarkCase, units) ?? "NA" : "-";

    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(b => UnitsOf(b.Descriptor.Type, _property) is not null);

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    private static string FormatTime(double nanoseconds) => nanoseconds switch
    {
        < 1_000 => nanoseconds.ToString("N1", CultureInfo.InvariantCulture) + " ns",
        < 1_000_000 => (nanoseconds / 1_000).ToString("N2", CultureInfo.InvariantCulture) + " μs",
        _ => (nanoseconds / 1_000_000).ToString("N2", CultureInfo.InvariantCulture) + " ms",
    };
}
