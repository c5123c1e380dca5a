using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelRegistry.Benchmarks.Fixtures;
using ModelRegistry.Benchmarks.Infrastructure;
using ModelRegistry.Mistral;
using OpenAI;

namespace ModelRegistry.Benchmarks.Mistral;

/// <summary>
/// The loopback Mistral endpoint answering <c>/v1/chat/completions</c> with one canned response, and the clients the
/// Mistral benchmarks compare, all pointed at it: our client, the OpenAI SDK through Microsoft.Extensions.AI.OpenAI,
/// and the floor's HttpClient. Each has its own HttpClient.
/// </summary>
internal sealed class MistralContenders : IAsyncDisposable
{
    private const string ApiKey = "sk-fake";
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");
    private readonly HttpClient _oursHttp = Http.NewClient();
    private readonly HttpClient _sdkHttp = Http.NewClient();
    private readonly Uri _chatUri;

    public MistralContenders(CannedResponse answer)
    {
        Server = new LoopbackHttpServer(path => path == "/v1/chat/completions" ? answer : CannedResponse.Status(404, "Not Found"));
        _chatUri = new Uri(Server.BaseAddress, "v1/chat/completions");
        FloorHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        Ours = new MistralClient(new MistralClientOptions { Endpoint = Server.BaseAddress, ApiKey = ApiKey, HttpClient = _oursHttp }).AsIChatClient(MistralWire.Model);
        OpenAi = new global::OpenAI.Chat.ChatClient(MistralWire.Model, new ApiKeyCredential(ApiKey), new OpenAIClientOptions
        {
            Endpoint = new Uri(Server.BaseAddress, "v1"),
            Transport = new HttpClientPipelineTransport(_sdkHttp),
        }).AsIChatClient();
    }

    public LoopbackHttpServer Server { get; }

    public HttpClient FloorHttp { get; } = Http.NewClient();

    public IChatClient Ours { get; }

    public IChatClient OpenAi { get; }

    /// <summary>The floor's request: chat completion DTOs serialized by source-generated System.Text.Json.</summary>
    public HttpRequestMessage FloorRequest(IReadOnlyList<ChatMessage> messages, ChatOptions options, bool stream)
    {
        var body = new FloorChatRequest(
            MistralWire.Model,
            [.. messages.Select(m => new FloorMessage(m.Role.Value, m.Text))],
            stream,
            options.Temperature,
            options.MaxOutputTokens);
        var request = new HttpRequestMessage(HttpMethod.Post, _chatUri)
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, MistralFloorJson.Default.FloorChatRequest)),
        };
        request.Content.Headers.ContentType = JsonType;
        return request;
    }

    public async ValueTask DisposeAsync()
    {
        FloorHttp.Dispose();
        _oursHttp.Dispose();
        _sdkHttp.Dispose();
        await Server.DisposeAsync();
    }
}
