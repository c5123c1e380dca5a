using System.ComponentModel;
using System.Net.ServerSentEvents;
using BenchmarkDotNet.Attributes;
using ModelRegistry.Benchmarks.Fixtures;
using ModelRegistry.Benchmarks.Infrastructure;
using ModelRegistry.Providers;

namespace ModelRegistry.Benchmarks.Decoders;

/// <summary>
/// The SSE decoder alone, in memory: the provider kit's <see cref="ServerSentEventReader"/> (Mistral's) against the BCL's <see cref="SseParser"/> over
/// the same 1,203-event transcript, each handing every event's data to a consumer that only measures it.
/// </summary>
[Description("SSE decoding alone, from memory: the provider kit's ServerSentEventReader (used by Mistral) against the BCL's System.Net.ServerSentEvents.SseParser (baseline), over the 1,203-event Mistral transcript; each only measures every event's data.")]
[MemoryDiagnoser]
public class SseDecoderBenchmarks
{
    /// <summary>The decoder's per-event limit: the default of the registry's resilience options.</summary>
    private static readonly long MaxEventBytes = new ProviderResilienceOptions().MaxEventBytes;

    private static readonly byte[] Body = MistralWire.StreamBody();

    /// <summary>Bytes decoded per operation; read by the MB/s column.</summary>
    public static long PayloadBytes => Body.Length;

    [GlobalSetup]
    public async Task Setup()
    {
        Check.Equal(await BclSseParser(), await MistralSseReader(), "data bytes decoded by both readers");
        Check.That(await MistralSseReader() > Body.Length / 2, "the readers see the events' data");
    }

    /// <returns>The data bytes of all events.</returns>
    [Benchmark(Baseline = true, Description = "BCL SseParser")]
    public async Task<long> BclSseParser()
    {
        long total = 0;
        await foreach (var item in SseParser.Create(new MemoryStream(Body, writable: false), static (_, data) => data.Length).EnumerateAsync())
        {
            total += item.Data;
        }

        return total;
    }

    [Benchmark(Description = "ModelRegistry ServerSentEventReader")]
    public async Task<long> MistralSseReader()
    {
        long total = 0;
        using var reader = new ServerSentEventReader(new ProviderStream(new MemoryStream(Body, writable: false), MaxEventBytes));
        while (await reader.ReadAsync(CancellationToken.None))
        {
            total += reader.Data.Length;
        }

        return total;
    }
}
