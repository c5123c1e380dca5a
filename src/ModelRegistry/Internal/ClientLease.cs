using Microsoft.Extensions.AI;

namespace ModelRegistry.Internal;

/// <summary>One call's hold on the client of its entry: the client, the options to call it with, and the release.</summary>
internal readonly struct ClientLease(ClientSlot slot, ChatOptions? options) : IDisposable
{
    /// <summary>The slot leased.</summary>
    public ClientSlot Slot => slot;

    /// <summary>The client (built on first use).</summary>
    public IChatClient Client => slot.Client.Value;

    /// <summary>The caller's options, without a <c>ModelId</c> that chose the entry.</summary>
    public ChatOptions? Options => options;

    public void Dispose() => slot.Release();
}
