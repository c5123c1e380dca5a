using Microsoft.Extensions.AI;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelRegistry.Providers;

namespace ModelRegistry;

/// <summary>
/// A provider's contract with the registry: the entry keys it reads, what it supports, and the chat client, embedding
/// generator and token-free health probe of an entry. Provider packages register one (<c>AddBedrock()</c>,
/// <c>AddMistral()</c>) on the builder that <c>AddModelRegistry()</c> returns, and build everything on the provider kit
/// (<see cref="ProviderTransport"/>) so that they send, retry, time out and fail alike.
/// </summary>
public interface IChatClientProvider
{
    /// <summary>The provider name entries use in their <c>provider</c> field, e.g. <c>bedrock</c>. Compared ignoring case.</summary>
    string Name { get; }

    /// <summary>
    /// Every entry key the provider reads, with its rule. The registry validates each entry of this provider against them
    /// (and its own keys) when it loads: any other key, or a value breaking its rule, fails the load.
    /// </summary>
    IReadOnlyList<EntrySetting> Settings { get; }

    /// <summary>What the provider supports beyond text chat and streaming.</summary>
    ProviderFeatures Features { get; }

    /// <summary>
    /// Creates the chat client for <paramref name="entry"/>. Called once per entry definition, under the registry's lock,
    /// so it must do no I/O: read secrets and resolve credentials on the first call instead.
    /// </summary>
    /// <param name="entry">The registry entry, validated against <see cref="Settings"/>.</param>
    /// <param name="services">The application's services.</param>
    IChatClient CreateChatClient(ModelEntry entry, IServiceProvider services);

    /// <summary>Creates the embedding generator for <paramref name="entry"/>, doing no I/O.</summary>
    /// <param name="entry">The registry entry.</param>
    /// <param name="services">The application's services.</param>
    /// <exception cref="ModelRegistryException">The provider or the entry's model does not generate embeddings; the message says which models do.</exception>
    IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(ModelEntry entry, IServiceProvider services);

    /// <summary>
    /// Checks, without spending tokens, that the entry's model can be called: credentials resolve and the provider reports
    /// the model available. Never throws for an unhealthy model: the result says what is wrong.
    /// </summary>
    /// <param name="entry">The registry entry.</param>
    /// <param name="services">The application's services.</param>
    /// <param name="cancellationToken">Cancels the probe.</param>
    Task<HealthCheckResult> CheckHealthAsync(ModelEntry entry, IServiceProvider services, CancellationToken cancellationToken);
}
