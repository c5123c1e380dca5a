using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.Anthropic.Internal;

/// <summary>
/// <see cref="IChatClient"/> over the Messages API (<c>POST {endpoint}/v1/messages</c>), and an <see cref="IChatTokenCounter"/>
/// over <c>POST {endpoint}/v1/messages/count_tokens</c>, which takes the same input. Every call goes through the kit's
/// transport; decoding runs inside its error boundary.
/// </summary>
internal sealed class AnthropicChatClient : IChatClient, IChatTokenCounter
{
    private const string MessagesPath = "v1/messages";
    private const string CountTokensPath = "v1/messages/count_tokens";

    private readonly AnthropicApi _api;
    private readonly string _modelId;
    private readonly ChatClientMetadata _metadata;

    public AnthropicChatClient(AnthropicApi api, string modelId)
    {
        _api = api;
        _modelId = RequireModelId(modelId, nameof(modelId));
        _metadata = new ChatClientMetadata(AnthropicProtocol.TelemetryProviderName, api.Endpoint, modelId);
    }

    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var body = MessagesRequestWriter.Write(messages, options, this, ModelOf(options), _api, MessagesCall.Message, out var outputTool);
        var request = await _api.RequestAsync(HttpMethod.Post, MessagesPath, body, streaming: false, cancellationToken).ConfigureAwait(false);
        return await _api.Transport.SendAsync(request, response =>
        {
            using var document = JsonDocument.Parse(response.Body);
            return MessagesResponseReader.ReadMessage(document.RootElement.Clone(), outputTool);
        }, cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var body = MessagesRequestWriter.Write(messages, options, this, ModelOf(options), _api, MessagesCall.Stream, out var outputTool);
        var request = await _api.RequestAsync(HttpMethod.Post, MessagesPath, body, streaming: true, cancellationToken).ConfigureAwait(false);
        await foreach (var update in _api.Transport.StreamAsync(
            request, (stream, token) => MessageStreamReader.ReadAsync(stream, _api.Transport, outputTool, token), cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    public async Task<long> CountTokensAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var body = MessagesRequestWriter.Write(messages, options, this, ModelOf(options), _api, MessagesCall.CountTokens, out _);
        var request = await _api.RequestAsync(HttpMethod.Post, CountTokensPath, body, streaming: false, cancellationToken).ConfigureAwait(false);
        return await _api.Transport.SendAsync(request, response =>
        {
            using var document = JsonDocument.Parse(response.Body);
            var root = document.RootElement;
            ProviderJson.RequireObject(root, "The token count");
            return ProviderJson.ReadLong(root, "input_tokens") is { } tokens and >= 0
                ? tokens
                : throw new InvalidDataException("The token count has no input_tokens (a whole number, zero or more).");
        }, cancellationToken).ConfigureAwait(false);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => ProviderServices.GetService(this, _metadata, serviceType, serviceKey);

    public void Dispose()
    {
        // The HttpClient belongs to IHttpClientFactory, the kit or the caller.
    }

    public override string ToString() => $"Anthropic chat client ({_modelId})";

    /// <summary>Refuses a model id that could not name a model (the rule of <see cref="ProviderRequest.PathSegment"/>, as every provider applies it).</summary>
    internal static string RequireModelId(string id, string what)
    {
        _ = ProviderRequest.PathSegment(id, what);
        return id;
    }

    private string ModelOf(ChatOptions? options) =>
        string.IsNullOrEmpty(options?.ModelId) ? _modelId : RequireModelId(options.ModelId, "ChatOptions.ModelId");
}
