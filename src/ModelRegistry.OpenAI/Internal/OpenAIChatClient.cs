using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.OpenAI.Internal;

/// <summary>
/// <see cref="IChatClient"/> over <c>POST {base}/chat/completions</c>. Every call goes through the kit's transport;
/// decoding runs inside its error boundary.
/// </summary>
internal sealed class OpenAIChatClient : IChatClient
{
    private const string Path = "chat/completions";

    private readonly OpenAIApi _api;
    private readonly string _modelId;
    private readonly ChatClientMetadata _metadata;

    public OpenAIChatClient(OpenAIApi api, string modelId)
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
        var body = ChatRequestWriter.Write(messages, options, this, _api, model, stream: false);
        var includeReasoning = IncludeReasoning(options);
        var request = await _api.RequestAsync(HttpMethod.Post, Path, body, streaming: false, cancellationToken).ConfigureAwait(false);
        return await _api.Transport.SendAsync(request, response =>
        {
            using var document = JsonDocument.Parse(response.Body);
            var root = document.RootElement.Clone();
            if (OpenAIErrors.ErrorIn(root, _api.Transport) is { } error)
            {
                throw error;
            }

            return ChatResponseReader.ReadResponse(root, includeReasoning);
        }, cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var model = OpenAINames.ModelFor(options?.ModelId, _modelId, "ChatOptions.ModelId");
        var body = ChatRequestWriter.Write(messages, options, this, _api, model, stream: true);
        var includeReasoning = IncludeReasoning(options);
        var request = await _api.RequestAsync(HttpMethod.Post, Path, body, streaming: true, cancellationToken).ConfigureAwait(false);
        await foreach (var update in _api.Transport.StreamAsync(request, (stream, token) => ReadStreamAsync(stream, includeReasoning, token), cancellationToken)
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

    public override string ToString() => $"OpenAI chat client ({_modelId})";

    /// <summary>
    /// Decodes an event stream. Runs inside the kit's boundary: a broken connection, an oversized event or malformed
    /// JSON is classified there; an error object in the stream is thrown as the provider's error; a stream that ends
    /// with neither a finish reason nor <c>[DONE]</c> throws <see cref="EndOfStreamException"/> (<c>response_truncated</c>).
    /// Usage (asked for with <c>stream_options.include_usage</c>) comes on a last chunk with no choices.
    /// </summary>
    private async IAsyncEnumerable<ChatResponseUpdate> ReadStreamAsync(
        ProviderStream stream, bool includeReasoning, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new ServerSentEventReader(stream);
        var toolCalls = new StreamingToolCalls();
        string? responseId = null, modelId = null;
        DateTimeOffset? created = null;
        var finished = false;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (reader.Data.Span.SequenceEqual("[DONE]"u8))
            {
                finished = true;
                break;
            }

            if (reader.Data.IsEmpty)
            {
                continue;
            }

            JsonElement chunk;
            using (var document = JsonDocument.Parse(reader.Data))
            {
                chunk = document.RootElement.Clone();
            }

            if (OpenAIErrors.ErrorIn(chunk, _api.Transport) is { } error)
            {
                throw error;
            }

            ProviderJson.RequireObject(chunk, "A stream event");
            responseId ??= ProviderJson.ReadString(chunk, "id");
            modelId ??= ProviderJson.ReadString(chunk, "model");
            created ??= ProviderJson.ReadUnixSeconds(chunk, "created");
            var update = new ChatResponseUpdate
            {
                Role = ChatRole.Assistant,
                ResponseId = responseId,
                MessageId = responseId,
                ModelId = modelId,
                CreatedAt = created,
                RawRepresentation = chunk,
            };

            var hasChoice = false;
            if (chunk.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array)
            {
                foreach (var choice in choices.EnumerateArray())
                {
                    if (choice.ValueKind != JsonValueKind.Object)
                    {
                        continue;
                    }

                    hasChoice = true;
                    if (choice.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object)
                    {
                        ChatResponseReader.ReadMessage(delta, update.Contents, includeReasoning);
                        if (ProviderJson.ReadString(delta, "refusal") is { Length: > 0 } refusal)
                        {
                            (update.AdditionalProperties ??= [])[OpenAIProperties.Refusal] = refusal;
                        }

                        if (delta.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
                        {
                            toolCalls.Add(calls);
                        }
                    }

                    if (ChatResponseReader.ReadFinishReason(choice) is { } reason)
                    {
                        update.FinishReason ??= reason;
                        finished = true;
                    }
                }
            }

            if (update.FinishReason is not null && toolCalls.HasPending)
            {
                foreach (var call in toolCalls.Flush(responseId))
                {
                    update.Contents.Add(call);
                }
            }

            PortableHistory.MarkOrigin(update.Contents, OpenAIProtocol.ProviderName);
            var hasUsage = chunk.TryGetProperty("usage", out var usageElement) && usageElement.ValueKind == JsonValueKind.Object;
            if (hasUsage && ChatResponseReader.ReadUsage(usageElement) is { } usage)
            {
                update.Contents.Add(new UsageContent(usage) { RawRepresentation = usageElement });
            }

            if (hasChoice || hasUsage)
            {
                yield return update;
            }
        }

        if (toolCalls.HasPending)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, [.. toolCalls.Flush(responseId)])
            {
                ResponseId = responseId,
                MessageId = responseId,
                ModelId = modelId,
                CreatedAt = created,
            };
        }

        if (!finished)
        {
            throw new EndOfStreamException("the stream ended with neither a finish reason nor [DONE].");
        }
    }

    private static bool IncludeReasoning(ChatOptions? options) => options?.Reasoning?.Output != ReasoningOutput.None;
}
