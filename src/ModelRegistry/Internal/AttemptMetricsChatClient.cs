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
        private const int NotStarted = 0, Running = 1, Ended = 2;

        private IAsyncEnumerator<ChatResponseUpdate>? _updates;
        private UsageDetails? _usage;
        private Exception? _error;
        private long _started;
        private AttemptOutcome _outcome;
        private int _state;

        public override ChatResponseUpdate Current => _updates!.Current;

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        public override async ValueTask<bool> MoveNextAsync()
        {
            if (_state == Ended)
            {
                return false;
            }

            if (_state == NotStarted)
            {
                _started = owner._time.GetTimestamp();
                _outcome = AttemptOutcome.Abandoned; // until the stream ends or throws: a caller that stops reading abandons it
                _state = Running;
            }

            bool any;
            try
            {
                _updates ??= owner.InnerClient.GetStreamingResponseAsync(messages, options, Token).GetAsyncEnumerator(Token);
                any = await _updates.MoveNextAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _outcome = AttemptFailure.OutcomeOf(ex, Token);
                _error = ex;
                await DisposeAsync().ConfigureAwait(false);
                throw;
            }

            if (!any)
            {
                _outcome = AttemptOutcome.Success;
                await DisposeAsync().ConfigureAwait(false);
                return false;
            }

            var contents = _updates.Current.Contents;
            for (var i = 0; i < contents.Count; i++)
            {
                if (contents[i] is UsageContent u)
                {
                    (_usage ??= new UsageDetails()).Add(u.Details);
                }
            }

            return true;
        }

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
        public override async ValueTask DisposeAsync()
        {
            var state = _state;
            _state = Ended;
            if (state == Ended)
            {
                return;
            }

            try
            {
                if (state == Running)
                {
                    if (_updates is not null)
                    {
                        await _updates.DisposeAsync().ConfigureAwait(false);
                    }

                    owner._metrics.RecordAttempt(owner._entry, options?.ModelId ?? owner._entry.ModelId, _outcome, _error, _usage, owner._time.GetElapsedTime(_started));
                }
            }
            finally
            {
                Finished();
            }
        }

        protected override UpdateStream Restart() => new MeasuredStream(owner, messages, options, CallToken);
    }
}
