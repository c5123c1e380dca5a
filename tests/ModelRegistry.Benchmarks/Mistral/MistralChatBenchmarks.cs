using System.ComponentModel;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using ModelRegistry.Benchmarks.Fixtures;
using ModelRegistry.Benchmarks.Infrastructure;

namespace ModelRegistry.Benchmarks.Mistral;

/// <summary>
/// One non-streaming Mistral chat call over real HTTP to the loopback server (a 400-token answer): our client, the
/// official OpenAI SDK through Microsoft.Extensions.AI.OpenAI pointed at the same server (Mistral's chat API is
/// OpenAI-shaped), and the floor, a raw HttpClient with source-generated System.Text.Json DTOs.
/// </summary>
[Description("Non-streaming Mistral chat call (400-token answer) over HTTP to 127.0.0.1: our client and the OpenAI SDK (via Microsoft.Extensions.AI.OpenAI), against a raw HttpClient + source-generated System.Text.Json floor.")]
[MemoryDiagnoser]
[ExceptionDiagnoser]
public class MistralChatBenchmarks
{
    private MistralContenders _contenders = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _contenders = new MistralContenders(CannedResponse.Json(MistralWire.ChatCompletion()));
        var expected = Transcript.Text(Transcript.AnswerTokens);
        Check.Equal(expected, await Floor(), "floor answer text");
        Check.Equal(expected, (await Ours()).Text, "our client's answer text");
        Check.Equal(expected, (await OpenAiSdk()).Text, "OpenAI SDK answer text");
        Check.Equal(3, _contenders.Server.RequestCount, "requests served");
    }

    [GlobalCleanup]
    public ValueTask Cleanup() => _contenders.DisposeAsync();

    /// <returns>The answer's text.</returns>
    [Benchmark(Baseline = true, Description = "floor: HttpClient + STJ source-gen")]
    public Task<string?> Floor() => FloorCallAsync(_contenders);

    /// <summary>The floor's call, shared with the OpenAI classes (the same Chat Completions wire).</summary>
    internal static async Task<string?> FloorCallAsync(MistralContenders contenders)
    {
        using var request = contenders.FloorRequest(Prompts.Paragraph, Prompts.ParagraphOptions, stream: false);
        using var response = await contenders.FloorHttp.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync();
        var completion = await JsonSerializer.DeserializeAsync(stream, MistralFloorJson.Default.FloorChatCompletion);
        return completion?.Choices[0].Message.Content;
    }

    [Benchmark(Description = "ModelRegistry.Mistral")]
    public Task<ChatResponse> Ours() => _contenders.Ours.GetResponseAsync(Prompts.Paragraph, Prompts.ParagraphOptions);

    [Benchmark(Description = "OpenAI SDK + M.E.AI.OpenAI")]
    public Task<ChatResponse> OpenAiSdk() => _contenders.OpenAi.GetResponseAsync(Prompts.Paragraph, Prompts.ParagraphOptions);
}
