using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.Conversations.Internal;

/// <summary>
/// The conversations middleware around one entry's client (inside fallback, so each attempted entry decides what it is
/// sent, and a fallback continues the conversation from the store). For a call whose <c>ChatOptions.ConversationId</c>
/// is a stored conversation: sends the entry the stored history and the new messages (or, when the entry keeps its own
/// server-side conversation that nobody else appended to since, only the new messages with that conversation's id),
/// stores the new messages and the answer once the call succeeded (a stream: once complete), and answers with the
/// store's id. A failed call stores nothing.
/// </summary>
internal sealed class ConversationChatClient(IChatClient inner, ModelEntry entry, ConversationRuntime runtime) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var turn = await ConversationTurn.BeginAsync(runtime, entry, messages, options, cancellationToken).ConfigureAwait(false);
        if (turn is null)
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }

        await using (turn.ConfigureAwait(false))
        {
            ChatResponse response;
            try
            {
                response = await base.GetResponseAsync(turn.Messages, turn.Options, cancellationToken).ConfigureAwait(false);
            }
            catch (ModelProviderException ex) when (turn.ContinuesProviderConversation && IsProviderConversationGone(ex))
            {
                // The provider no longer knows its conversation: start a fresh one from the stored history.
                await turn.SendFullHistoryAsync(cancellationToken).ConfigureAwait(false);
                response = await base.GetResponseAsync(turn.Messages, turn.Options, cancellationToken).ConfigureAwait(false);
            }

            bool stored;
            try
            {
                stored = await turn.StoreAsync(response.Messages, response.ConversationId, cancellationToken).ConfigureAwait(false);
            }
            catch (ConversationException ex) when (ex.ErrorCode == ConversationErrorCodes.Conflict)
            {
                throw new ConversationException(ex.Message, ex.ErrorCode, ex.ConversationId, ex) { UnstoredResponse = response };
            }

            response.ConversationId = stored || !turn.IsStart ? turn.ConversationId : null;
            if (!stored)
            {
                (response.AdditionalProperties ??= [])[ConversationProperties.Stored] = false;
            }

            return response;
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var turn = await ConversationTurn.BeginAsync(runtime, entry, messages, options, cancellationToken).ConfigureAwait(false);
        if (turn is null)
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                yield return update;
            }

            yield break;
        }

        await using (turn.ConfigureAwait(false))
        {
            var (updates, any) = await StartAsync(turn, cancellationToken).ConfigureAwait(false);
            try
            {
                if (!any)
                {
                    yield break; // an empty stream: no answer to store
                }

                List<ChatResponseUpdate> received = [];
                string? providerConversationId = null;
                do
                {
                    var update = updates.Current;
                    received.Add(update);
                    providerConversationId = update.ConversationId ?? providerConversationId;
                    update.ConversationId = turn.ConversationId;
                    yield return update;
                }
                while (await updates.MoveNextAsync().ConfigureAwait(false));

                var stored = await turn.StoreAsync(received.ToChatResponse().Messages, providerConversationId, cancellationToken).ConfigureAwait(false);
                if (!stored)
                {
                    yield return new ChatResponseUpdate
                    {
                        ConversationId = turn.IsStart ? null : turn.ConversationId,
                        AdditionalProperties = new() { [ConversationProperties.Stored] = false },
                    };
                }
            }
            finally
            {
                await updates.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Starts the stream and reads its first update (whether there is one), starting again from the stored history when the provider no longer knows its own conversation.</summary>
    private async Task<(IAsyncEnumerator<ChatResponseUpdate> Updates, bool Any)> StartAsync(ConversationTurn turn, CancellationToken cancellationToken)
    {
        var updates = base.GetStreamingResponseAsync(turn.Messages, turn.Options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            return (updates, await updates.MoveNextAsync().ConfigureAwait(false));
        }
        catch (ModelProviderException ex) when (turn.ContinuesProviderConversation && IsProviderConversationGone(ex))
        {
            await updates.DisposeAsync().ConfigureAwait(false);
            await turn.SendFullHistoryAsync(cancellationToken).ConfigureAwait(false);
            updates = base.GetStreamingResponseAsync(turn.Messages, turn.Options, cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
                return (updates, await updates.MoveNextAsync().ConfigureAwait(false));
            }
            catch
            {
                await updates.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch
        {
            await updates.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Whether the provider no longer keeps the conversation the entry continued: the kit's
    /// <see cref="ProviderErrorCodes.ConversationNotFound"/>, or a plain 404 from a provider that does not map it.
    /// </summary>
    private static bool IsProviderConversationGone(ModelProviderException exception) =>
        exception.ErrorCode == ProviderErrorCodes.ConversationNotFound || exception.StatusCode == 404;
}
