using Microsoft.Extensions.AI;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelRegistry.Providers;

namespace ModelRegistry.Anthropic.Internal;

/// <summary>Provider <c>anthropic</c> of the registry: builds clients per entry, doing no I/O, and probes entries without spending tokens.</summary>
internal sealed class AnthropicChatClientProvider : IChatClientProvider
{
    public string Name => AnthropicProtocol.ProviderName;

    public IReadOnlyList<EntrySetting> Settings => AnthropicProtocol.Settings;

    /// <summary>
    /// What the mapping covers: tools, reasoning (extended thinking with signatures), images, PDF and text documents,
    /// cache reads and writes in usage, structured output (through a forced tool, which every Messages endpoint
    /// serves) and token counting (<c>count_tokens</c>). No embeddings (the API has none).
    /// </summary>
    public ProviderFeatures Features =>
        ProviderFeatures.Tools | ProviderFeatures.Reasoning | ProviderFeatures.Images | ProviderFeatures.Documents | ProviderFeatures.PromptCacheUsage
        | ProviderFeatures.StructuredOutput | ProviderFeatures.TokenCounting;

    public IChatClient CreateChatClient(ModelEntry entry, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(services);
        return new AnthropicChatClient(AnthropicApi.ForEntry(entry, services), entry.ModelId);
    }

    public IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(ModelEntry entry, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(entry);
        throw new ModelRegistryException(
            $"Model registry entry '{entry.Name}' uses provider anthropic, which generates no embeddings (the Messages API has none). " +
            "Add an entry for an embedding model of another provider (bedrock, mistral).");
    }

    public Task<HealthCheckResult> CheckHealthAsync(ModelEntry entry, IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(services);
        return AnthropicProbe.CheckModelAsync(AnthropicApi.ForEntry(entry, services), entry.ModelId, cancellationToken);
    }
}
