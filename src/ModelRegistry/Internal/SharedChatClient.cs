using Microsoft.Extensions.AI;

namespace ModelRegistry.Internal;

/// <summary>An entry client handed to a user pipeline, whose middleware disposes its inner client: the registry disposes this one.</summary>
internal sealed class SharedChatClient(IChatClient inner) : DelegatingChatClient(inner)
{
    protected override void Dispose(bool disposing)
    {
        // The registry owns the entry's client and disposes it when the entry is replaced.
    }
}
