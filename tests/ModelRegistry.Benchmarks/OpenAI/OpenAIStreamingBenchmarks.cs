using System.ComponentModel;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using ModelRegistry.Benchmarks.Fixtures;
using ModelRegistry.Benchmarks.Infrastructure;
using ModelRegistry.Benchmarks.Mistral;

namespace ModelRegistry.Benchmarks.OpenAI;

/// <summary>
/// One streaming Chat Completions call over real HTTP to the loopback server: the 1,202-chunk SSE transcript of the
/// Mistral classes read to the end by our OpenAI provider, the OpenAI SDK through Microsoft.Extensions.AI.OpenAI, and
/// the floor (raw HttpClient, the BCL's SseParser, source-generated DTOs).
/// </summary>
[Description("Streaming Chat Completions call over HTTP to 127.0.0.1: a 1,202-chunk SSE transcript read to the end. Per-call figures; Time/update and Alloc/update divide them by the 1,202 chunks.")]
[MemoryDiagnoser]
[ExceptionDiagnoser]
public class OpenAIStreamingBenchmarks
{
    private readonly HttpClient _oursHttp = Http.NewClient();
    private MistralContenders _contenders = null!;
    private IChatClient _ours = null!;

    /// <summary>Chunks each call streams (the <c>[DONE]</c> marker aside); read by the per-update columns.</summary>
    public static int UpdatesPerCall => MistralWire.StreamChunkCount;

    [GlobalSetup]
    public async Task Setup()
    {
        _contenders = new MistralContenders(CannedResponse.Chunked("text/event-stream; charset=utf-8", MistralWire.StreamEvents()));
        _ours = OpenAIContender.Create(_contenders, _oursHttp);
        foreach (var (name, client) in new[] { ("our client", _ours), ("the OpenAI SDK", _contenders.OpenAi) })
        {
            var (updates, text) = await Http.DrainAsync(client.GetStreamingResponseAsync(Prompts.Story, Prompts.StoryOptions));
            Check.Equal(MistralWire.StreamText, text, name + ": streamed text");
            Check.That(updates >= Transcript.StreamTokens, $"{name} yields an update per chunk (got {updates})");
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _oursHttp.Dispose();
        await _contenders.DisposeAsync();
    }

    /// <returns>The characters of text streamed.</returns>
    [Benchmark(Baseline = true, Description = "floor: HttpClient + SseParser + STJ source-gen")]
    public Task<int> Floor() => MistralStreamingBenchmarks.FloorStreamAsync(_contenders);

    /// <returns>The updates streamed.</returns>
    [Benchmark(Description = "ModelRegistry.OpenAI")]
    public Task<int> Ours() => Http.CountAsync(_ours.GetStreamingResponseAsync(Prompts.Story, Prompts.StoryOptions));

    [Benchmark(Description = "OpenAI SDK + M.E.AI.OpenAI")]
    public Task<int> OpenAiSdk() => Http.CountAsync(_contenders.OpenAi.GetStreamingResponseAsync(Prompts.Story, Prompts.StoryOptions));
}
