using System.ComponentModel;
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
public class LoadCallBenchmarks() : LoadBenchmarks(typeof(LoadCallBenchmarks), CallsPerOp)
{
    private int _answerLength;

    /// <summary>Calls per operation; read by the Calls/s, Alloc/call and load columns.</summary>
    public static int CallsPerOp => 10_000;

    [GlobalSetup]
    public async Task Setup()
    {
        Contenders = new LoadContenders(CannedResponse.Json(MistralWire.ChatCompletion()));
        var expected = Transcript.Text(Transcript.AnswerTokens);
        Check.Equal(expected, (await Contenders.Registry.GetResponseAsync(Prompts.Paragraph, Prompts.ParagraphOptions)).Text, "the registry's answer");
        _answerLength = expected.Length;
        Check.Equal(CallsPerOp * _answerLength, await Floor(), "characters answered in a floor batch");
        Check.Equal(CallsPerOp * _answerLength, await Registry(), "characters answered in a registry batch");
        Check.Equal(CallsPerOp + 1, Contenders.Sink.Lines, "EMF lines, one per registry call");
        StartRecording();
    }

    /// <returns>The characters of all answers.</returns>
    [Benchmark(Baseline = true, Description = "floor: HttpClient + STJ source-gen")]
    public override Task<int> Floor() => Batch(FloorCallAsync);

    /// <returns>The characters of all answers.</returns>
    [Benchmark(Description = "registry: Mistral + EMF + limits + breaker")]
    public override Task<int> Registry() => Batch(RegistryCallAsync);

    private async Task<int> RegistryCallAsync(int index)
    {
        var response = await Contenders.Registry.GetResponseAsync(Prompts.Paragraph, Prompts.ParagraphOptions);
        Record(index);
        return response.Text.Length;
    }

    private async Task<int> FloorCallAsync(int index)
    {
        var text = await MistralChatBenchmarks.FloorCallAsync(Contenders.Floor);
        Record(index);
        return text?.Length ?? 0;
    }
}
