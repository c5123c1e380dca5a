using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.Mistral.Internal;

/// <summary>
/// Mistral's Conversations API over the kit's transport: which call a chat call is (start, append, restart), the answer
/// and the event stream as MEAI, and a conversation's history. Decoding runs inside the kit's error boundary; a 404 for a
/// conversation becomes one clear, non-retryable error naming it.
/// </summary>
internal static class MistralConversations
{
    /// <summary>
    /// The call the options ask for and its path: with no <see cref="ChatOptions.ConversationId"/> a start; with one, an
    /// append, or a restart when <see cref="MistralProperties.FromEntryId"/> names the entry to restart from.
    /// </summary>
    /// <exception cref="ArgumentException">A restart without a conversation, or an id that cannot be one path segment.</exception>
    public static (ConversationCall Call, string Path, string? FromEntryId) Route(ChatOptions? options)
    {
        var conversationId = string.IsNullOrEmpty(options?.ConversationId) ? null : options.ConversationId;
        var fromEntryId = options?.AdditionalProperties?.TryGetValue(MistralProperties.FromEntryId, out var value) == true
            ? value switch
            {
                string text => text.Length > 0 ? text : null,
                JsonElement { ValueKind: JsonValueKind.String } element => element.GetString(),
                null => null,
                _ => throw new ArgumentException(
                    $"ChatOptions.AdditionalProperties[\"{MistralProperties.FromEntryId}\"] must be the id of an entry (a string), not {value.GetType().Name}.",
                    nameof(options)),
            }
            : null;
        if (conversationId is null)
        {
            return fromEntryId is null
                ? (ConversationCall.Start, "conversations", null)
                : throw new ArgumentException(
                    $"ChatOptions.AdditionalProperties[\"{MistralProperties.FromEntryId}\"] restarts a conversation from one of its entries: " +
                    "set ChatOptions.ConversationId to the conversation the entry belongs to.",
                    nameof(options));
        }

        var segment = ProviderRequest.PathSegment(conversationId, "ChatOptions.ConversationId");
        return fromEntryId is null
            ? (ConversationCall.Append, $"conversations/{segment}", null)
            : (ConversationCall.Restart, $"conversations/{segment}/restart", fromEntryId);
    }

