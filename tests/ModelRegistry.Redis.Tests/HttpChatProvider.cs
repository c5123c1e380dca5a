using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelRegistry.Providers;

namespace ModelRegistry.Redis.Tests;

/// <summary>
/// A minimal provider over real HTTP for the end-to-end tests: POST {endpoint}chat {"model","prompt"} → {"text"}.
/// It lets the tests count what reached the "model" on the replay server and what the limits stopped before it.
/// </summary>
internal sealed class HttpChatProvider : IChatClientProvider
{
    public string Name => "http";

    public IReadOnlyList<EntrySetting> Settings { get; } = [EntrySettings.Url("endpoint")];

    public ProviderFeatures Features => ProviderFeatures.None;

    public IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(ModelEntry entry, IServiceProvider services) =>
        throw new ModelRegistryException($"Model '{entry.Name}' uses provider 'http', which generates no embeddings.");

    public Task<HealthCheckResult> CheckHealthAsync(ModelEntry entry, IServiceProvider services, CancellationToken cancellationToken) =>
        Task.FromResult(HealthCheckResult.Healthy());

    public IChatClient CreateChatClient(ModelEntry entry, IServiceProvider services) => new Client(entry, new Uri(entry.GetSetting("endpoint")!));

    private sealed class Client(ModelEntry entry, Uri endpoint) : IChatClient
    {
        private readonly HttpClient _http = new();

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            using var response = await _http.PostAsJsonAsync(
                new Uri(endpoint, "chat"),
                new JsonObject { ["model"] = entry.ModelId, ["prompt"] = string.Concat(messages.Select(m => m.Text)) },
                cancellationToken);
            response.EnsureSuccessStatusCode();
            var json = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!;
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, (string?)json["text"])) { ModelId = entry.ModelId };
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("The test provider does not stream.");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose() => _http.Dispose();
    }
}
