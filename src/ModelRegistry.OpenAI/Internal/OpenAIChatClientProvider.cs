using Microsoft.Extensions.AI;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelRegistry.Providers;

namespace ModelRegistry.OpenAI.Internal;

/// <summary>Provider <c>openai</c> of the registry: builds clients per entry, doing no I/O, and probes entries without spending tokens.</summary>
internal sealed class OpenAIChatClientProvider : IChatClientProvider
{
    public string Name => OpenAIProtocol.ProviderName;

    public IReadOnlyList<EntrySetting> Settings => OpenAIProtocol.Settings;

    /// <summary>
    /// What the mapping covers, on both APIs; usage reports cached prompt tokens (reads; cache writes only where the server
    /// reports them, as Mantle's Responses API does). No token counting endpoint.
    /// </summary>
    public ProviderFeatures Features =>
        ProviderFeatures.Tools | ProviderFeatures.StructuredOutput | ProviderFeatures.Reasoning | ProviderFeatures.Images
        | ProviderFeatures.Documents | ProviderFeatures.Embeddings | ProviderFeatures.PromptCacheUsage;

    public IChatClient CreateChatClient(ModelEntry entry, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(services);
        return OpenAIApi.ForEntry(entry, services).CreateChatClient(entry.ModelId);
    }

    public IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(ModelEntry entry, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(services);
        return new OpenAIEmbeddingGenerator(OpenAIApi.ForEntry(entry, services), entry.ModelId);
    }

    public Task<HealthCheckResult> CheckHealthAsync(ModelEntry entry, IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(services);
        return OpenAIProbe.CheckAsync(OpenAIApi.ForEntry(entry, services), entry.ModelId, cancellationToken);
    }
}
