using Microsoft.Extensions.AI;

namespace ModelRegistry.Bedrock.Internal;

/// <summary>The registry's provider <c>bedrock</c>. Creating a client reads settings only: no I/O until the first call.</summary>
internal sealed class BedrockChatClientProvider : IChatClientProvider
{
    public string Name => "bedrock";

    public IChatClient CreateChatClient(ModelEntry entry, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(services);
        return new BedrockChatClient(BedrockTransportFactory.FromEntry(entry, services));
    }
}
