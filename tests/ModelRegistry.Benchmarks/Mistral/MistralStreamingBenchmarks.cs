using System.ComponentModel;
using System.Net.ServerSentEvents;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ModelRegistry.Benchmarks.Fixtures;
using ModelRegistry.Benchmarks.Infrastructure;

namespace ModelRegistry.Benchmarks.Mistral;

/// <summary>
/// One streaming Mistral chat call over real HTTP to the loopback server: a 1,202-chunk SSE transcript (one HTTP
/// chunk per event) read to the end by our client, the OpenAI SDK through Microsoft.Extensions.AI.OpenAI, and the
/// floor (raw HttpClient, the BCL's <see cref="SseParser"/>, source-generated DTOs).
/// </summary>
[Description("Streaming Mistral chat call over HTTP to 127.0.0.1: a 1,202-chunk SSE transcript read to the end. Per-call figures; Time/update and Alloc/update divide them by the 1,202 chunks.")]
[MemoryDiagnoser]
[ExceptionDiagnoser]
public class MistralStreamingBenchmarks
{
    private MistralContenders _contenders = null!;

    /// <summary>Chunks each call streams (the <c>[DONE]</c> marker aside); read by the per-update columns.</summary>
    public static int UpdatesPerCall => MistralWire.StreamChunkCount;

    [GlobalSetup]
    public async Task Setup()
    {
        _contenders = new MistralContenders(CannedResponse.Chunked("text/event-stream; charset=utf-8", MistralWire.StreamEvents()));
        var expected = MistralWire.StreamText;
        Check.Equal(expected.Length, await Floor(), "floor: characters of streamed text");
        foreach (var (name, client) in new[] { ("our client", _contenders.Ours), ("the OpenAI SDK", _contenders.OpenAi) })
        {
            var (updates, text) = await Http.DrainAsync(client.GetStreamingResponseAsync(Prompts.Story, Prompts.StoryOptions));
            Check.Equal(expected, text, name + ": streamed text");
            Check.That(updates >= Transcript.StreamTokens, $"{name} yields an update per chunk (got {updates})");
        }
    }

    [GlobalCleanup]
    public ValueTask Cleanup() => _contenders.DisposeAsync();

    /// <returns>The characters of text streamed.</returns>
    [Benchmark(Baseline = true, Description = "floor: HttpClient + SseParser + STJ source-gen")]
    public Task<int> Floor() => FloorStreamAsync(_contenders);

    /// <summary>The floor's stream, shared with the OpenAI classes (the same Chat Completions wire).</summary>
    internal static async Task<int> FloorStreamAsync(MistralContenders contenders)
    {
        using var request = contenders.FloorRequest(Prompts.Story, Prompts.StoryOptions, stream: true);
        using var response = await contenders.FloorHttp.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync();
        var characters = 0;
        var parser = SseParser.Create(stream, static (_, data) =>
            data.SequenceEqual("[DONE]"u8) ? null : JsonSerializer.Deserialize(data, MistralFloorJson.Default.FloorChatChunk));
        await foreach (var item in parser.EnumerateAsync())
        {
            if (item.Data is { Choices: [{ Delta.Content: { } content }, ..] })
            {
                characters += content.Length;
            }
        }

        return characters;
    }

    /// <returns>The updates streamed.</returns>
    [Benchmark(Description = "ModelRegistry.Mistral")]
    public Task<int> Ours() => Http.CountAsync(_contenders.Ours.GetStreamingResponseAsync(Prompts.Story, Prompts.StoryOptions));

    [Benchmark(Description = "OpenAI SDK + M.E.AI.OpenAI")]
    public Task<int> OpenAiSdk() => Http.CountAsync(_contenders.OpenAi.GetStreamingResponseAsync(Prompts.Story, Prompts.StoryOptions));
}
