using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using ModelRegistry.Providers;
using ModelRegistry.Testing;

namespace ModelRegistry.Tests.Support;

/// <summary>
/// The kit's testwire provider, registered by <c>AddTestWire()</c>, seen through a counter of what the registry asks of
/// it (embedding generators built, health probes run), so a test can tell a memoised generator from a rebuilt one.
/// Models whose id holds <c>chat</c> generate no embeddings, as a provider's chat-only models do.
/// </summary>
internal sealed class CountingProvider(IChatClientProvider inner) : IChatClientProvider
{
    private int _embeddingGeneratorsBuilt;
    private int _probes;

    public string Name => inner.Name;

    public IReadOnlyList<EntrySetting> Settings => inner.Settings;

    public ProviderFeatures Features => inner.Features;

    /// <summary>How many embedding generators it has built.</summary>
    public int EmbeddingGeneratorsBuilt => Volatile.Read(ref _embeddingGeneratorsBuilt);

    /// <summary>How many health probes it has run.</summary>
    public int Probes => Volatile.Read(ref _probes);

    /// <summary>Adds testwire to <paramref name="builder"/>, counted: the returned provider replaces the one <c>AddTestWire()</c> registers.</summary>
    public static CountingProvider AddTestWire(ModelRegistryBuilder builder)
    {
        builder.AddTestWire();
        var registered = builder.Services.Single(d => d.ServiceType == typeof(IChatClientProvider) && d.ImplementationType == typeof(TestWireProvider));
        var counting = new CountingProvider(new TestWireProvider(Options.Create(new TestWireClientOptions())));
        builder.Services.Remove(registered);
        builder.Services.AddSingleton<IChatClientProvider>(counting);
        return counting;
    }

    public IChatClient CreateChatClient(ModelEntry entry, IServiceProvider services) => inner.CreateChatClient(entry, services);

    public IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(ModelEntry entry, IServiceProvider services)
    {
        if (entry.ModelId.Contains("chat", StringComparison.Ordinal))
        {
            throw new ModelRegistryException($"Model '{entry.Name}' ({entry.ModelId}) generates no embeddings; use an embedding model such as tiny-embed.");
        }

        Interlocked.Increment(ref _embeddingGeneratorsBuilt);
        return inner.CreateEmbeddingGenerator(entry, services);
    }

    public Task<HealthCheckResult> CheckHealthAsync(ModelEntry entry, IServiceProvider services, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _probes);
        return inner.CheckHealthAsync(entry, services, cancellationToken);
    }
}
