using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.Mistral.Internal;

/// <summary>
/// <see cref="IChatClient"/> over Mistral's <c>/v1/chat/completions</c>, or <c>/v1/agents/completions</c> for an agent, or,
/// when the entry asks for conversations, the Conversations API (<c>/v1/conversations</c>, for a model or an agent).
/// Every call goes through the kit's transport; decoding runs inside its error boundary.
/// </summary>
internal sealed class MistralChatClient : IChatClient
{
    private readonly MistralApi _api;
    private readonly string _modelId;
    private readonly string? _agentId;
    private readonly bool _conversations;
    private readonly ChatClientMetadata _metadata;
    private readonly JsonArray? _guardrails;

    public MistralChatClient(MistralApi api, string modelId, string? agentId, JsonArray? guardrails = null, bool conversations = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        _api = api;
        _modelId = modelId;
        _agentId = string.IsNullOrWhiteSpace(agentId) ? null : agentId;
        _guardrails = guardrails;
        _conversations = conversations;
        _metadata = new ChatClientMetadata(MistralProtocol.TelemetryProviderName, api.Endpoint, _agentId is null ? modelId : null);
    }

    private string Path => _agentId is null ? "chat/completions" : "agents/completions";

    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var includeReasoning = IncludeReasoning(options);
        var model = ModelOf(options);
        Task<ChatResponse> answer;
        if (_conversations)
        {
            var (call, path, fromEntryId) = MistralConversations.Route(options);
            var body = ConversationRequestWriter.Write(call, messages, options, this, _modelId, _agentId, stream: false, _guardrails, fromEntryId);
            answer = MistralConversations.SendAsync(_api, path, body, call == ConversationCall.Start ? null : options!.ConversationId, includeReasoning, model, cancellationToken);
        }
        else
        {
            RefuseConversationId(options);
            var body = ChatRequestWriter.Write(messages, options, this, _modelId, _agentId, stream: false, _guardrails);
            var request = await _api.RequestAsync(HttpMethod.Post, Path, body, streaming: false, cancellationToken).ConfigureAwait(false);
            answer = SendAsync(request, includeReasoning, model, cancellationToken);
        }

