using System.ComponentModel;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using ModelRegistry.Benchmarks.Fixtures;
using ModelRegistry.Benchmarks.Infrastructure;

namespace ModelRegistry.Benchmarks.Bedrock;

/// <summary>
/// One non-streaming Bedrock call over real HTTP to the loopback server (a 400-token answer): our client over
/// Converse and the Anthropic.Bedrock SDK (its Microsoft.Extensions.AI adapter) over InvokeModel, each with SigV4
/// and with a Bedrock API key, against the floor: a raw HttpClient with a bearer key and source-generated DTOs.
/// </summary>
[Description("Non-streaming Bedrock call (400-token answer) over HTTP to 127.0.0.1: our client (Converse) and the Anthropic.Bedrock SDK (InvokeModel, via its IChatClient), each signing with SigV4 or sending a Bedrock API key, against a raw HttpClient + STJ source-gen floor with an API key.")]
[MemoryDiagnoser]
[ExceptionDiagnoser]
public class BedrockConverseBenchmarks
{
    private BedrockContenders _contenders = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _contenders = new BedrockContenders();
        var expected = Transcript.Text(Transcript.AnswerTokens);
        Check.Equal(expected, await Floor(), "floor answer text");
        Check.Equal(expected, (await OursSigV4()).Text, "our client's answer text (SigV4)");
        Check.Equal(expected, (await OursApiKey()).Text, "our client's answer text (API key)");
        Check.Equal(expected, (await SdkSigV4()).Text, "Anthropic.Bedrock SDK answer text (SigV4)");
        Check.Equal(expected, (await SdkApiKey()).Text, "Anthropic.Bedrock SDK answer text (API key)");
    }

    [GlobalCleanup]
    public ValueTask Cleanup() => _contenders.DisposeAsync();

    [Benchmark(Baseline = true, Description = "floor: HttpClient + STJ source-gen (API key)")]
    public async Task<string?> Floor()
    {
        using var request = _contenders.FloorRequest(_contenders.ConverseUri, Prompts.Paragraph, Prompts.ParagraphOptions);
        using var response = await _contenders.FloorHttp.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync();
        var answer = await JsonSerializer.DeserializeAsync(stream, BedrockFloorJson.Default.ConverseResponseDto);
        return answer?.Output.Message.Content[0].Text;
    }

    [Benchmark(Description = "ModelRegistry.Bedrock (SigV4)")]
    public Task<ChatResponse> OursSigV4() => _contenders.OursSigV4.GetResponseAsync(Prompts.Paragraph, Prompts.ParagraphOptions);

    [Benchmark(Description = "Anthropic.Bedrock SDK (SigV4)")]
    public Task<ChatResponse> SdkSigV4() => _contenders.SdkSigV4.GetResponseAsync(Prompts.Paragraph, Prompts.ParagraphOptions);

    [Benchmark(Description = "ModelRegistry.Bedrock (API key)")]
    public Task<ChatResponse> OursApiKey() => _contenders.OursApiKey.GetResponseAsync(Prompts.Paragraph, Prompts.ParagraphOptions);

    [Benchmark(Description = "Anthropic.Bedrock SDK (API key)")]
    public Task<ChatResponse> SdkApiKey() => _contenders.SdkApiKey.GetResponseAsync(Prompts.Paragraph, Prompts.ParagraphOptions);
}
