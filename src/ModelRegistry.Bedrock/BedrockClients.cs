using Microsoft.Extensions.AI;
using ModelRegistry.Bedrock.Internal;

namespace ModelRegistry.Bedrock;

/// <summary>
/// Direct use of Bedrock without a model registry: a chat client over Converse, an embedding generator over
/// InvokeModel, and the token-free health check. Creating a client does no I/O; credentials and region are resolved
/// on the first call.
/// </summary>
public static class BedrockClients
{
    /// <summary>Creates a chat client over the Converse and ConverseStream API.</summary>
    /// <param name="options">The model and connection settings.</param>
    /// <exception cref="ArgumentException">The options are incomplete or malformed.</exception>
    public static IChatClient CreateChatClient(BedrockClientOptions options) =>
        new BedrockChatClient(BedrockTransportFactory.FromOptions(options));

    /// <summary>Creates an embedding generator for Amazon Titan Text v2, Cohere Embed v3/v4 or Amazon Nova embeddings.</summary>
    /// <param name="options">The model and connection settings.</param>
    /// <exception cref="NotSupportedException">The model id is not an embedding model of those families.</exception>
    public static IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(BedrockClientOptions options) =>
        new BedrockEmbeddingGenerator(BedrockTransportFactory.FromOptions(options));

    /// <summary>
    /// Checks, without spending tokens, that credentials resolve and that the control plane reports the model
    /// available to the account (<c>GET /foundation-model-availability/{modelId}</c>).
    /// </summary>
    /// <param name="options">The model and connection settings.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    public static Task<BedrockHealthResult> CheckHealthAsync(BedrockClientOptions options, CancellationToken cancellationToken = default) =>
        BedrockHealthProbe.CheckAsync(BedrockTransportFactory.FromOptions(options), cancellationToken);

    /// <summary>The same check for a registry entry of provider <c>bedrock</c>, with the application's services.</summary>
    /// <param name="entry">The registry entry.</param>
    /// <param name="services">The application's services (secret resolver, HttpClient factory, options).</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <exception cref="ModelRegistryException">The entry is not a bedrock entry, or its settings are invalid.</exception>
    public static Task<BedrockHealthResult> CheckHealthAsync(ModelEntry entry, IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(services);
        if (!string.Equals(entry.Provider, "bedrock", StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelRegistryException(
                $"Model '{entry.Name}' uses provider '{entry.Provider}', not bedrock, so the Bedrock health check cannot check it.");
        }

        return BedrockHealthProbe.CheckAsync(BedrockTransportFactory.FromEntry(entry, services), cancellationToken);
    }
}
