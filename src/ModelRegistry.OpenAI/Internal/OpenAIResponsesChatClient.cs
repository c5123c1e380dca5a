using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.OpenAI.Internal;

/// <summary>
/// <see cref="IChatClient"/> over the Responses API, <c>POST {base}/responses</c>. Every call goes through the kit's
/// transport; decoding runs inside its error boundary.
/// </summary>
internal sealed class OpenAIResponsesChatClient : IChatClient
{
    private const string Path = "responses";

    private readonly OpenAIApi _api;
    private readonly string _modelId;
    private readonly ChatClientMetadata _metadata;

    public OpenAIResponsesChatClient(OpenAIApi api, string modelId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        _api = api;
        _modelId = modelId;
        _metadata = new ChatClientMetadata(OpenAIProtocol.TelemetryProviderName, api.Endpoint, modelId);
    }

    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var model = OpenAINames.ModelFor(options?.ModelId, _modelId, "ChatOptions.ModelId");
        var call = ResponsesRequestWriter.Write(messages, options, this, _api, model, stream: false);
        var request = await _api.RequestAsync(HttpMethod.Post, Path, call.Body, streaming: false, cancellationToken).ConfigureAwait(false);
        return await _api.Transport.SendAsync(request, response =>
        {
            using var document = JsonDocument.Parse(response.Body);
            var root = document.RootElement.Clone();
            if (OpenAIErrors.ErrorIn(root, _api.Transport) is { } error)
            {
                throw error;
            }

            return ResponsesReader.ReadResponse(root, call, _api.Transport);
        }, cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var model = OpenAINames.ModelFor(options?.ModelId, _modelId, "ChatOptions.ModelId");
        var call = ResponsesRequestWriter.Write(messages, options, this, _api, model, stream: true);
        var request = await _api.RequestAsync(HttpMethod.Post, Path, call.Body, streaming: true, cancellationToken).ConfigureAwait(false);
        await foreach (var update in _api.Transport.StreamAsync(request, (stream, token) => ReadStreamAsync(stream, call, token), cancellationToken)
            .ConfigureAwait(false))
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => ProviderServices.GetService(this, _metadata, serviceType, serviceKey);

    public void Dispose()
    {
        // The HttpClient belongs to IHttpClientFactory, the kit or the caller.
    }

    public override string ToString() => $"OpenAI Responses chat client ({_modelId})";

    /// <summary>
    /// Decodes the event stream by each event's <c>type</c>. Text and reasoning deltas stream as they come; function
    /// calls, reasoning's encrypted content and hosted tool calls are delivered whole when their item is done
    /// (<c>response.output_item.done</c>); usage and the finish reason come with <c>response.completed</c> or
    /// <c>response.incomplete</c>. <c>response.failed</c> and <c>error</c> events are the provider's error; a stream that
    /// ends before one of those three events throws <see cref="EndOfStreamException"/> (<c>response_truncated</c>).
    /// </summary>
    private async IAsyncEnumerable<ChatResponseUpdate> ReadStreamAsync(
        ProviderStream stream, ResponsesRequest call, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new ServerSentEventReader(stream);
        string? responseId = null, modelId = null, messageId = null, conversationId = null;
        DateTimeOffset? created = null;
        var anyCalls = false;
        var arguments = new Dictionary<string, StringBuilder>(StringComparer.Ordinal);
        var finished = false;
        while (!finished && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (reader.Data.IsEmpty || reader.Data.Span.SequenceEqual("[DONE]"u8))
            {
                continue;
            }

            JsonElement data;
            using (var document = JsonDocument.Parse(reader.Data))
            {
                data = document.RootElement.Clone();
            }

            ProviderJson.RequireObject(data, "A stream event");
            var type = ProviderJson.ReadString(data, "type");
            if (OpenAIErrors.ErrorIn(data, _api.Transport) is { } inBand)
            {
                throw inBand;
            }

            if (type == "error")
            {
                throw OpenAIErrors.Failed(data, _api.Transport);
            }

            ChatResponseUpdate Update(params AIContent[] contents)
            {
                PortableHistory.MarkOrigin(contents, OpenAIProtocol.ProviderName);
                return new ChatResponseUpdate(ChatRole.Assistant, [.. contents])
                {
                    ResponseId = responseId,
                    MessageId = messageId,
                    ConversationId = conversationId,
                    ModelId = modelId,
                    CreatedAt = created,
                    RawRepresentation = data,
                };
            }

            switch (type)
            {
                case "response.created" or "response.in_progress" or "response.queued":
                    if (data.TryGetProperty("response", out var started) && started.ValueKind == JsonValueKind.Object)
                    {
                        responseId ??= ProviderJson.ReadString(started, "id");
                        modelId ??= ProviderJson.ReadString(started, "model");
                        created ??= ResponsesReader.ReadTime(started, "created_at");
                        conversationId ??= ResponsesReader.ConversationId(started, call, responseId);
                    }

                    break;
                case "response.output_item.added" when Item(data) is { } item && ProviderJson.ReadString(item, "type") == "message":
                    messageId = ProviderJson.ReadString(item, "id") ?? messageId;
                    if (ProviderJson.ReadString(item, "phase") is { } phase)
                    {
                        var update = Update();
                        update.AdditionalProperties = new() { [OpenAIProperties.Phase] = phase };
                        yield return update;
                    }

                    break;
                case "response.output_text.delta" when ProviderJson.ReadString(data, "delta") is { Length: > 0 } delta:
                    yield return Update(new TextContent(delta));
                    break;
                case "response.reasoning_summary_text.delta" or "response.reasoning_text.delta"
                    when call.IncludeReasoning && ProviderJson.ReadString(data, "delta") is { Length: > 0 } delta:
                    // The item id on every piece: when ToChatResponse joins them with the encrypted content, the id stays.
                    yield return Update(ResponsesReader.WithItemId(new TextReasoningContent(delta), ProviderJson.ReadString(data, "item_id")));
                    break;
                case "response.function_call_arguments.delta" when ProviderJson.ReadString(data, "item_id") is { } itemId:
                    (arguments.TryGetValue(itemId, out var pending) ? pending : arguments[itemId] = new StringBuilder()).Append(ProviderJson.ReadString(data, "delta"));
                    break;
                case "response.refusal.done" when ProviderJson.ReadString(data, "refusal") is { Length: > 0 } refusal:
                    var refused = Update();
                    refused.MessageId = null; // On the response, as without streaming.
                    refused.AdditionalProperties = new() { [OpenAIProperties.Refusal] = refusal };
                    yield return refused;
                    break;
                case "response.output_item.done" when Item(data) is { } item:
                    var done = Update();
                    switch (ProviderJson.ReadString(item, "type"))
                    {
                        case "message":
                            // Its text came as deltas; only the citations are new.
                            var parts = new List<AIContent>();
                            ResponsesReader.ReadMessage(item, parts);
                            foreach (var cited in parts.Where(p => p.Annotations is { Count: > 0 }))
                            {
                                done.Contents.Add(new AIContent { Annotations = cited.Annotations });
                            }

                            break;
                        case "reasoning":
                            // Summary text came as deltas; what is left is the encrypted content, to send back.
                            if (ProviderJson.ReadString(item, "encrypted_content") is { } encrypted)
                            {
                                done.Contents.Add(ResponsesReader.WithItemId(
                                    new TextReasoningContent(string.Empty) { ProtectedData = encrypted, RawRepresentation = item }, ProviderJson.ReadString(item, "id")));
                            }

                            break;
                        case "function_call" when ProviderJson.ReadString(item, "arguments") is null
                            && ProviderJson.ReadString(item, "id") is { } itemId && arguments.TryGetValue(itemId, out var gathered):
                            anyCalls = true;
                            var callContent = ChatResponseReader.CreateCall(
                                ProviderJson.ReadString(item, "call_id"), ProviderJson.ReadString(item, "name") ?? string.Empty, gathered.ToString(), itemId, 0);
                            callContent.RawRepresentation = item;
                            done.Contents.Add(ResponsesReader.WithItemId(callContent, itemId));
                            break;
                        default:
                            anyCalls |= ResponsesReader.ReadItem(item, done.Contents, call.IncludeReasoning);
                            break;
                    }

                    if (done.Contents.Count > 0)
                    {
                        PortableHistory.MarkOrigin(done.Contents, OpenAIProtocol.ProviderName);
                        yield return done;
                    }

                    break;
                case "response.completed" or "response.incomplete" or "response.failed":
                    var response = data.TryGetProperty("response", out var final) && final.ValueKind == JsonValueKind.Object ? final : default;
                    if (type == "response.failed")
                    {
                        throw OpenAIErrors.Failed(response.ValueKind == JsonValueKind.Object ? response : data, _api.Transport);
                    }

                    var last = Update();
                    if (response.ValueKind == JsonValueKind.Object)
                    {
                        responseId ??= ProviderJson.ReadString(response, "id");
                        last.ResponseId = responseId;
                        last.ConversationId = conversationId ??= ResponsesReader.ConversationId(response, call, responseId);
                        last.FinishReason = ResponsesReader.FinishReason(response, anyCalls);
                        if (response.TryGetProperty("usage", out var usageElement) && ResponsesReader.ReadUsage(usageElement) is { } usage)
                        {
                            last.Contents.Add(new UsageContent(usage) { RawRepresentation = usageElement });
                        }
                    }

                    last.FinishReason ??= type == "response.incomplete" ? ChatFinishReason.Length : anyCalls ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop;
                    finished = true;
                    yield return last;
                    break;
            }
        }

        if (!finished)
        {
            throw new EndOfStreamException("the stream ended before response.completed, response.incomplete or response.failed.");
        }
    }

    private static JsonElement? Item(JsonElement data) =>
        data.TryGetProperty("item", out var item) && item.ValueKind == JsonValueKind.Object ? item : null;
}
