using System.ComponentModel;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using ModelRegistry.Benchmarks.Fixtures;
using ModelRegistry.Benchmarks.Infrastructure;

namespace ModelRegistry.Benchmarks.Bedrock;

/// <summary>
/// One streaming Bedrock call over real HTTP to the loopback server, 1,200 text deltas read to the end: our client
/// over ConverseStream and the Anthropic.Bedrock SDK over InvokeModelWithResponseStream (each with SigV4 and with an
/// API key), against the floor: HttpClient, a minimal event-stream decoder and source-generated DTOs.
/// </summary>
[Description("Streaming Bedrock call over HTTP to 127.0.0.1, 1,200 text deltas (one HTTP chunk per event-stream message): our client (ConverseStream) and the Anthropic.Bedrock SDK (InvokeModelWithResponseStream), against a floor of HttpClient + minimal event-stream decoder + STJ source-gen. Time/update and Alloc/update divide by the 1,200 deltas.")]
[MemoryDiagnoser]
[ExceptionDiagnoser]
public class BedrockStreamBenchmarks
{
    private BedrockContenders _contenders = null!;

    /// <summary>Text deltas each call streams; read by the per-update columns.</summary>
    public static int UpdatesPerCall => Transcript.StreamTokens;

    [GlobalSetup]
    public async Task Setup()
    {
        _contenders = new BedrockContenders();
        var expected = Transcript.Text(Transcript.StreamTokens);
        Check.Equal(expected.Length, await Floor(), "floor: characters of streamed text");
        foreach (var (name, client) in new[]
        {
            ("our client (SigV4)", _contenders.OursSigV4), ("our client (API key)", _contenders.OursApiKey),
            ("Anthropic.Bedrock SDK (SigV4)", _contenders.SdkSigV4), ("Anthropic.Bedrock SDK (API key)", _contenders.SdkApiKey),
        })
        {
            var (updates, text) = await Http.DrainAsync(client.GetStreamingResponseAsync(Prompts.Story, Prompts.StoryOptions));
            Check.Equal(expected, text, name + ": streamed text");
            Check.That(updates >= Transcript.StreamTokens, $"{name} yields an update per delta (got {updates})");
        }
    }

    [GlobalCleanup]
    public ValueTask Cleanup() => _contenders.DisposeAsync();

    /// <returns>The characters of text streamed.</returns>
    [Benchmark(Baseline = true, Description = "floor: HttpClient + event-stream + STJ (API key)")]
    public async Task<int> Floor()
    {
        using var request = _contenders.FloorRequest(_contenders.ConverseStreamUri, Prompts.Story, Prompts.StoryOptions);
        using var response = await _contenders.FloorHttp.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync();
        var characters = 0;
        await foreach (var frame in FloorEventStream.ReadAsync(stream))
        {
            var payload = JsonSerializer.Deserialize(frame.Payload.Span, BedrockFloorJson.Default.ConverseStreamEventDto);
            if (payload?.Delta?.Text is { } text)
            {
                characters += text.Length;
            }
        }

        return characters;
    }

    [Benchmark(Description = "ModelRegistry.Bedrock (SigV4)")]
    public Task<int> OursSigV4() => Count(_contenders.OursSigV4);

    [Benchmark(Description = "Anthropic.Bedrock SDK (SigV4)")]
    public Task<int> SdkSigV4() => Count(_contenders.SdkSigV4);

    [Benchmark(Description = "ModelRegistry.Bedrock (API key)")]
    public Task<int> OursApiKey() => Count(_contenders.OursApiKey);

    [Benchmark(Description = "Anthropic.Bedrock SDK (API key)")]
    public Task<int> SdkApiKey() => Count(_contenders.SdkApiKey);

    private static Task<int> Count(IChatClient client) => Http.CountAsync(client.GetStreamingResponseAsync(Prompts.Story, Prompts.StoryOptions));
}
