using Microsoft.Extensions.AI;

namespace ModelRegistry.Testing.TestWire;

/// <summary>testwire's embedding generator: <c>POST v1/models/{model}/embed</c>, honouring <see cref="EmbeddingGenerationOptions.ModelId"/>.</summary>
internal sealed class TestWireEmbeddingGenerator(TestWireConnection connection, string modelId) : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly EmbeddingGeneratorMetadata _metadata = new(TestWireProvider.ProviderName, connection.Endpoint, modelId);

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var inputs = values.ToList();
        var model = options?.ModelId ?? modelId;
        var uri = connection.ModelUri(model, options?.ModelId is null ? "The entry's model_id" : "EmbeddingGenerationOptions.ModelId", "embed");
        var request = await connection.CreateRequestAsync(HttpMethod.Post, uri, TestWireRequestWriter.Embed(inputs), stream: false, cancellationToken).ConfigureAwait(false);
        return await connection.Transport.SendAsync(request, response => TestWireResponseReader.ReadEmbeddings(response, inputs.Count, model), cancellationToken).ConfigureAwait(false);
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
        // Nothing of its own to release.
    }
}
