using System.ComponentModel;
using System.Net.ServerSentEvents;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ModelRegistry.Benchmarks.Fixtures;
using ModelRegistry.Benchmarks.Infrastructure;

namespace ModelRegistry.Benchmarks.Anthropic;

/// <summary>
/// One streaming Messages API call over real HTTP to the loopback server: 1,200 text deltas among 1,207 SSE events
/// (one HTTP chunk per event) read to the end by our Anthropic provider, the official Anthropic SDK through its
/// Microsoft.Extensions.AI adapter, and the floor (raw HttpClient, the BCL's <see cref="SseParser"/>,
/// source-generated DTOs).
/// </summary>
[Description("Streaming Anthropic Messages call over HTTP to 127.0.0.1: 1,200 text deltas (1,207 SSE events, one HTTP chunk each) read to the end. Per-call figures; Time/update and Alloc/update divide them by the 1,200 deltas.")]
[MemoryDiagnoser]
[ExceptionDiagnoser]
public class AnthropicStreamingBenchmarks
{
    private AnthropicContenders _contenders = null!;

    /// <summary>Text deltas each call streams; read by the per-update columns.</summary>
    public static int UpdatesPerCall => Transcript.StreamTokens;

    [GlobalSetup]
    public async Task Setup()
    {
        _contenders = new AnthropicContenders(CannedResponse.Chunked("text/event-stream; charset=utf-8", AnthropicWire.StreamEvents(), AnthropicWire.Headers));
        var expected = AnthropicWire.StreamText;
        Check.Equal(expected.Length, await Floor(), "floor: characters of streamed text");
        foreach (var (name, client) in new[] { ("our client", _contenders.Ours), ("the Anthropic SDK", _contenders.Sdk) })
        {
            var (updates, text) = await Http.DrainAsync(client.GetStreamingResponseAsync(Prompts.Story, Prompts.StoryOptions));
            Check.Equal(expected, text, name + ": streamed text");
            Check.That(updates >= Transcript.StreamTokens, $"{name} yields an update per delta (got {updates})");
        }
    }

    [GlobalCleanup]
    public ValueTask Cleanup() => _contenders.DisposeAsync();

    /// <returns>The characters of text streamed.</returns>
    [Benchmark(Baseline = true, Description = "floor: HttpClient + SseParser + STJ source-gen")]
    public async Task<int> Floor()
    {
        using var request = _contenders.FloorRequest(Prompts.Story, Prompts.StoryOptions, stream: true);
        using var response = await _contenders.FloorHttp.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync();
        var characters = 0;
        var parser = SseParser.Create(stream, static (type, data) =>
            type == "content_block_delta" ? JsonSerializer.Deserialize(data, AnthropicFloorJson.Default.AnthropicFloorEvent) : null);
        await foreach (var item in parser.EnumerateAsync())
        {
            if (item.Data?.Delta?.Text is { } text)
            {
                characters += text.Length;
            }
        }

        return characters;
    }

    /// <returns>The updates streamed.</returns>
    [Benchmark(Description = "ModelRegistry.Anthropic")]
    public Task<int> Ours() => Http.CountAsync(_contenders.Ours.GetStreamingResponseAsync(Prompts.Story, Prompts.StoryOptions));

    [Benchmark(Description = "Anthropic SDK (IChatClient)")]
    public Task<int> AnthropicSdk() => Http.CountAsync(_contenders.Sdk.GetStreamingResponseAsync(Prompts.Story, Prompts.StoryOptions));
}
