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
    private readonly ModelEntry _entry = entry;
    private readonly RegistryMetrics _metrics = metrics;
    private readonly TimeProvider _time = time;

    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        _metrics.ObservesAttempts ? MeasuredAsync(messages, options, cancellationToken) : base.GetResponseAsync(messages, options, cancellationToken);

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        _metrics.ObservesAttempts ? new MeasuredStream(this, messages, options, cancellationToken) : base.GetStreamingResponseAsync(messages, options, cancellationToken);

    private async Task<ChatResponse> MeasuredAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
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
            _metrics.RecordAttempt(_entry, options?.ModelId ?? _entry.ModelId, outcome, error, response?.Usage, _time.GetElapsedTime(started));
        }
    }

    /// <summary>
    /// One measured stream in one object per call (an async iterator costs a larger one): the attempt is recorded once
    /// the stream ends, throws, or is disposed early, after the inner enumerator is disposed.
    /// </summary>
    private sealed class MeasuredStream(AttemptMetricsChatClient owner, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
        : UpdateStream(cancellationToken)
    {
        private UsageDetails? _usage;
        private Exception? _error;
        private long _started;
        private AttemptOutcome _outcome;

        protected override ValueTask<IAsyncEnumerator<ChatResponseUpdate>> StartAsync()
        {
            _started = owner._time.GetTimestamp();
            _outcome = AttemptOutcome.Abandoned; // until the stream ends or throws: a caller that stops reading abandons it
            return ValueTask.FromResult(owner.InnerClient.GetStreamingResponseAsync(messages, options, Token).GetAsyncEnumerator(Token));
        }

        protected override void OnUpdate(ChatResponseUpdate update)
        {
            var contents = update.Contents;
            for (var i = 0; i < contents.Count; i++)
            {
                if (contents[i] is UsageContent u)
                {
                    (_usage ??= new UsageDetails()).Add(u.Details);
                }
            }
        }

        protected override void OnCompleted() => _outcome = AttemptOutcome.Success;

        protected override void OnFailed(Exception exception)
        {
            _outcome = AttemptFailure.OutcomeOf(exception, Token);
            _error = exception;
        }

        protected override void OnEnded(bool started)
        {
            if (started)
            {
                owner._metrics.RecordAttempt(owner._entry, options?.ModelId ?? owner._entry.ModelId, _outcome, _error, _usage, owner._time.GetElapsedTime(_started));
            }
        }

        protected override UpdateStream Restart() => new MeasuredStream(owner, messages, options, CallToken);
    }
}
