using Microsoft.Extensions.AI;

namespace ModelRegistry.Mistral.Internal;

/// <summary>Provider <c>mistral</c> of the registry: builds a <see cref="MistralChatClient"/> per entry, doing no I/O.</summary>
internal sealed class MistralChatClientProvider : IChatClientProvider
{
    public string Name => MistralConnection.ProviderName;

    public IChatClient CreateChatClient(ModelEntry entry, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(services);
        return new MistralChatClient(MistralConnections.ForEntry(entry, services), entry.ModelId, entry.GetSetting("agent_id"));
    }
}
