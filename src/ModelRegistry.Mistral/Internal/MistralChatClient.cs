using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace ModelRegistry.Mistral.Internal;

/// <summary>
/// <see cref="IChatClient"/> over Mistral's <c>/v1/chat/completions</c>, or <c>/v1/agents/completions</c> for an agent.
/// Create it through <see cref="MistralAI.CreateChatClient"/> or a registry entry with provider <c>mistral</c>.
/// </summary>
internal sealed class MistralChatClient : IChatClient
{
    private readonly MistralConnection _connection;
    private readonly string _modelId;
    private readonly string? _agentId;
    private readonly ChatClientMetadata _metadata;

    public MistralChatClient(MistralConnection connection, string modelId, string? agentId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        _connection = connection;
        _modelId = modelId;
        _agentId = string.IsNullOrWhiteSpace(agentId) ? null : agentId;
        _metadata = new ChatClientMetadata(MistralConnection.TelemetryProviderName, connection.Endpoint, _agentId is null ? modelId : null);
    }

    private string Path => _agentId is null ? "chat/completions" : "agents/completions";

    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var body = ChatRequestWriter.Write(messages, options, this, _modelId, _agentId, stream: false);
        using var response = await _connection.SendAsync(HttpMethod.Post, Path, body, streaming: false, ModelOf(options), cancellationToken).ConfigureAwait(false);
        using var document = await _connection.ReadJsonAsync(response, cancellationToken).ConfigureAwait(false);
        var root = document.RootElement.Clone();
        if (_connection.ErrorIn(root) is { } error)
        {
            throw error;
        }

        return ChatResponseReader.ReadResponse(root, IncludeReasoning(options));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var body = ChatRequestWriter.Write(messages, options, this, _modelId, _agentId, stream: true);
        var includeReasoning = IncludeReasoning(options);
        using var response = await _connection.SendAsync(HttpMethod.Post, Path, body, streaming: true, ModelOf(options), cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using var _ = stream.ConfigureAwait(false);
        using var reader = new SseReader(stream);
        var toolCalls = new StreamingToolCalls();
        string? responseId = null, modelId = null;
        DateTimeOffset? created = null;
        var finished = false;
        while (await ReadEventAsync(reader, cancellationToken).ConfigureAwait(false))
        {
            if (reader.Data.Span.SequenceEqual("[DONE]"u8))
            {
                finished = true;
                break;
            }

            JsonElement chunk;
            try
            {
                using var document = JsonDocument.Parse(reader.Data);
                chunk = document.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                throw _connection.Failure("Mistral sent a stream event that is not valid JSON.", "invalid_response", ex, retryable: false);
            }

            var error = _connection.ErrorIn(chunk);
            if (error is null && reader.EventName == "error")
            {
                error = _connection.Failure($"Mistral reported an error in the middle of the stream: {chunk.GetRawText()}", null, null);
            }

            if (error is not null)
            {
                throw error;
            }

            responseId ??= ChatResponseReader.ReadString(chunk, "id");
            modelId ??= ChatResponseReader.ReadString(chunk, "model");
            created ??= ChatResponseReader.ReadCreated(chunk);
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
                    hasChoice = true;
                    if (choice.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object)
                    {
                        if (delta.TryGetProperty("content", out var content))
                        {
                            ChatResponseReader.ReadContent(content, update.Contents, includeReasoning);
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
            throw _connection.Failure("The Mistral stream ended before the response was complete (no finish reason and no [DONE]).", "stream_truncated", null);
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(ChatClientMetadata))
        {
            return _metadata;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose()
    {
        // The HttpClient belongs to IHttpClientFactory or to the caller.
    }

    public override string ToString() => _agentId is null ? $"Mistral chat client ({_modelId})" : $"Mistral agent client ({_agentId})";

    private string ModelOf(ChatOptions? options) => _agentId ?? options?.ModelId ?? _modelId;

    private static bool IncludeReasoning(ChatOptions? options) => options?.Reasoning?.Output != ReasoningOutput.None;

    private async ValueTask<bool> ReadEventAsync(SseReader reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            throw _connection.Failure($"The Mistral stream broke off: {ex.Message}", "stream_truncated", ex);
        }
    }
}
