using Microsoft.Extensions.AI;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelRegistry.Benchmarks.Infrastructure;
using ModelRegistry.Providers;

namespace ModelRegistry.Benchmarks.Registry;

/// <summary>Provider <c>answering</c>: every entry gets an <see cref="AnsweringChatClient"/>, so registry benchmarks measure the registry alone.</summary>
internal sealed class AnsweringProvider : IChatClientProvider
{
    public string Name => "answering";

    public IReadOnlyList<EntrySetting> Settings => [];

    public ProviderFeatures Features => ProviderFeatures.None;

    public IChatClient CreateChatClient(ModelEntry entry, IServiceProvider services) => new AnsweringChatClient();

    public IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(ModelEntry entry, IServiceProvider services) =>
        throw new ModelRegistryException("The answering provider generates no embeddings.");

    public Task<HealthCheckResult> CheckHealthAsync(ModelEntry entry, IServiceProvider services, CancellationToken cancellationToken) =>
        Task.FromResult(HealthCheckResult.Healthy());

    /// <summary>
    /// A registry of four entries with the provider, as JSON in the SSM/Terraform format; <c>unguarded</c> turns its
    /// circuit breaker off, to show what the (default-on) breaker costs per call.
    /// </summary>
    public const string RegistryJson = """
        {
          "fast":  { "provider": "answering", "model_id": "fast-v1" },
          "smart": { "provider": "answering", "model_id": "smart-v2", "fallbacks": ["fast"] },
          "cheap": { "provider": "answering", "model_id": "cheap-v1" },
          "unguarded": { "provider": "answering", "model_id": "fast-v1", "circuit_breaker": { "enabled": false } }
        }
        """;
}
