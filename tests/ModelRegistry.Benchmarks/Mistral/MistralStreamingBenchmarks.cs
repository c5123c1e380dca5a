using System.ClientModel;
using System.ClientModel.Primitives;
using System.ComponentModel;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using ModelRegistry.Benchmarks.Fixtures;
using ModelRegistry.Benchmarks.Infrastructure;
using ModelRegistry.Mistral;
using OpenAI;

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
    private static readonly ChatMessage[] Messages =
    [
        new(ChatRole.System, "You are a talkative assistant."),
        new(ChatRole.User, "Tell me a long story about the river."),
    ];

    private static readonly ChatOptions Options = new() { MaxOutputTokens = 2048, Temperature = 0.7f };
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");

    private LoopbackHttpServer _server = null!;
    private HttpClient _floorHttp = null!;
    private HttpClient _oursHttp = null!;
    private HttpClient _sdkHttp = null!;
    private Uri _chatUri = null!;
    private IChatClient _ours = null!;
    private IChatClient _openAi = null!;

    /// <summary>Chunks each call streams (the <c>[DONE]</c> marker aside); read by the per-update columns.</summary>
    public static int UpdatesPerCall => MistralWire.StreamChunkCount;

    [GlobalSetup]
    public async Task Setup()
    {
        var stream = CannedResponse.Chunked("text/event-stream; charset=utf-8", MistralWire.StreamEvents());
        _server = new LoopbackHttpServer(path => path == "/v1/chat/completions" ? stream : CannedResponse.Status(404, "Not Found"));
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

        var expected = MistralWire.StreamText;
        Check.Equal(expected.Length, await Floor(), "floor: characters of streamed text");
        var ours = await Http.DrainAsync(_ours.GetStreamingResponseAsync(Messages, Options));
        Check.Equal(expected, ours.Text, "our client's streamed text");
        Check.That(ours.Updates >= Transcript.StreamTokens, $"our client yields an update per chunk (got {ours.Updates})");
        var sdk = await Http.DrainAsync(_openAi.GetStreamingResponseAsync(Messages, Options));
        Check.Equal(expected, sdk.Text, "OpenAI SDK streamed text");
        Check.That(sdk.Updates >= Transcript.StreamTokens, $"the OpenAI SDK yields an update per chunk (got {sdk.Updates})");
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _floorHttp.Dispose();
        _oursHttp.Dispose();
        _sdkHttp.Dispose();
        await _server.DisposeAsync();
    }

    /// <returns>The characters of text streamed.</returns>
    [Benchmark(Baseline = true, Description = "floor: HttpClient + SseParser + STJ source-gen")]
    public async Task<int> Floor()
    {
        var body = new FloorChatRequest(
            MistralWire.Model,
            [new FloorMessage("system", Messages[0].Text), new FloorMessage("user", Messages[1].Text)],
            Stream: true,
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
    public Task<int> Ours() => Count(_ours.GetStreamingResponseAsync(Messages, Options));

    [Benchmark(Description = "OpenAI SDK + M.E.AI.OpenAI")]
    public Task<int> OpenAiSdk() => Count(_openAi.GetStreamingResponseAsync(Messages, Options));

    private static async Task<int> Count(IAsyncEnumerable<ChatResponseUpdate> updates)
    {
        var count = 0;
        await foreach (var _ in updates)
        {
            count++;
        }

        return count;
    }
}
