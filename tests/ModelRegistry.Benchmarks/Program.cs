using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using ModelRegistry.Benchmarks.Infrastructure;

// build/bench.sh drives this. Our own options, the rest goes to BenchmarkDotNet (e.g. --filter '*Mistral*'):
//   --quick            every benchmark once, in this process (BenchmarkDotNet's Dry job): proves they work, no numbers
//   --results <file>   also write one Markdown table of all results, with the machine and date, to <file>
// Exits non-zero when any benchmark failed (its set-up check, a run, or a validation error) or none matched.
var quick = args.Contains("--quick");
var resultsIndex = Array.IndexOf(args, "--results");
var resultsPath = resultsIndex >= 0 && resultsIndex + 1 < args.Length ? args[resultsIndex + 1] : null;
var rest = args.Where((arg, i) => arg != "--quick" && i != resultsIndex && (resultsIndex < 0 || i != resultsIndex + 1)).ToList();
// The command that reproduces this run, as the results file shows it (without the output paths bench.sh adds).
var artifactsIndex = rest.IndexOf("--artifacts");
var shownArgs = rest.Where((_, i) => artifactsIndex < 0 || (i != artifactsIndex && i != artifactsIndex + 1)).Select(a => a.Contains('*') ? $"'{a}'" : a);
var command = string.Join(' ', ["./build/bench.sh", .. shownArgs]);
if (!rest.Contains("--filter"))
{
    rest.AddRange(["--filter", "*"]);
}

// Full mode: two launches (processes) of 5 warm-up and 15 measured iterations each (default iteration time): on 2
// cores the whole suite takes about 17 minutes, and ratios within a class are measured back to back.
var job = quick
    ? Job.Dry.WithToolchain(InProcessEmitToolchain.Instance).WithId("Quick")
    : Job.Default.WithLaunchCount(2).WithWarmupCount(5).WithIterationCount(15).WithId("Suite");
// The load benchmarks' processes write their latencies, thread counts and connections to files read back here.
var loadFolder = Path.Combine(artifactsIndex >= 0 && artifactsIndex + 1 < rest.Count ? rest[artifactsIndex + 1] : Path.GetTempPath(), $"load-{Environment.ProcessId}");
Environment.SetEnvironmentVariable(LoadRecorder.FolderVariable, loadFolder);
LoadColumn.Folder = loadFolder;
var config = ManualConfig.Create(DefaultConfig.Instance)
    .AddJob(job.AsDefault())
    .AddColumn(PerUnitColumn.TimePerUpdate, PerUnitColumn.AllocatedPerUpdate, PerUnitColumn.Throughput)
    .AddColumn(PerUnitColumn.CallsPerSecond, PerUnitColumn.AllocatedPerCall, LoadColumn.P50, LoadColumn.P99, LoadColumn.Threads, LoadColumn.Connections)
    .WithOptions(ConfigOptions.DisableLogFile);

var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run([.. rest], config).ToList();

var failures = new List<string>();
if (summaries.Sum(s => s.BenchmarksCases.Length) == 0)
{
    failures.Add("no benchmark matched the filter");
}

foreach (var summary in summaries)
{
    failures.AddRange(summary.ValidationErrors.Where(e => e.IsCritical).Select(e => e.Message));
    failures.AddRange(summary.BenchmarksCases
        .Where(c => summary[c] is not { Success: true, ResultStatistics: not null })
        .Select(c => $"{c.Descriptor.Type.Name}.{c.Descriptor.WorkloadMethod.Name} failed (see its output above)"));
}

if (resultsPath is not null && !quick)
{
    ResultsMarkdown.Write(resultsPath, summaries, Describe(job), command);
    Console.WriteLine($"Results written to {resultsPath}");
}

foreach (var failure in failures)
{
    Console.Error.WriteLine("FAILED: " + failure);
}

var total = summaries.Sum(s => s.BenchmarksCases.Length);
Console.WriteLine($"benchmarks: {total - failures.Count(f => f.EndsWith("failed (see its output above)", StringComparison.Ordinal))} of {total} ran{(failures.Count == 0 ? "" : $", {failures.Count} problem(s)")}");
return failures.Count == 0 ? 0 : 1;

static string Describe(Job job) =>
    $"{job.Id}: {job.Run.LaunchCount} launches of {job.Run.WarmupCount} warm-up and {job.Run.IterationCount} measured iterations per benchmark, out of process, Release";
