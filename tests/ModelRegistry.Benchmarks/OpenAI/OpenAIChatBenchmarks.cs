using System.ComponentModel;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using ModelRegistry.Benchmarks.Fixtures;
using ModelRegistry.Benchmarks.Infrastructure;
using ModelRegistry.Benchmarks.Mistral;
using ModelRegistry.OpenAI;

namespace ModelRegistry.Benchmarks.OpenAI;

/// <summary>
/// One non-streaming Chat Completions call over real HTTP to the loopback server (the 400-token answer of the Mistral
/// classes, which is OpenAI-shaped Chat Completions JSON): our OpenAI provider, the official OpenAI SDK through
/// Microsoft.Extensions.AI.OpenAI, and the floor, a raw HttpClient with source-generated System.Text.Json DTOs. The
/// decision in ModelRegistry.OpenAI's README (the wire on the kit, not the SDK) rests on these numbers.
/// </summary>
[Description("Non-streaming Chat Completions call (400-token answer) over HTTP to 127.0.0.1: ModelRegistry.OpenAI and the OpenAI SDK (via Microsoft.Extensions.AI.OpenAI), against a raw HttpClient + source-generated System.Text.Json floor.")]
[MemoryDiagnoser]
[ExceptionDiagnoser]
public class OpenAIChatBenchmarks
{
    private readonly HttpClient _oursHttp = Http.NewClient();
    private MistralContenders _contenders = null!;
    private IChatClient _ours = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _contenders = new MistralContenders(CannedResponse.Json(MistralWire.ChatCompletion()));
        _ours = OpenAIContender.Create(_contenders, _oursHttp);
        var expected = Transcript.Text(Transcript.AnswerTokens);
        Check.Equal(expected, (await Ours()).Text, "our client's answer text");
        Check.Equal(expected, (await OpenAiSdk()).Text, "OpenAI SDK answer text");
        Check.Equal(2, _contenders.Server.RequestCount, "requests served");
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _oursHttp.Dispose();
        await _contenders.DisposeAsync();
    }

    /// <returns>The answer's text.</returns>
    [Benchmark(Baseline = true, Description = "floor: HttpClient + STJ source-gen")]
    public Task<string?> Floor() => MistralChatBenchmarks.FloorCallAsync(_contenders);

    [Benchmark(Description = "ModelRegistry.OpenAI")]
    public Task<ChatResponse> Ours() => _ours.GetResponseAsync(Prompts.Paragraph, Prompts.ParagraphOptions);

    [Benchmark(Description = "OpenAI SDK + M.E.AI.OpenAI")]
    public Task<ChatResponse> OpenAiSdk() => _contenders.OpenAi.GetResponseAsync(Prompts.Paragraph, Prompts.ParagraphOptions);
}