    /// <summary>Sends a non-streaming call and reads the answer.</summary>
    public static async Task<ChatResponse> SendAsync(
        MistralApi api, string path, ReadOnlyMemory<byte> body, string? conversationId, bool includeReasoning, string model, CancellationToken cancellationToken)
    {
        var request = await api.RequestAsync(HttpMethod.Post, path, body, streaming: false, cancellationToken).ConfigureAwait(false);
        try
        {
            return await api.Transport.SendAsync(
                request,
                response =>
                {
                    api.ReportDeprecation(response.Header(MistralApi.DeprecationHeader), model);
                    return ConversationReader.ReadResponse(Parse(api, response), includeReasoning);
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (ModelProviderException ex) when (IsNotFound(ex, conversationId))
        {
            throw NotFound(api.Transport, ex, conversationId!);
        }
    }

    /// <summary>Reads <c>/history</c> (every entry) or <c>/messages</c> (only the messages) of a conversation.</summary>
    public static async Task<IReadOnlyList<ChatMessage>> GetEntriesAsync(MistralApi api, string conversationId, bool messagesOnly, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conversationId);
        var segment = ProviderRequest.PathSegment(conversationId, nameof(conversationId));
        var request = await api.RequestAsync(HttpMethod.Get, $"conversations/{segment}/{(messagesOnly ? "messages" : "history")}", null, streaming: false, cancellationToken)
            .ConfigureAwait(false);
        try
        {
            return await api.Transport.SendAsync(request, response => ConversationReader.ReadEntries(Parse(api, response), messagesOnly ? "messages" : "entries"), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (ModelProviderException ex) when (IsNotFound(ex, conversationId))
        {
            throw NotFound(api.Transport, ex, conversationId);
        }
    }

    /// <summary>Whether the error is Mistral not knowing the conversation of an append, restart or history call.</summary>
    public static bool IsNotFound(ModelProviderException exception, string? conversationId) =>
        conversationId is not null && exception.StatusCode == 404 && exception.ErrorCode != ProviderErrorCodes.ConversationNotFound;

    /// <summary>The error for a conversation Mistral does not know (404): not retryable, naming the conversation and what to do.</summary>
    public static ModelProviderException NotFound(ProviderTransport transport, ModelProviderException exception, string conversationId)
    {
        var failure = transport.Failure(
            ProviderErrorCodes.ConversationNotFound,
            $"Mistral knows no conversation '{conversationId}' (HTTP 404{(exception.ErrorCode is { } code ? ", " + code : string.Empty)}). " +
            "Start a new conversation with a call without ChatOptions.ConversationId (with the history, if you kept it); check that the id " +
            "comes from this API key's workspace and from a call that stored it (store was not false).",
            isRetryable: false,
            exception);
        return new ModelProviderException(failure.Message, failure.Provider, exception)
        {
            ModelName = failure.ModelName,
            StatusCode = 404,
            ErrorCode = failure.ErrorCode,
            IsRetryable = false,
        };
    }

    /// <summary>
    /// Decodes a conversation event stream (named events whose <c>data</c> carry a <c>type</c>): the conversation id from
    /// <c>conversation.response.started</c> on every later update, text and chunks of <c>message.output.delta</c>, function
    /// calls gathered from <c>function.call.delta</c> and given whole with the finish reason, connector calls and results
    /// from <c>tool.execution.started</c> / <c>.done</c>, usage from <c>conversation.response.done</c>. An error event throws
    /// through the kit; a stream that ends before <c>conversation.response.done</c> throws <see cref="EndOfStreamException"/>.
    /// </summary>
    public static async IAsyncEnumerable<ChatResponseUpdate> ReadStreamAsync(
        MistralApi api, ProviderStream stream, bool includeReasoning, string model, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        api.ReportDeprecation(stream.Header(MistralApi.DeprecationHeader), model);
        using var reader = new ServerSentEventReader(stream);
        var functionCalls = new StreamingToolCalls();
        string? conversationId = null, modelId = null;
        var finished = false;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (reader.Data.Span.SequenceEqual("[DONE]"u8))
            {
                break;
            }

            JsonElement data;
            using (var document = JsonDocument.Parse(reader.Data))
            {
                data = document.RootElement.Clone();
            }

            if (MistralErrors.ErrorIn(data, api.Transport) is { } error)
            {
                throw error; // conversation.response.error ({message, code}) and any other error object.
            }

            ProviderJson.RequireObject(data, "A stream event");
            modelId = ProviderJson.ReadString(data, "model") ?? modelId;
            var update = new ChatResponseUpdate
            {
                Role = ChatRole.Assistant,
                ConversationId = conversationId,
                MessageId = ProviderJson.ReadString(data, "id"),
                ModelId = modelId,
                CreatedAt = ConversationReader.ReadTime(data, "created_at"),
                RawRepresentation = data,
            };
            var id = update.MessageId ?? string.Empty;
            var name = ProviderJson.ReadString(data, "name");
            var emit = true;
            switch (ProviderJson.ReadString(data, "type") ?? reader.EventName)
            {
                case "conversation.response.started":
                    conversationId = update.ConversationId = ConversationReader.RequireConversationId(data);
                    break;
                case "message.output.delta":
                    if (data.TryGetProperty("content", out var content))
                    {
                        ChatResponseReader.ReadContent(content, update.Contents, includeReasoning);
                    }

                    emit = update.Contents.Count > 0;
                    break;
                case "function.call.delta":
                    functionCalls.Add(ProviderJson.ReadString(data, "tool_call_id"), null, name, ProviderJson.ReadString(data, "arguments"));
                    emit = false;
                    break;
                case "tool.execution.started":
                    update.Contents.Add(ConversationReader.ConnectorCall(name, id, ProviderJson.ReadString(data, "arguments"), null, data));
                    break;
                case "tool.execution.done":
                    JsonElement? info = data.TryGetProperty("info", out var i) && i.ValueKind == JsonValueKind.Object ? i : null;
                    if (ConversationReader.ConnectorResult(name, id, info, data) is { } result)
                    {
                        update.Contents.Add(result);
                    }

                    emit = update.Contents.Count > 0;
                    break;
                case "tool.execution.delta":
                    emit = false; // Pieces of the arguments tool.execution.started gave.
                    break;
                case "conversation.response.done":
                    foreach (var call in functionCalls.Flush(conversationId))
                    {
                        update.Contents.Add(call);
                    }

                    update.FinishReason = ConversationReader.FinishReason(update.Contents);
                    if (data.TryGetProperty("usage", out var usageElement) && ChatResponseReader.ReadUsage(usageElement) is { } usage)
                    {
                        update.Contents.Add(new UsageContent(usage) { RawRepresentation = usageElement });
                    }

                    finished = true;
                    break;
                default:
                    // agent.handoff.started / .done, and events this client does not know yet, kept whole.
                    update.Contents.Add(new AIContent { RawRepresentation = data });
                    break;
            }

            if (emit)
            {
                PortableHistory.MarkOrigin(update.Contents, MistralProtocol.ProviderName);
                yield return update;
            }

            if (finished)
            {
                break;
            }
        }

        if (!finished)
        {
            throw new EndOfStreamException("the conversation stream ended before conversation.response.done.");
        }
    }

    private static JsonElement Parse(MistralApi api, ProviderResponse response)
    {
        using var document = JsonDocument.Parse(response.Body);
        var root = document.RootElement.Clone();
        return MistralErrors.ErrorIn(root, api.Transport) is { } error ? throw error : root;
    }
}
