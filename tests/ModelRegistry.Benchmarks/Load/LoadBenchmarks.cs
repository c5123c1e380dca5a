using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using ModelRegistry.Benchmarks.Infrastructure;

namespace ModelRegistry.Benchmarks.Load;

/// <summary>
/// What the two load classes share: a batch that starts every call of an operation at once and awaits them all, each
/// call's latency counted from the batch's start, and the figures filed per side (floor, registry) when the side's
/// process ends. A derived class sets up <see cref="Contenders"/>, checks both sides answer, then calls
/// <see cref="StartRecording"/>; its calls report with <see cref="Record"/>.
/// </summary>
/// <param name="benchmarks">The derived class, whose name files the figures (BenchmarkDotNet runs a generated subclass of it).</param>
/// <param name="callsPerOperation">Calls one batch starts (the derived class's <c>CallsPerOp</c>).</param>
public abstract class LoadBenchmarks(Type benchmarks, int callsPerOperation)
{
    private readonly Task<int>[] _calls = new Task<int>[callsPerOperation];
    private LoadRecorder _recorder = new(callsPerOperation);
    private long _batchStarted;

    /// <summary>The two sides and their loopback servers.</summary>
    internal LoadContenders Contenders { get; set; } = null!;

    /// <summary>The floor's batch.</summary>
    /// <returns>What the batch's calls counted (characters or updates), checked by the setup.</returns>
    public abstract Task<int> Floor();

    /// <summary>The registry's batch.</summary>
    /// <returns>What the batch's calls counted (characters or updates), checked by the setup.</returns>
    public abstract Task<int> Registry();

    [IterationCleanup]
    public void EndBatch() => _recorder.EndBatch();

    [GlobalCleanup(Target = nameof(Floor))]
    public ValueTask CleanupFloor() => Cleanup(nameof(Floor), Contenders.FloorConnections);

    [GlobalCleanup(Target = nameof(Registry))]
    public ValueTask CleanupRegistry() => Cleanup(nameof(Registry), Contenders.RegistryConnections);

    /// <summary>Forgets the setup's checking batches and notes the thread pool's size before the measured ones.</summary>
    protected void StartRecording()
    {
        _recorder = new LoadRecorder(_calls.Length);
        _recorder.Start();
    }

    /// <summary>Records call <paramref name="index"/>'s latency from its batch's start.</summary>
    protected void Record(int index) => _recorder.Record(index, _batchStarted);

    /// <summary>Starts every call of the batch, then awaits them all.</summary>
    /// <param name="call">Starts call number <c>i</c>; returns what it counted.</param>
    protected async Task<int> Batch(Func<int, Task<int>> call)
    {
        _batchStarted = Stopwatch.GetTimestamp();
        for (var i = 0; i < _calls.Length; i++)
        {
            _calls[i] = call(i);
        }

        var total = 0;
        foreach (var started in _calls)
        {
            total += await started;
        }

        return total;
    }

    private ValueTask Cleanup(string method, int connections)
    {
        _recorder.Save(LoadColumn.NameOf(benchmarks, method), connections);
        return Contenders.DisposeAsync();
    }
}
