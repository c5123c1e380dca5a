using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelRegistry.Providers;

namespace ModelRegistry.Tests;

/// <summary>
/// A registry provider (name <c>http</c>) speaking <see cref="Support.TinyWire"/> through the kit, so registry-level
/// behaviour (retries, fallback, breakers, limits, embeddings, health, secrets) is tested over real loopback HTTP.
/// Entry keys: <c>endpoint</c> (required URL) and <c>api_key</c> (a secret reference, sent as <c>x-tiny-key</c>).
/// </summary>
internal sealed class HttpTestProvider : IChatClientProvider
{
    public static readonly EntrySetting<Uri> Endpoint = EntrySettings.Url("endpoint", "http://127.0.0.1:8080/");
    public static readonly EntrySetting<string> ApiKey = EntrySettings.SecretReference("api_key");

    public string Name => "http";

    public IReadOnlyList<EntrySetting> Settings { get; } = [Endpoint, ApiKey];

    public ProviderFeatures Features => ProviderFeatures.Embeddings;

    private int _embeddingGeneratorsBuilt;
    private int _probes;

    /// <summary>How many embedding generators it has built.</summary>
    public int EmbeddingGeneratorsBuilt => Volatile.Read(ref _embeddingGeneratorsBuilt);

    /// <summary>How many health probes it has run.</summary>
    public int Probes => Volatile.Read(ref _probes);

    public IChatClient CreateChatClient(ModelEntry entry, IServiceProvider services) => new Client(Wire.For(entry, services));

    public IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(ModelEntry entry, IServiceProvider services)
    {
        if (entry.ModelId.Contains("chat", StringComparison.Ordinal))
        {
            throw new ModelRegistryException($"Model '{entry.Name}' ({entry.ModelId}) generates no embeddings; use an embedding model such as tiny-embed.");
        }

        Interlocked.Increment(ref _embeddingGeneratorsBuilt);
        return new Embedder(Wire.For(entry, services));
    }

    public async Task<HealthCheckResult> CheckHealthAsync(ModelEntry entry, IServiceProvider services, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _probes);
        var wire = Wire.For(entry, services);
        try
        {
            using var response = await wire.Transport.SendAsync(
                new ProviderRequest { Method = HttpMethod.Get, Uri = new Uri(wire.Endpoint, "v1/health/" + ProviderRequest.PathSegment(entry.ModelId, "model_id")) },
                cancellationToken);
            return HealthCheckResult.Healthy($"{entry.ModelId} available");
        }
        catch (ModelProviderException ex)
        {
            return HealthCheckResult.Unhealthy(ex.Message, ex);
        }
    }

    private sealed record Wire(ProviderTransport Transport, ProviderApiKey Key, Uri Endpoint, ModelEntry Entry)
    {
        public static Wire For(ModelEntry entry, IServiceProvider services) => new(
            ProviderTransport.ForEntry(Support.TinyWire.Protocol, entry, services),
            ProviderApiKey.ForEntry(entry, services, ApiKey, null, ["TINY_API_KEY"]),
            HttpTestProvider.Endpoint.TryGetValue(entry, out var endpoint) ? endpoint : throw new ModelRegistryException($"Model registry entry '{entry.Name}' needs \"endpoint\"."),
            entry);
    }

    private sealed class Client(Wire wire) : IChatClient
    {
        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var key = await wire.Key.GetAsync(cancellationToken);
            var answer = await wire.Transport.SendAsync(
                Support.TinyWire.Chat(wire.Endpoint, wire.Entry.ModelId, string.Concat(messages.Select(m => m.Text)), key),
                Support.TinyWire.ReadAnswer,
                cancellationToken);
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, answer.Text))
            {
                ModelId = wire.Entry.ModelId,
                Usage = new UsageDetails { InputTokenCount = answer.InputTokens, OutputTokenCount = answer.OutputTokens },
            };
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var key = await wire.Key.GetAsync(cancellationToken);
            var request = Support.TinyWire.Chat(wire.Endpoint, wire.Entry.ModelId, string.Concat(messages.Select(m => m.Text)), key, stream: true);
            await foreach (var text in wire.Transport.StreamAsync(request, Support.TinyWire.ReadEvents, cancellationToken))
            {
                yield return new ChatResponseUpdate(ChatRole.Assistant, text) { ModelId = wire.Entry.ModelId };
            }
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    private sealed class Embedder(Wire wire) : IEmbeddingGenerator<string, Embedding<float>>
    {
        public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var key = await wire.Key.GetAsync(cancellationToken);
            var vectors = await wire.Transport.SendAsync(
                Support.TinyWire.Embed(wire.Endpoint, options?.ModelId ?? wire.Entry.ModelId, values, key), Support.TinyWire.ReadEmbeddings, cancellationToken);
            return [.. vectors.Select(v => new Embedding<float>(v) { ModelId = options?.ModelId ?? wire.Entry.ModelId })];
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
