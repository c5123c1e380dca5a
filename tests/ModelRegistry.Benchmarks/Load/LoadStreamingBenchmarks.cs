using System.ComponentModel;
using System.Net.ServerSentEvents;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ModelRegistry.Benchmarks.Fixtures;
using ModelRegistry.Benchmarks.Infrastructure;

namespace ModelRegistry.Benchmarks.Load;

/// <summary>
/// Many streams at once, as a gateway serves them: one operation starts 1,000 streaming Mistral calls together and
/// reads them all to the end, through the registry (EMF, limits, breaker) and through the floor, each against its
/// own loopback server. Besides time and allocation per stream it records each stream's time to its first update
/// from the batch's start (p50, p99: a burst of 1,000 arrivals, so the latency includes waiting for a connection), the thread pool's growth and the connections opened (the kit caps them at 256 per server; the floor's
/// HttpClient has the same cap).
/// </summary>
/// <remarks>Run: <c>./build/bench.sh --filter '*Load*'</c></remarks>
[Description("1,000 concurrent streaming Mistral calls (22 chunks each) per operation over HTTP to 127.0.0.1: a registry client (EMF metrics, limits, circuit breaker) against the floor (HttpClient + SseParser + STJ source-gen), both capped at 256 connections. Calls/s and Alloc/call divide by the 1,000 streams; latency is a stream's time to its first update, counted from the batch's start (every stream arrives at once).")]
[MemoryDiagnoser]
public class LoadStreamingBenchmarks() : LoadBenchmarks(typeof(LoadStreamingBenchmarks), CallsPerOp)
{
    /// <summary>Content chunks per stream: a short answer, so the batch measures concurrency more than decoding.</summary>
    private const int Tokens = 20;

    /// <summary>Streams per operation; read by the Calls/s, Alloc/call and load columns.</summary>
    public static int CallsPerOp => 1_000;

    /// <summary>Updates each stream yields: the role chunk, the content chunks and the final chunk.</summary>
    private static int UpdatesPerStream => Tokens + 2;

    [GlobalSetup]
    public async Task Setup()
    {
        Contenders = new LoadContenders(CannedResponse.Chunked("text/event-stream; charset=utf-8", MistralWire.StreamEvents(Tokens)));
        var (updates, text) = await Http.DrainAsync(Contenders.Registry.GetStreamingResponseAsync(Prompts.Story, Prompts.StoryOptions));
        Check.Equal(Transcript.Text(Tokens), text, "the registry's streamed text");
        Check.Equal(UpdatesPerStream, updates, "updates of one registry stream");
        Check.Equal(CallsPerOp * UpdatesPerStream, await Floor(), "updates of a floor batch");
        Check.Equal(CallsPerOp * UpdatesPerStream, await Registry(), "updates of a registry batch");
        Check.Equal(CallsPerOp + 1, Contenders.Sink.Lines, "EMF lines, one per registry stream");
        StartRecording();
    }

    /// <returns>The updates of all streams.</returns>
    [Benchmark(Baseline = true, Description = "floor: HttpClient + SseParser + STJ source-gen")]
    public override Task<int> Floor() => Batch(FloorStreamAsync);

    /// <returns>The updates of all streams.</returns>
    [Benchmark(Description = "registry: Mistral + EMF + limits + breaker")]
    public override Task<int> Registry() => Batch(RegistryStreamAsync);

    private async Task<int> RegistryStreamAsync(int index)
    {
        var updates = 0;
        await foreach (var _ in Contenders.Registry.GetStreamingResponseAsync(Prompts.Story, Prompts.StoryOptions))
        {
            if (updates++ == 0)
            {
                Record(index);
            }
        }

        return updates;
    }

    private async Task<int> FloorStreamAsync(int index)
    {
        using var request = Contenders.Floor.FloorRequest(Prompts.Story, Prompts.StoryOptions, stream: true);
        using var response = await Contenders.Floor.FloorHttp.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        var updates = 0;
        var parser = SseParser.Create(body, static (_, data) =>
            data.SequenceEqual("[DONE]"u8) ? null : JsonSerializer.Deserialize(data, MistralFloorJson.Default.FloorChatChunk));
        await foreach (var item in parser.EnumerateAsync())
        {
            if (item.Data is not null && updates++ == 0)
            {
                Record(index);
            }
        }

        return updates;
    }
}
