using Microsoft.Extensions.AI;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelRegistry.Providers;

namespace ModelRegistry.Testing;

/// <summary>A provider for registry tests (name <c>fake</c>): each client answers "entry-name/model-id"; counts the clients it builds.</summary>
public sealed class FakeProvider : IChatClientProvider
{
    private int _built;

    /// <inheritdoc />
    public string Name => "fake";

    /// <summary>The keys its entries may carry besides the registry's own; none unless a test declares some.</summary>
    public IReadOnlyList<EntrySetting> Settings { get; init; } = [];

    /// <inheritdoc />
    public ProviderFeatures Features => ProviderFeatures.None;

    /// <summary>How many clients it has built.</summary>
    public int Built => Volatile.Read(ref _built);

    /// <summary>What the health probe reports; healthy by default.</summary>
    public HealthCheckResult Health { get; set; } = HealthCheckResult.Healthy("fake model available");

    /// <inheritdoc />
    public IChatClient CreateChatClient(ModelEntry entry, IServiceProvider services)
    {
        Interlocked.Increment(ref _built);
        Thread.Yield(); // widen the window a racy cache would lose in
        return new FakeChatClient(entry);
    }

    /// <inheritdoc />
    public IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(ModelEntry entry, IServiceProvider services) =>
        throw new ModelRegistryException($"Model '{entry.Name}' uses provider 'fake', which generates no embeddings.");

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(ModelEntry entry, IServiceProvider services, CancellationToken cancellationToken) => Task.FromResult(Health);
}
