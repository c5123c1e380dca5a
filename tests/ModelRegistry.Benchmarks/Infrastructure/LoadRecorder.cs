using System.Diagnostics;
using System.Globalization;

namespace ModelRegistry.Benchmarks.Infrastructure;

/// <summary>
/// What the load benchmarks measure besides BenchmarkDotNet's mean and allocation, inside the benchmark process: each
/// call's latency (a stream's time to its first update, a call's time to its answer), the thread pool's size and the
/// connections the server accepted. Each iteration's p50 and p99 are kept; at the end of the process one line goes to a
/// file that <see cref="LoadColumn"/> reads in the host process (the benchmark runs in a child process, so a file is
/// the only way back).
/// </summary>
internal sealed class LoadRecorder(int calls)
{
    /// <summary>The environment variable naming the folder of the files; <c>Program</c> sets it for the child processes.</summary>
    public const string FolderVariable = "MODELREGISTRY_BENCH_LOAD_STATS";

    private readonly long[] _latencies = new long[calls];
    private readonly List<double> _p50 = [];
    private readonly List<double> _p99 = [];
    private int _threadsAtStart = -1;
    private int _maxThreads;

    /// <summary>Notes the thread pool's size before the first batch.</summary>
    public void Start()
    {
        if (_threadsAtStart < 0)
        {
            _threadsAtStart = ThreadPool.ThreadCount;
        }
    }

    /// <summary>Records call <paramref name="call"/>'s latency, from the batch's <see cref="Stopwatch.GetTimestamp"/> start.</summary>
    public void Record(int call, long started) => _latencies[call] = Stopwatch.GetTimestamp() - started;

    /// <summary>After a batch: its percentiles and the pool's size; every call of the batch must have recorded.</summary>
    public void EndBatch()
    {
        Check.That(Array.TrueForAll(_latencies, l => l > 0), "every call of the batch recorded its latency");
        Array.Sort(_latencies);
        _p50.Add(Microseconds(_latencies[(_latencies.Length - 1) / 2]));
        _p99.Add(Microseconds(_latencies[(int)Math.Ceiling(_latencies.Length * 0.99) - 1]));
        Array.Clear(_latencies);
        _maxThreads = Math.Max(_maxThreads, ThreadPool.ThreadCount);
    }

    /// <summary>Appends this process's figures for one benchmark to its file (one line per launch).</summary>
    public void Save(string benchmark, int connections)
    {
        if (Environment.GetEnvironmentVariable(FolderVariable) is not { Length: > 0 } folder || _p50.Count == 0)
        {
            return;
        }

        Directory.CreateDirectory(folder);
        var line = string.Join('\t',
            Median(_p50).ToString("R", CultureInfo.InvariantCulture),
            Median(_p99).ToString("R", CultureInfo.InvariantCulture),
            _threadsAtStart.ToString(CultureInfo.InvariantCulture),
            _maxThreads.ToString(CultureInfo.InvariantCulture),
            connections.ToString(CultureInfo.InvariantCulture));
        File.AppendAllLines(PathOf(folder, benchmark), [line]);
    }

    /// <summary>The file of one benchmark (class and method).</summary>
    public static string PathOf(string folder, string benchmark) => Path.Combine(folder, benchmark + ".tsv");

    private static double Microseconds(long ticks) => ticks * 1e6 / Stopwatch.Frequency;

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[(sorted.Count - 1) / 2];
    }
}
