using Microsoft.Extensions.AI;

namespace ModelRegistry.Internal;

/// <summary>
/// A client the registry built for one definition (an entry, or an entry with its fallbacks), built on first use.
/// Calls lease it; when a refresh replaces it, it is retired and disposed as soon as no call holds a lease.
/// </summary>
/// <param name="chain">The entries it was built from, the called one first.</param>
/// <param name="generation">The registry load it was built from; an older load never replaces it.</param>
/// <param name="parts">The entry clients a serving client calls through, leased with it.</param>
/// <param name="build">Builds the client.</param>
/// <param name="ownsClient">Whether disposing the slot disposes the client (not when it is an entry client's own).</param>
internal sealed class ClientSlot(ModelEntry[] chain, long generation, ClientSlot[] parts, Func<IChatClient> build, bool ownsClient)
{
    /// <summary>The value of <see cref="_leases"/> once disposed: no lease can be taken any more.</summary>
    private const int Disposed = int.MinValue;

    private int _leases;
    private int _retired;

    public ModelEntry[] Chain { get; } = chain;

    public long Generation { get; } = generation;

    public Lazy<IChatClient> Client { get; } = new(build, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The registry snapshot this slot was last found current for (a stale read only costs one more check).</summary>
    public object? ConfirmedFor { get; set; }

    /// <summary>Whether the slot's client has been disposed.</summary>
    public bool IsDisposed => Volatile.Read(ref _leases) == Disposed;

    public bool IsFor(ModelEntry[] entries) =>
        Chain.Length == entries.Length && Chain.Zip(entries).All(pair => pair.First.HasSameDefinition(pair.Second));

    /// <summary>Leases the slot and its parts for one call; <see langword="false"/> when one was disposed meanwhile.</summary>
    public bool TryAcquire()
    {
        if (!TryAcquireSelf())
        {
            return false;
        }

        for (var i = 0; i < parts.Length; i++)
        {
            if (!parts[i].TryAcquireSelf())
            {
                for (var j = 0; j < i; j++)
                {
                    parts[j].ReleaseSelf();
                }

                ReleaseSelf();
                return false;
            }
        }

        return true;
    }

    /// <summary>Ends a lease taken by <see cref="TryAcquire"/>.</summary>
    public void Release()
    {
        foreach (var part in parts)
        {
            part.ReleaseSelf();
        }

        ReleaseSelf();
    }

    /// <summary>Marks the slot replaced: its client is disposed now if no call holds it, else when the last one ends.</summary>
    public void Retire()
    {
        Volatile.Write(ref _retired, 1);
        DisposeIfIdle();
    }

    /// <summary>Disposes the client whatever holds it (the registry is being disposed).</summary>
    public void DisposeNow()
    {
        if (Interlocked.Exchange(ref _leases, Disposed) != Disposed)
        {
            DisposeClient();
        }
    }

    private bool TryAcquireSelf()
    {
        while (true)
        {
            var leases = Volatile.Read(ref _leases);
            if (leases == Disposed)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _leases, leases + 1, leases) == leases)
            {
                return true;
            }
        }
    }

    private void ReleaseSelf()
    {
        if (Interlocked.Decrement(ref _leases) == 0 && Volatile.Read(ref _retired) == 1)
        {
            DisposeIfIdle();
        }
    }

    private void DisposeIfIdle()
    {
        // Retire and the last release both get here; the exchange lets exactly one of them dispose.
        if (Interlocked.CompareExchange(ref _leases, Disposed, 0) == 0)
        {
            DisposeClient();
        }
    }

    private void DisposeClient()
    {
        if (ownsClient && Client.IsValueCreated)
        {
            Client.Value.Dispose();
        }
    }
}