        try
        {
            return await answer.ConfigureAwait(false);
        }
        catch (ModelProviderException ex) when (ex.ErrorCode == MistralErrors.GuardrailBlocked)
        {
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, []))
            {
                FinishReason = ChatFinishReason.ContentFilter,
                ModelId = model,
                AdditionalProperties = new() { [MistralProperties.GuardrailBlock] = ex.Message },
            };
        }
    }

    private Task<ChatResponse> SendAsync(ProviderRequest request, bool includeReasoning, string model, CancellationToken cancellationToken) =>
        _api.Transport.SendAsync(request, response =>
        {
            _api.ReportDeprecation(response.Header(MistralApi.DeprecationHeader), model);
            using var document = JsonDocument.Parse(response.Body);
            var root = document.RootElement.Clone();
            if (MistralErrors.ErrorIn(root, _api.Transport) is { } error)
            {
                throw error;
            }

            return ChatResponseReader.ReadResponse(root, includeReasoning);
        }, cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var includeReasoning = IncludeReasoning(options);
        var model = ModelOf(options);
        string? conversationId = null;
        IAsyncEnumerable<ChatResponseUpdate> source;
        if (_conversations)
        {
            var (call, path, fromEntryId) = MistralConversations.Route(options);
            conversationId = call == ConversationCall.Start ? null : options!.ConversationId;
            var body = ConversationRequestWriter.Write(call, messages, options, this, _modelId, _agentId, stream: true, _guardrails, fromEntryId);
            var request = await _api.RequestAsync(HttpMethod.Post, path, body, streaming: true, cancellationToken).ConfigureAwait(false);
            source = _api.Transport.StreamAsync(request, (stream, token) => MistralConversations.ReadStreamAsync(_api, stream, includeReasoning, model, token), cancellationToken);
        }
        else
        {
            RefuseConversationId(options);
            var body = ChatRequestWriter.Write(messages, options, this, _modelId, _agentId, stream: true, _guardrails);
            var request = await _api.RequestAsync(HttpMethod.Post, Path, body, streaming: true, cancellationToken).ConfigureAwait(false);
            source = _api.Transport.StreamAsync(request, (stream, token) => ReadStreamAsync(stream, includeReasoning, model, token), cancellationToken);
        }

        var updates = source.GetAsyncEnumerator(cancellationToken);
        try
        {
            bool any;
            ChatResponseUpdate? blocked = null;
            try
            {
                any = await updates.MoveNextAsync().ConfigureAwait(false);
            }
            catch (ModelProviderException ex) when (ex.ErrorCode == MistralErrors.GuardrailBlocked)
            {
                // The guardrail refuses before any event: the stream is one update saying so.
                any = false;
                blocked = new ChatResponseUpdate(ChatRole.Assistant, [])
                {
                    FinishReason = ChatFinishReason.ContentFilter,
                    ModelId = model,
                    AdditionalProperties = new() { [MistralProperties.GuardrailBlock] = ex.Message },
                };
            }
            catch (ModelProviderException ex) when (MistralConversations.IsNotFound(ex, conversationId))
            {
                throw MistralConversations.NotFound(_api.Transport, ex, conversationId!);
            }

            if (blocked is not null)
            {
                yield return blocked;
            }

            while (any)
            {
                yield return updates.Current;
                any = await updates.MoveNextAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            await updates.DisposeAsync().ConfigureAwait(false);
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => ProviderServices.GetService(this, _metadata, serviceType, serviceKey);

    public void Dispose()
    {
        // The HttpClient belongs to IHttpClientFactory, the kit or the caller.
    }

    public override string ToString() =>
        (_agentId is null ? $"Mistral chat client ({_modelId})" : $"Mistral agent client ({_agentId})") + (_conversations ? " over conversations" : string.Empty);

    /// <summary>
    /// Decodes an event stream. Runs inside the kit's boundary: a broken connection, an oversized event or malformed
    /// JSON is classified there; a stream that ends with neither a finish reason nor <c>[DONE]</c> throws
    /// <see cref="EndOfStreamException"/> (reported as <c>response_truncated</c>).
    /// </summary>
    private async IAsyncEnumerable<ChatResponseUpdate> ReadStreamAsync(
        ProviderStream stream, bool includeReasoning, string model, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        _api.ReportDeprecation(stream.Header(MistralApi.DeprecationHeader), model);
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

            JsonElement chunk;
            using (var document = JsonDocument.Parse(reader.Data))
            {
                chunk = document.RootElement.Clone();
            }

            if (MistralErrors.ErrorIn(chunk, _api.Transport) is { } error)
            {
                throw error;
            }

            if (reader.EventName == "error")
            {
                throw _api.Transport.Failure("error", $"Mistral reported an error in the middle of the stream: {chunk.GetRawText()}");
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

            PortableHistory.MarkOrigin(update.Contents, MistralProtocol.ProviderName);
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

    /// <summary>
    /// Refuses a call that carries a conversation id to an entry that keeps no conversations, before anything is sent:
    /// chat completions would answer as if the conversation had no past.
    /// </summary>
    private void RefuseConversationId(ChatOptions? options)
    {
        if (!string.IsNullOrEmpty(options?.ConversationId))
        {
            throw _api.Transport.Failure(
                ProviderErrorCodes.CapabilityMismatch,
                $"the call carries ChatOptions.ConversationId '{options.ConversationId}', but {(_api.Transport.EntryName is null ? "this client does" : "the entry does")} " +
                "not use Mistral's Conversations API, so Mistral would answer without the conversation's past. Set \"conversations\": true on the entry " +
                "(MistralClientOptions.Conversations for direct use), or let the registry keep the conversation (UseConversations()), which sends the whole history.",
                isRetryable: false);
        }
    }

    private string ModelOf(ChatOptions? options) => _agentId ?? MistralNames.ModelFor(options?.ModelId, _modelId, "ChatOptions.ModelId");

    private static bool IncludeReasoning(ChatOptions? options) => options?.Reasoning?.Output != ReasoningOutput.None;
}
