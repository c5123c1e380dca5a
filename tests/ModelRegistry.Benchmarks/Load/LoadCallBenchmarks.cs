using System.ComponentModel;
using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using ModelRegistry.Benchmarks.Fixtures;
using ModelRegistry.Benchmarks.Infrastructure;
using ModelRegistry.Benchmarks.Mistral;

namespace ModelRegistry.Benchmarks.Load;

/// <summary>
/// Many calls at once: one operation starts 10,000 non-streaming Mistral calls (the 400-token answer) together and
/// awaits them all, through the registry (EMF, limits, breaker) and through the floor, each against its own loopback
/// server; with each call's time to its answer from the batch's start (p50, p99), the thread pool's growth and the connections opened.
/// </summary>
/// <remarks>Run: <c>./build/bench.sh --filter '*Load*'</c></remarks>
[Description("10,000 concurrent non-streaming Mistral calls (400-token answer) per operation over HTTP to 127.0.0.1: a registry client (EMF metrics, limits, circuit breaker) against the floor (HttpClient + STJ source-gen), both capped at 256 connections. Calls/s and Alloc/call divide by the 10,000 calls; latency is a call's time to its answer, counted from the batch's start (every call arrives at once).")]
[MemoryDiagnoser]
public class LoadCallBenchmarks
{
    private readonly Task<int>[] _calls = new Task<int>[CallsPerOp];
    private LoadContenders _contenders = null!;
    private LoadRecorder _recorder = null!;
    private long _batchStarted;
    private int _answerLength;

    /// <summary>Calls per operation; read by the Calls/s, Alloc/call and load columns.</summary>
    public static int CallsPerOp => 10_000;

    [GlobalSetup]
    public async Task Setup()
    {
        _contenders = new LoadContenders(CannedResponse.Json(MistralWire.ChatCompletion()));
        var expected = Transcript.Text(Transcript.AnswerTokens);
        Check.Equal(expected, (await _contenders.Registry.GetResponseAsync(Prompts.Paragraph, Prompts.ParagraphOptions)).Text, "the registry's answer");
        _answerLength = expected.Length;
        _recorder = new LoadRecorder(CallsPerOp);
        Check.Equal(CallsPerOp * _answerLength, await Floor(), "characters answered in a floor batch");
        Check.Equal(CallsPerOp * _answerLength, await Registry(), "characters answered in a registry batch");
        Check.Equal(CallsPerOp + 1, _contenders.Sink.Lines, "EMF lines, one per registry call");
        _recorder = new LoadRecorder(CallsPerOp);
        _recorder.Start();
    }

    [IterationCleanup]
    public void EndBatch() => _recorder.EndBatch();

    [GlobalCleanup(Target = nameof(Floor))]
    public ValueTask CleanupFloor() => Cleanup(nameof(Floor), _contenders.FloorConnections);

    [GlobalCleanup(Target = nameof(Registry))]
    public ValueTask CleanupRegistry() => Cleanup(nameof(Registry), _contenders.RegistryConnections);

    /// <returns>The characters of all answers.</returns>
    [Benchmark(Baseline = true, Description = "floor: HttpClient + STJ source-gen")]
    public Task<int> Floor() => Batch(FloorCallAsync);

    /// <returns>The characters of all answers.</returns>
    [Benchmark(Description = "registry: Mistral + EMF + limits + breaker")]
    public Task<int> Registry() => Batch(RegistryCallAsync);

    private async Task<int> Batch(Func<int, Task<int>> call)
    {
        _batchStarted = Stopwatch.GetTimestamp();
        for (var i = 0; i < _calls.Length; i++)
        {
            _calls[i] = call(i);
        }

        var characters = 0;
        foreach (var answer in _calls)
        {
            characters += await answer;
        }

        return characters;
    }

    private async Task<int> RegistryCallAsync(int index)
    {
        var response = await _contenders.Registry.GetResponseAsync(Prompts.Paragraph, Prompts.ParagraphOptions);
        _recorder.Record(index, _batchStarted);
        return response.Text.Length;
    }

    private async Task<int> FloorCallAsync(int index)
    {
        var text = await MistralChatBenchmarks.FloorCallAsync(_contenders.Floor);
        _recorder.Record(index, _batchStarted);
        return text?.Length ?? 0;
    }

    private ValueTask Cleanup(string method, int connections)
    {
        _recorder.Save(LoadColumn.NameOf(typeof(LoadCallBenchmarks), method), connections);
        return _contenders.DisposeAsync();
    }
}
