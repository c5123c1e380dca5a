using System.ComponentModel;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using ModelRegistry.Benchmarks.Fixtures;
using ModelRegistry.Benchmarks.Infrastructure;

namespace ModelRegistry.Benchmarks.Anthropic;

/// <summary>
/// One non-streaming Messages API call over real HTTP to the loopback server (a 400-token answer): our Anthropic
/// provider, the official Anthropic SDK through its Microsoft.Extensions.AI adapter, and the floor, a raw HttpClient
/// with source-generated System.Text.Json DTOs. The decision in ModelRegistry.Anthropic's README (the wire on the kit,
/// not the SDK) rests on these numbers.
/// </summary>
[Description("Non-streaming Anthropic Messages call (400-token answer) over HTTP to 127.0.0.1: ModelRegistry.Anthropic and the Anthropic SDK (via its IChatClient), against a raw HttpClient + source-generated System.Text.Json floor.")]
[MemoryDiagnoser]
[ExceptionDiagnoser]
public class AnthropicChatBenchmarks
{
    private AnthropicContenders _contenders = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _contenders = new AnthropicContenders(CannedResponse.Json(AnthropicWire.MessageResponse(), AnthropicWire.Headers));
        var expected = Transcript.Text(Transcript.AnswerTokens);
        Check.Equal(expected, await Floor(), "floor answer text");
        Check.Equal(expected, (await Ours()).Text, "our client's answer text");
        Check.Equal(expected, (await AnthropicSdk()).Text, "Anthropic SDK answer text");
        Check.Equal(3, _contenders.Server.RequestCount, "requests served");
    }

    [GlobalCleanup]
    public ValueTask Cleanup() => _contenders.DisposeAsync();

    /// <returns>The answer's text.</returns>
    [Benchmark(Baseline = true, Description = "floor: HttpClient + STJ source-gen")]
    public async Task<string?> Floor()
    {
        using var request = _contenders.FloorRequest(Prompts.Paragraph, Prompts.ParagraphOptions, stream: false);
        using var response = await _contenders.FloorHttp.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync();
        var message = await JsonSerializer.DeserializeAsync(stream, AnthropicFloorJson.Default.AnthropicFloorResponse);
        return message?.Content[0].Text;
    }

    [Benchmark(Description = "ModelRegistry.Anthropic")]
    public Task<ChatResponse> Ours() => _contenders.Ours.GetResponseAsync(Prompts.Paragraph, Prompts.ParagraphOptions);

    [Benchmark(Description = "Anthropic SDK (IChatClient)")]
    public Task<ChatResponse> AnthropicSdk() => _contenders.Sdk.GetResponseAsync(Prompts.Paragraph, Prompts.ParagraphOptions);
}
