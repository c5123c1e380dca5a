using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Mistral.Internal;

namespace ModelRegistry.Mistral;

/// <summary>
/// Direct use of Mistral without the registry: a chat client, an embedding generator and a token-free model probe over
/// an <see cref="HttpClient"/> you own. The clients retry like registry clients do (<see cref="MistralClientOptions.Resilience"/>);
/// give the HttpClient an infinite <see cref="HttpClient.Timeout"/> so the retry policy's attempt timeout governs.
/// </summary>
public static class MistralAI
{
    /// <summary>Creates an <see cref="IChatClient"/> for a Mistral model (or, with <see cref="MistralClientOptions.AgentId"/>, an agent).</summary>
    /// <param name="httpClient">The HttpClient to send with; not disposed by the client.</param>
    /// <param name="modelId">The model id, e.g. <c>mistral-large-latest</c>; <see cref="ChatOptions.ModelId"/> overrides it per call.</param>
    /// <param name="options">Key, endpoint, retry policy and clock; defaults read the key from <c>MISTRAL_API_KEY</c>.</param>
    public static IChatClient CreateChatClient(HttpClient httpClient, string modelId, MistralClientOptions? options = null) =>
        new MistralChatClient(MistralConnections.ForDirectUse(httpClient, options), modelId, options?.AgentId);

    /// <summary>
    /// Creates an embedding generator for a Mistral embedding model (<c>mistral-embed</c>, <c>codestral-embed</c>).
    /// <see cref="EmbeddingGenerationOptions.Dimensions"/> maps to <c>output_dimension</c>, the additional property
    /// <c>output_dtype</c> to <c>output_dtype</c>; inputs are batched under the API's limits.
    /// </summary>
    /// <param name="httpClient">The HttpClient to send with; not disposed by the generator.</param>
    /// <param name="modelId">The embedding model id.</param>
    /// <param name="options">Key, endpoint, retry policy and clock.</param>
    public static IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(HttpClient httpClient, string modelId, MistralClientOptions? options = null) =>
        new MistralEmbeddingGenerator(MistralConnections.ForDirectUse(httpClient, options), modelId);

    /// <summary>
    /// Probes a model without spending tokens (<c>GET /v1/models/{id}</c>): succeeds when the key is valid and may use the
    /// model, and reports deprecation. Failures throw <see cref="ModelProviderException"/> (404 for an unknown model, 401 for a bad key).
    /// </summary>
    /// <param name="httpClient">The HttpClient to send with.</param>
    /// <param name="modelId">The model id.</param>
    /// <param name="options">Key, endpoint, retry policy and clock.</param>
    /// <param name="cancellationToken">Cancels the probe.</param>
    public static Task<MistralModelStatus> CheckModelAsync(
        HttpClient httpClient, string modelId, MistralClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        return ProbeAsync(MistralConnections.ForDirectUse(httpClient, options), modelId, cancellationToken);
    }

    /// <summary>
    /// Probes the model of a registry entry with provider <c>mistral</c>, with the entry's key, endpoint and retry policy,
    /// without spending tokens. Suits a readiness check.
    /// </summary>
    /// <param name="services">The application's services (holding the registry and <c>AddMistral()</c>).</param>
    /// <param name="registryName">The registry name; <see langword="null"/> for the default model.</param>
    /// <param name="cancellationToken">Cancels the probe.</param>
    /// <exception cref="ModelRegistryException">The entry is unknown or is not a Mistral entry.</exception>
    public static async Task<MistralModelStatus> CheckModelAsync(
        IServiceProvider services, string? registryName = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        var registry = services.GetService<IModelRegistry>() ?? throw new ModelRegistryException(
            "CheckModelAsync(services, name) needs the model registry: call services.AddModelRegistry().AddMistral().");
        var entry = await registry.GetEntryAsync(registryName, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(entry.Provider, MistralConnection.ProviderName, StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelRegistryException(
                $"Model '{entry.Name}' uses provider '{entry.Provider}', not mistral, so the Mistral model probe cannot check it.");
        }

        return await ProbeAsync(MistralConnections.ForEntry(entry, services), entry.ModelId, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<MistralModelStatus> ProbeAsync(MistralConnection connection, string modelId, CancellationToken cancellationToken)
    {
        using var response = await connection
            .SendAsync(HttpMethod.Get, "models/" + Uri.EscapeDataString(modelId), null, streaming: false, modelId, cancellationToken)
            .ConfigureAwait(false);
        string? header = response.Headers.TryGetValues("x-model-deprecation-timestamp", out var values) ? values.FirstOrDefault() : null;
        using var document = await connection.ReadJsonAsync(response, cancellationToken).ConfigureAwait(false);
        var card = document.RootElement;
        var deprecation = card.ValueKind == JsonValueKind.Object ? ChatResponseReader.ReadString(card, "deprecation") : null;
        var date = ParseDate(header) ?? ParseDate(deprecation);
        return new MistralModelStatus
        {
            ModelId = (card.ValueKind == JsonValueKind.Object ? ChatResponseReader.ReadString(card, "id") : null) ?? modelId,
            IsDeprecated = !string.IsNullOrWhiteSpace(header) || !string.IsNullOrWhiteSpace(deprecation),
            DeprecationDate = date,
            ReplacementModelId = card.ValueKind == JsonValueKind.Object ? ChatResponseReader.ReadString(card, "deprecation_replacement_model") : null,
            MaxContextLength = card.ValueKind == JsonValueKind.Object && card.TryGetProperty("max_context_length", out var length) && length.TryGetInt32(out var tokens) ? tokens : null,
        };
    }

    /// <summary>An ISO 8601 date-time, or Unix seconds.</summary>
    private static DateTimeOffset? ParseDate(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
        {
            return DateTimeOffset.FromUnixTimeSeconds(seconds);
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date) ? date : null;
    }
}
