using System.ClientModel;
using System.ClientModel.Primitives;
using System.ComponentModel;
using System.Net.Http.Headers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using ModelRegistry.Benchmarks.Fixtures;
using ModelRegistry.Benchmarks.Infrastructure;
using ModelRegistry.Mistral;
using OpenAI;

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
    private static readonly ChatMessage[] Messages =
    [
        new(ChatRole.System, "You are a concise assistant."),
        new(ChatRole.User, "Describe the river in one paragraph."),
    ];

    private static readonly ChatOptions Options = new() { MaxOutputTokens = 512, Temperature = 0.2f };
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");

    private LoopbackHttpServer _server = null!;
    private HttpClient _floorHttp = null!;
    private HttpClient _oursHttp = null!;
    private HttpClient _sdkHttp = null!;
    private Uri _chatUri = null!;
    private IChatClient _ours = null!;
    private IChatClient _openAi = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        var answer = CannedResponse.Json(MistralWire.ChatCompletion());
        _server = new LoopbackHttpServer(path => path == "/v1/chat/completions" ? answer : CannedResponse.Status(404, "Not Found"));
        _chatUri = new Uri(_server.BaseAddress, "v1/chat/completions");
        _floorHttp = Http.NewClient();
        _floorHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk-fake");
        _oursHttp = Http.NewClient();
        _sdkHttp = Http.NewClient();
        _ours = MistralAI.CreateChatClient(_oursHttp, MistralWire.Model, new MistralClientOptions { Endpoint = _server.BaseAddress, ApiKey = "sk-fake" });
        _openAi = new OpenAI.Chat.ChatClient(MistralWire.Model, new ApiKeyCredential("sk-fake"), new OpenAIClientOptions
        {
            Endpoint = new Uri(_server.BaseAddress, "v1"),
            Transport = new HttpClientPipelineTransport(_sdkHttp),
        }).AsIChatClient();

        var expected = Transcript.Text(Transcript.AnswerTokens);
        Check.Equal(expected, await Floor(), "floor answer text");
        Check.Equal(expected, (await Ours()).Text, "our client's answer text");
        Check.Equal(expected, (await OpenAiSdk()).Text, "OpenAI SDK answer text");
        Check.Equal(3, _server.RequestCount, "requests served");
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _floorHttp.Dispose();
        _oursHttp.Dispose();
        _sdkHttp.Dispose();
        await _server.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "floor: HttpClient + STJ source-gen")]
    public async Task<string?> Floor()
    {
        var body = new FloorChatRequest(
            MistralWire.Model,
            [new FloorMessage("system", Messages[0].Text), new FloorMessage("user", Messages[1].Text)],
            Stream: false,
            Temperature: Options.Temperature,
            MaxTokens: Options.MaxOutputTokens);
        using var request = new HttpRequestMessage(HttpMethod.Post, _chatUri)
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, MistralFloorJson.Default.FloorChatRequest)),
        };
        request.Content.Headers.ContentType = JsonType;
        using var response = await _floorHttp.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync();
        var completion = await JsonSerializer.DeserializeAsync(stream, MistralFloorJson.Default.FloorChatCompletion);
        return completion?.Choices[0].Message.Content;
    }

    [Benchmark(Description = "ModelRegistry.Mistral")]
    public Task<ChatResponse> Ours() => _ours.GetResponseAsync(Messages, Options);

    [Benchmark(Description = "OpenAI SDK + M.E.AI.OpenAI")]
    public Task<ChatResponse> OpenAiSdk() => _openAi.GetResponseAsync(Messages, Options);
}
