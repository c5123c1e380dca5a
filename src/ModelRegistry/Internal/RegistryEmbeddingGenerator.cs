using Microsoft.Extensions.AI;

namespace ModelRegistry.Internal;

/// <summary>
/// The embedding generator handed out for a registry name: costs nothing to create; on each call it asks the registry
/// for the entry's generator (loading the registry and building the generator on first use) and forwards the call.
/// </summary>
internal sealed class RegistryEmbeddingGenerator(ModelRegistryService registry, string name) : IEmbeddingGenerator<string, Embedding<float>>
{
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var generator = await registry.GetEmbeddingGeneratorAsync(name, cancellationToken).ConfigureAwait(false);
        return await generator.GenerateAsync(values, options, cancellationToken).ConfigureAwait(false);
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose()
    {
        // The registry owns the generators it built.
    }

    public override string ToString() => $"model registry embedding generator '{name}'";
}
