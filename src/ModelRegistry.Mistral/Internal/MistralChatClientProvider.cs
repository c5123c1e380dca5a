using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using ModelRegistry.Providers;

namespace ModelRegistry.Mistral.Internal;

/// <summary>Provider <c>mistral</c> of the registry: builds clients per entry, doing no I/O, and probes entries without spending tokens.</summary>
internal sealed class MistralChatClientProvider : IChatClientProvider
{
    public string Name => MistralProtocol.ProviderName;

    public IReadOnlyList<EntrySetting> Settings => MistralProtocol.Settings;

    /// <summary>What the mapping covers; usage reports cached prompt tokens (reads only: Mistral reports no cache writes). No token counting endpoint.</summary>
    public ProviderFeatures Features =>
        ProviderFeatures.Tools | ProviderFeatures.StructuredOutput | ProviderFeatures.Reasoning | ProviderFeatures.Images
        | ProviderFeatures.Documents | ProviderFeatures.Embeddings | ProviderFeatures.PromptCacheUsage;

    public IChatClient CreateChatClient(ModelEntry entry, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(services);
        var conversations = MistralProtocol.Conversations.GetValueOrDefault(entry, services.GetService<IOptions<MistralClientOptions>>()?.Value.Conversations ?? false);
        return new MistralChatClient(MistralApi.ForEntry(entry, services), entry.ModelId, AgentOf(entry), MistralGuardrail.ForEntry(entry), conversations);
    }

    public IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(ModelEntry entry, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(services);
        if (AgentOf(entry) is not null)
        {
            throw new ModelRegistryException(
                $"Model registry entry '{entry.Name}' is a Mistral agent (agent_id), which generates no embeddings. Add an entry for an embedding model such as mistral-embed or codestral-embed.");
        }

        return new MistralEmbeddingGenerator(MistralApi.ForEntry(entry, services), entry.ModelId);
    }

    public Task<HealthCheckResult> CheckHealthAsync(ModelEntry entry, IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(services);
        var api = MistralApi.ForEntry(entry, services);
        return AgentOf(entry) is { } agent
            ? MistralProbe.CheckAgentAsync(api, agent, cancellationToken)
            : MistralProbe.CheckModelAsync(api, entry.ModelId, cancellationToken);
    }

    private static string? AgentOf(ModelEntry entry) => MistralProtocol.AgentId.TryGetValue(entry, out var agent) ? agent : null;
}
