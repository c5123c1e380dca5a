using Microsoft.Extensions.AI;

namespace ModelRegistry.Internal;

/// <summary>
/// A stream of updates that is its own enumerator, as a compiler-generated async iterator is, for the layers on the
/// path of every streamed call: one object per call and layer holding the call's state in fields, where an
/// <c>async IAsyncEnumerable</c> method costs a larger one (its builder, promise and hoisted locals). Subclasses write
/// <see cref="MoveNextAsync"/> and <see cref="DisposeAsync"/> as <c>async ValueTask</c> methods with the pooling builder,
/// so a step that completes at once allocates nothing and one that waits borrows a pooled box.
/// </summary>
/// <remarks>
/// As with an iterator, nothing runs until the first <see cref="MoveNextAsync"/>; the first
/// <see cref="GetAsyncEnumerator"/> returns this object and any later one a fresh stream over the same arguments; the
/// token given to <see cref="GetAsyncEnumerator"/> is combined with the call's (<see cref="Token"/>).
/// </remarks>
internal abstract class UpdateStream : IAsyncEnumerable<ChatResponseUpdate>, IAsyncEnumerator<ChatResponseUpdate>
{
    private readonly CancellationToken _callToken;
    private CancellationTokenSource? _linked;
    private int _enumerated;

    protected UpdateStream(CancellationToken cancellationToken)
    {
        _callToken = cancellationToken;
        Token = cancellationToken;
    }

    /// <summary>The call's token, combined with the enumerator's.</summary>
    protected CancellationToken Token { get; private set; }

    /// <summary>The call's own token, for <see cref="Restart"/>.</summary>
    protected CancellationToken CallToken => _callToken;

    public abstract ChatResponseUpdate Current { get; }

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

    public abstract ValueTask<bool> MoveNextAsync();

    public abstract ValueTask DisposeAsync();

    /// <summary>A new stream over the same arguments (and <see cref="CallToken"/>), for a second enumeration.</summary>
    protected abstract UpdateStream Restart();

    /// <summary>Called once the stream has ended, however it ended: releases the combined token.</summary>
    protected void Finished()
    {
        _linked?.Dispose();
        _linked = null;
    }
}
