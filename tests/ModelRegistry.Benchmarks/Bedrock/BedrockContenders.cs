using System.Net.Http.Headers;
using System.Text.Json;
using Anthropic;
using Anthropic.Bedrock;
using Microsoft.Extensions.AI;
using ModelRegistry.Bedrock;
using ModelRegistry.Bedrock.Internal;
using ModelRegistry.Benchmarks.Fixtures;
using ModelRegistry.Benchmarks.Infrastructure;

namespace ModelRegistry.Benchmarks.Bedrock;

/// <summary>
/// The loopback Bedrock endpoint and the clients the Bedrock benchmarks compare, all pointed at it: our client and
/// the Anthropic.Bedrock SDK each with SigV4 (fake static credentials) and with a Bedrock API key (bearer), and the
/// floor's HttpClient. Each is served its own wire format: Converse for ours and the floor, InvokeModel with an
/// Anthropic Messages body for the SDK.
/// </summary>
internal sealed class BedrockContenders : IAsyncDisposable
{
    public const string AccessKey = "AKIDEXAMPLE";
    public const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    public const string ApiKey = "bedrock-api-key-fake";

    private static readonly MediaTypeHeaderValue JsonType = new("application/json");
    private readonly List<HttpClient> _clients = [];

    public BedrockContenders()
    {
        var converse = CannedResponse.Json(BedrockWire.ConverseResponse(), BedrockWire.Headers);
        var converseStream = CannedResponse.Chunked("application/vnd.amazon.eventstream", BedrockWire.ConverseStreamMessages(), BedrockWire.Headers);
        var invoke = CannedResponse.Json(BedrockWire.AnthropicMessageResponse(), BedrockWire.Headers);
        var invokeStream = CannedResponse.Chunked("application/vnd.amazon.eventstream", BedrockWire.AnthropicStreamMessages(), BedrockWire.InvokeStreamHeaders);
        Server = new LoopbackHttpServer(path =>
            path.EndsWith("/converse", StringComparison.Ordinal) ? converse
            : path.EndsWith("/converse-stream", StringComparison.Ordinal) ? converseStream
            : path.EndsWith("/invoke", StringComparison.Ordinal) ? invoke
            : path.EndsWith("/invoke-with-response-stream", StringComparison.Ordinal) ? invokeStream
            : CannedResponse.Status(404, "Not Found"));

        var modelPath = "model/" + Uri.EscapeDataString(BedrockWire.ModelId) + "/";
        ConverseUri = new Uri(Server.BaseAddress, modelPath + "converse");
        ConverseStreamUri = new Uri(Server.BaseAddress, modelPath + "converse-stream");
        FloorHttp = NewHttp();
        FloorHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);

        OursSigV4 = new BedrockClient(new BedrockClientOptions
        {
            Region = BedrockWire.Region,
            Endpoint = Server.BaseAddress,
            HttpClient = NewHttp(),
            Credentials = new AwsSigningCredentials(AccessKey, SecretKey, null),
        }).AsIChatClient(BedrockWire.ModelId);
        OursApiKey = new BedrockClient(new BedrockClientOptions
        {
            Region = BedrockWire.Region,
            Endpoint = Server.BaseAddress,
            HttpClient = NewHttp(),
            ApiKey = ApiKey,
        }).AsIChatClient(BedrockWire.ModelId);
        SdkSigV4 = Sdk(new AnthropicBedrockPrivateKeyCredentials { Region = BedrockWire.Region, ApiAccessKey = AccessKey, ApiSecret = SecretKey });
        SdkApiKey = Sdk(new AnthropicBedrockApiTokenCredentials { Region = BedrockWire.Region, BearerToken = ApiKey });
    }

    public LoopbackHttpServer Server { get; }

    public Uri ConverseUri { get; }

    public Uri ConverseStreamUri { get; }

    public HttpClient FloorHttp { get; }

    public IChatClient OursSigV4 { get; }

    public IChatClient OursApiKey { get; }

    public IChatClient SdkSigV4 { get; }

    public IChatClient SdkApiKey { get; }

    /// <summary>The floor's request: Converse DTOs serialized by source-generated System.Text.Json, sent with a bearer key.</summary>
    public HttpRequestMessage FloorRequest(Uri uri, IReadOnlyList<ChatMessage> messages, ChatOptions options)
    {
        var body = new ConverseRequestDto(
            [new ConverseMessageDto("user", [new ConverseBlockDto(Text: messages[1].Text)])],
            System: [new ConverseTextDto(messages[0].Text)],
            InferenceConfig: new ConverseInferenceDto(options.MaxOutputTokens, options.Temperature));
        var request = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, BedrockFloorJson.Default.ConverseRequestDto)),
        };
        request.Content.Headers.ContentType = JsonType;
        return request;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await Server.DisposeAsync();
    }

    private IChatClient Sdk(IAnthropicBedrockCredentials credentials) =>
        new AnthropicBedrockClient(credentials)
        {
            BaseUrl = Server.BaseAddress.ToString().TrimEnd('/'),
            HttpClient = NewHttp(),
            MaxRetries = 0,
        }.AsIChatClient(BedrockWire.ModelId, defaultMaxOutputTokens: 1024);

    private HttpClient NewHttp()
    {
        var client = Http.NewClient();
        _clients.Add(client);
        return client;
    }
}
