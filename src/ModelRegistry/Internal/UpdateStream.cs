using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace ModelRegistry.Internal;

/// <summary>
/// A stream of updates that is its own enumerator, as a compiler-generated async iterator is, for the layers on the
/// path of every streamed call: one object per call and layer holding the call's state in fields, where an
/// <c>async IAsyncEnumerable</c> method costs a larger one (its builder, promise and hoisted locals). The steps are
/// written once here with the pooling builder, so a step that completes at once allocates nothing and one that waits
/// borrows a pooled box; a layer says only how its call starts and what it does with updates and the end.
/// </summary>
/// <remarks>
/// As with an iterator, nothing runs until the first <see cref="MoveNextAsync"/>; the first
/// <see cref="GetAsyncEnumerator"/> returns this object and any later one a fresh stream over the same arguments; the
/// token given to <see cref="GetAsyncEnumerator"/> is combined with the call's (<see cref="Token"/>). A step that throws,
/// and the last step, dispose the stream; disposal disposes the inner enumerator once, then calls <see cref="OnEnded"/>.
/// </remarks>
internal abstract class UpdateStream : IAsyncEnumerable<ChatResponseUpdate>, IAsyncEnumerator<ChatResponseUpdate>
{
    private const int NotStarted = 0, Running = 1, Ended = 2;

    private readonly CancellationToken _callToken;
    private CancellationTokenSource? _linked;
    private IAsyncEnumerator<ChatResponseUpdate>? _updates;
    private int _enumerated;
    private int _state;

    protected UpdateStream(CancellationToken cancellationToken)
    {
        _callToken = cancellationToken;
        Token = cancellationToken;
    }

    /// <summary>The call's token, combined with the enumerator's.</summary>
    protected CancellationToken Token { get; private set; }

    /// <summary>The call's own token, for <see cref="Restart"/>.</summary>
    protected CancellationToken CallToken => _callToken;

    public ChatResponseUpdate Current => _updates!.Current;

    public IAsyncEnumerator<ChatResponseUpdate> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        var stream = Interlocked.Exchange(ref _enumerated, 1) == 0 ? this : Restart();
        stream._enumerated = 1;
        if (cancellationToken.CanBeCanceled && cancellationToken != stream._callToken)
        {
            if (stream._callToken.CanBeCanceled)
            {
                stream._linked = CancellationTokenSource.CreateLinkedTokenSource(stream._callToken, cancellationToken);
                stream.Token = stream._linked.Token;
            }
            else
            {
                stream.Token = cancellationToken;
            }
        }

        return stream;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> MoveNextAsync()
    {
        if (_state == Ended)
        {
            return false;
        }

        try
        {
            bool any;
            if (_state == NotStarted)
            {
                _state = Running;
                _updates = await StartAsync().ConfigureAwait(false);
                any = await FirstStepAsync(_updates).ConfigureAwait(false);
            }
            else
            {
                any = await _updates!.MoveNextAsync().ConfigureAwait(false);
            }

            if (any)
            {
                OnUpdate(_updates.Current);
                return true;
            }

            OnCompleted();
        }
        catch (Exception ex)
        {
            OnFailed(ex);
            await DisposeAsync().ConfigureAwait(false);
            throw;
        }

        await DisposeAsync().ConfigureAwait(false);
        return false;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask DisposeAsync()
    {
        var state = _state;
        _state = Ended;
        if (state == Ended)
        {
            return;
        }

        try
        {
            if (_updates is not null)
            {
                await _updates.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _linked?.Dispose();
            _linked = null;
            OnEnded(started: state == Running);
        }
    }

    /// <summary>Starts the call at the first step (checks first, then the inner stream's enumerator, made with <see cref="Token"/>).</summary>
    protected abstract ValueTask<IAsyncEnumerator<ChatResponseUpdate>> StartAsync();

    /// <summary>The inner stream's first step; a layer that judges a stream by its start does so here.</summary>
    /// <param name="updates">The enumerator <see cref="StartAsync"/> made.</param>
    protected virtual ValueTask<bool> FirstStepAsync(IAsyncEnumerator<ChatResponseUpdate> updates) => updates.MoveNextAsync();

    /// <summary>Sees each update before the caller does.</summary>
    /// <param name="update">The update.</param>
    protected virtual void OnUpdate(ChatResponseUpdate update)
    {
    }

    /// <summary>The inner stream ended after its last update (before disposal).</summary>
    protected virtual void OnCompleted()
    {
    }

    /// <summary>A step threw (before disposal); the exception then reaches the caller.</summary>
    /// <param name="exception">What the step threw.</param>
    protected virtual void OnFailed(Exception exception)
    {
    }

    /// <summary>Once, after the inner enumerator is disposed, however the stream ended (also when it never started).</summary>
    /// <param name="started">Whether the first step ran.</param>
    protected virtual void OnEnded(bool started)
    {
    }

    /// <summary>A new stream over the same arguments (and <see cref="CallToken"/>), for a second enumeration.</summary>
    protected abstract UpdateStream Restart();
}
