using Microsoft.Extensions.AI;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelRegistry.Providers;

namespace ModelRegistry.Conversations.Tests;

/// <summary>Provider <c>scripted</c>: each entry is served by the test's <see cref="ScriptedModel"/> of the same name.</summary>
internal sealed class ScriptedProvider(IReadOnlyDictionary<string, ScriptedModel> models) : IChatClientProvider
{
    public string Name => "scripted";

    public IReadOnlyList<EntrySetting> Settings => [];

    public ProviderFeatures Features => ProviderFeatures.None;

    public IChatClient CreateChatClient(ModelEntry entry, IServiceProvider services) => models[entry.Name];

    public IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(ModelEntry entry, IServiceProvider services) => throw new NotSupportedException();

    public Task<HealthCheckResult> CheckHealthAsync(ModelEntry entry, IServiceProvider services, CancellationToken cancellationToken) => Task.FromResult(HealthCheckResult.Healthy());
}
