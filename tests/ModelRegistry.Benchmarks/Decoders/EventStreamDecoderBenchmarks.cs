using System.ComponentModel;
using BenchmarkDotNet.Attributes;
using ModelRegistry.Bedrock.Internal;
using ModelRegistry.Benchmarks.Fixtures;
using ModelRegistry.Benchmarks.Infrastructure;
using ModelRegistry.Providers;

namespace ModelRegistry.Benchmarks.Decoders;

/// <summary>
/// The AWS event-stream decoder alone, in memory: Bedrock's <see cref="EventStreamReader"/> (in place over a pooled
/// buffer, both CRC checks, every header walked) against the floor decoder, over the same 1,204-message ConverseStream body.
/// </summary>
[Description("AWS event-stream decoding alone, from memory: the Bedrock package's EventStreamReader (in place over a pooled buffer, both CRCs with System.IO.Hashing, every header checked, :message-type and :event-type read, payload slice; bounds and errors of the provider kit) against a minimal in-place decoder (both CRCs with System.IO.Hashing, :event-type header, payload slice), over the 1,204-message ConverseStream body.")]
[MemoryDiagnoser]
public class EventStreamDecoderBenchmarks
{
    /// <summary>The decoder's per-event limit: the default of the registry's resilience options.</summary>
    private static readonly long MaxEventBytes = new ProviderResilienceOptions().MaxEventBytes;

    private static readonly byte[] Body = BedrockWire.ConverseStreamBody();

    /// <summary>Bytes decoded per operation; read by the MB/s column.</summary>
    public static long PayloadBytes => Body.Length;

    [GlobalSetup]
    public async Task Setup()
    {
        Check.Equal(await Floor(), await BedrockEventStreamReader(), "payload bytes decoded by both readers");
        var frames = 0;
        await foreach (var _ in EventStreamReader.ReadAsync(new ProviderStream(new MemoryStream(Body), MaxEventBytes), CancellationToken.None))
        {
            frames++;
        }

        Check.Equal(Transcript.StreamTokens + 4, frames, "messages decoded");
    }

    /// <returns>The payload bytes of all messages.</returns>
    [Benchmark(Baseline = true, Description = "floor: in-place decoder")]
    public async Task<long> Floor()
    {
        long total = 0;
        await foreach (var frame in FloorEventStream.ReadAsync(new MemoryStream(Body, writable: false)))
        {
            total += frame.Payload.Length;
        }

        return total;
    }

    [Benchmark(Description = "ModelRegistry.Bedrock EventStreamReader")]
    public async Task<long> BedrockEventStreamReader()
    {
        long total = 0;
        await foreach (var frame in EventStreamReader.ReadAsync(new ProviderStream(new MemoryStream(Body, writable: false), MaxEventBytes), CancellationToken.None))
        {
            total += frame.Payload.Length;
        }

        return total;
    }
}
