namespace ModelRegistry.Conversations.Internal;

/// <summary>
/// One lock per conversation id in this process: calls on the same conversation run one after the other (load, model
/// call, append), so they never conflict here; across processes the store's versioned append rejects the loser.
/// </summary>
internal sealed class ConversationLocks
{
    private readonly Dictionary<string, Entry> _locks = new(StringComparer.Ordinal);

    /// <summary>How many conversations have a lock held or awaited (for tests: the map does not grow without bound).</summary>
    public int Count
    {
        get
        {
            lock (_locks)
            {
                return _locks.Count;
            }
        }
    }

    /// <summary>Waits for the conversation's lock; disposing the result releases it.</summary>
    public async Task<IAsyncDisposable> EnterAsync(string conversationId, CancellationToken cancellationToken)
    {
        Entry entry;
        lock (_locks)
        {
            if (!_locks.TryGetValue(conversationId, out entry!))
            {
                _locks[conversationId] = entry = new Entry();
            }

            entry.Users++;
        }

        try
        {
            await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Leave(conversationId, entry, release: false);
            throw;
        }

        return new Held(this, conversationId, entry);
    }

    private void Leave(string conversationId, Entry entry, bool release)
    {
        if (release)
        {
            entry.Gate.Release();
        }

        lock (_locks)
        {
            if (--entry.Users == 0)
            {
                _locks.Remove(conversationId);
                entry.Gate.Dispose();
            }
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public int Users { get; set; }
    }

    private sealed class Held(ConversationLocks owner, string conversationId, Entry entry) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Leave(conversationId, entry, release: true);
            }

            return ValueTask.CompletedTask;
        }
    }
}
