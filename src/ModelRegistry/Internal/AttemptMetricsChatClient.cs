using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.Internal;

/// <summary>
/// Records each attempt on one entry in the registry's metrics: its outcome, duration, tokens and cost. It sits where
/// the EMF middleware does (inside fallback, outside the entry's guard), so every attempt, refused or sent, passes it
/// once, and a stream counts once, when it ends, with the usage it reported. With no listener on the attempt
/// instruments, calls pass straight through.
/// </summary>
internal sealed class AttemptMetricsChatClient(IChatClient inner, ModelEntry entry, RegistryMetrics metrics, TimeProvider time) : DelegatingChatClient(inner)
{
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        metrics.ObservesAttempts ? MeasuredAsync(messages, options, cancellationToken) : base.GetResponseAsync(messages, options, cancellationToken);

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        metrics.ObservesAttempts ? MeasuredStreamAsync(messages, options, cancellationToken) : base.GetStreamingResponseAsync(messages, options, cancellationToken);

    private async Task<ChatResponse> MeasuredAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var outcome = AttemptOutcome.Success;
        Exception? error = null;
        ChatResponse? response = null;
        try
        {
            response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            return response;
        }
        catch (Exception ex)
        {
            outcome = AttemptFailure.OutcomeOf(ex, cancellationToken);
            error = ex;
            throw;
        }
        finally
        {
            metrics.RecordAttempt(entry, options?.ModelId ?? entry.ModelId, outcome, error, response?.Usage, time.GetElapsedTime(started));
        }
    }

    private async IAsyncEnumerable<ChatResponseUpdate> MeasuredStreamAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var outcome = AttemptOutcome.Abandoned; // until the stream ends or throws: a caller that stops reading abandons it
        Exception? error = null;
        UsageDetails? usage = null;
        IAsyncEnumerator<ChatResponseUpdate>? updates = null;
        try
        {
            while (true)
            {
                try
                {
                    updates ??= base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                    {
                        outcome = AttemptOutcome.Success;
                        break;
                    }
                }
                catch (Exception ex)
                {
                    outcome = AttemptFailure.OutcomeOf(ex, cancellationToken);
                    error = ex;
                    throw;
                }

                var update = updates.Current;
                var contents = update.Contents;
                for (var i = 0; i < contents.Count; i++)
                {
                    if (contents[i] is UsageContent u)
                    {
                        (usage ??= new UsageDetails()).Add(u.Details);
                    }
                }

                yield return update;
            }
        }
        finally
        {
            if (updates is not null)
            {
                await updates.DisposeAsync().ConfigureAwait(false);
            }

            metrics.RecordAttempt(entry, options?.ModelId ?? entry.ModelId, outcome, error, usage, time.GetElapsedTime(started));
        }
    }
}
