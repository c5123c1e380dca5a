using Microsoft.Extensions.AI;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelRegistry.Providers;

namespace ModelRegistry.Emf.Tests.TestSupport;

/// <summary>A test provider that only chats: no settings of its own, no embeddings, always healthy.</summary>
internal abstract class ChatOnlyProvider : IChatClientProvider
{
    public string Name => "fake";

    public IReadOnlyList<EntrySetting> Settings => [];

    public ProviderFeatures Features => ProviderFeatures.None;

    public abstract IChatClient CreateChatClient(ModelEntry entry, IServiceProvider services);

    public IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(ModelEntry entry, IServiceProvider services) =>
        throw new ModelRegistryException($"Model '{entry.Name}' uses provider 'fake', which generates no embeddings.");

    public Task<HealthCheckResult> CheckHealthAsync(ModelEntry entry, IServiceProvider services, CancellationToken cancellationToken) =>
        Task.FromResult(HealthCheckResult.Healthy());
}
