using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelRegistry.Anthropic;
using ModelRegistry.Benchmarks.Fixtures;
using ModelRegistry.Benchmarks.Infrastructure;
using OursClient = ModelRegistry.Anthropic.AnthropicClient;
using SdkClient = Anthropic.AnthropicClient;

namespace ModelRegistry.Benchmarks.Anthropic;

/// <summary>
/// The loopback Anthropic endpoint answering <c>/v1/messages</c> with one canned response, and the clients the
/// Anthropic benchmarks compare, all pointed at it with the key <c>sk-ant-test</c> sent as <c>x-api-key</c>: our
/// provider, the official Anthropic SDK (the version Anthropic.Bedrock 1.0.6 brings) through its own
/// Microsoft.Extensions.AI adapter, and the floor's HttpClient. Each has its own HttpClient.
/// </summary>
internal sealed class AnthropicContenders : IAsyncDisposable
{
    private const string ApiKey = "sk-ant-test";
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");
    private readonly HttpClient _oursHttp = Http.NewClient();
    private readonly HttpClient _sdkHttp = Http.NewClient();
    private readonly Uri _messagesUri;

    public AnthropicContenders(CannedResponse answer)
    {
        Server = new LoopbackHttpServer(path => path == "/v1/messages" ? answer : CannedResponse.Status(404, "Not Found"));
        _messagesUri = new Uri(Server.BaseAddress, "v1/messages");
        FloorHttp.DefaultRequestHeaders.Add("x-api-key", ApiKey);
        FloorHttp.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        Ours = new OursClient(new AnthropicClientOptions { Endpoint = Server.BaseAddress, ApiKey = ApiKey, HttpClient = _oursHttp })
            .AsIChatClient(AnthropicWire.Model);
        Sdk = new SdkClient
        {
            ApiKey = ApiKey,
            BaseUrl = Server.BaseAddress.ToString().TrimEnd('/'),
            HttpClient = _sdkHttp,
            MaxRetries = 0,
        }.AsIChatClient(AnthropicWire.Model, defaultMaxOutputTokens: 1024);
    }

    public LoopbackHttpServer Server { get; }

    public HttpClient FloorHttp { get; } = Http.NewClient();

    public IChatClient Ours { get; }

    public IChatClient Sdk { get; }

    /// <summary>The floor's request: Messages DTOs serialized by source-generated System.Text.Json.</summary>
    public HttpRequestMessage FloorRequest(IReadOnlyList<ChatMessage> messages, ChatOptions options, bool stream)
    {
        var body = new AnthropicFloorRequest(
            AnthropicWire.Model,
            options.MaxOutputTokens ?? 1024,
            messages[0].Text,
            [.. messages.Skip(1).Select(m => new AnthropicFloorMessage(m.Role.Value, m.Text))],
            options.Temperature,
            stream ? true : null);
        var request = new HttpRequestMessage(HttpMethod.Post, _messagesUri)
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, AnthropicFloorJson.Default.AnthropicFloorRequest)),
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
