using Microsoft.Extensions.AI;

namespace ModelRegistry.Providers;

/// <summary>
/// The <c>GetService</c> answer every provider's own chat client and embedding generator gives, so they all answer alike:
/// nothing for a keyed request, the metadata (<see cref="ChatClientMetadata"/>, <see cref="EmbeddingGeneratorMetadata"/>)
/// for its type, the instance itself for a type it is, else nothing.
/// </summary>
public static class ProviderServices
{
    /// <summary>Answers <see cref="IChatClient.GetService"/> or <see cref="IEmbeddingGenerator.GetService"/> for a provider's leaf client.</summary>
    /// <param name="instance">The client or generator asked (<see langword="this"/>).</param>
    /// <param name="metadata">Its metadata object, returned when <paramref name="serviceType"/> is exactly its type.</param>
    /// <param name="serviceType">The type asked for.</param>
    /// <param name="serviceKey">The key asked for; any key finds nothing.</param>
    /// <exception cref="ArgumentNullException"><paramref name="serviceType"/> is <see langword="null"/>.</exception>
    public static object? GetService(object instance, object metadata, Type serviceType, object? serviceKey)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == metadata.GetType() ? metadata
            : serviceType.IsInstanceOfType(instance) ? instance
            : null;
    }
}
