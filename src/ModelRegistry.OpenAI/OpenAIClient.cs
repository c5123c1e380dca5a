using Microsoft.Extensions.AI;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelRegistry.OpenAI.Internal;

namespace ModelRegistry.OpenAI;

/// <summary>
/// Direct use of a Chat Completions or Responses server without the registry (OpenAI, Bedrock Mantle, or a self-hosted
/// OpenAI-compatible server): chat clients, embedding generators and a token-free health probe, all sharing one endpoint, key, HTTP client
/// and retry policy (<see cref="OpenAIClientOptions"/>). Creating it and its clients does no I/O; the key is read on
/// the first call.
/// </summary>
public sealed class OpenAIClient
{
    private readonly OpenAIApi _api;

    /// <summary>Creates a client; with no options, for OpenAI's API with the key in <c>OPENAI_API_KEY</c>.</summary>
    /// <param name="options">Endpoint or region, flavour, key, HTTP client, retry policy, clock, logging and environment.</param>
    /// <exception cref="ArgumentException">The endpoint, region or max tokens field is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A resilience option is out of range.</exception>
    public OpenAIClient(OpenAIClientOptions? options = null)
    {
        _api = OpenAIApi.ForClient(options ?? new OpenAIClientOptions());
    }

    /// <summary>
    /// An <see cref="IChatClient"/> for a model over <c>{base}/chat/completions</c>, or over <c>{base}/responses</c> when
    /// <see cref="OpenAIClientOptions.Api"/> is <see cref="OpenAIWireApi.Responses"/>.
    /// </summary>
    /// <param name="modelId">The model id, e.g. <c>gpt-4.1-mini</c> or, on Mantle, <c>openai.gpt-oss-120b</c>; <see cref="ChatOptions.ModelId"/> overrides it per call.</param>
    /// <exception cref="ArgumentException">The model id is blank, <c>.</c> or <c>..</c>, or holds control characters.</exception>
    public IChatClient AsIChatClient(string modelId)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        return _api.CreateChatClient(OpenAINames.RequireModelId(modelId, nameof(modelId)));
    }

    /// <summary>
    /// An embedding generator over <c>{base}/embeddings</c> (e.g. <c>text-embedding-3-small</c>); inputs go in batches of
    /// at most 2,048. <see cref="EmbeddingGenerationOptions.ModelId"/> overrides the model per call and
    /// <see cref="EmbeddingGenerationOptions.Dimensions"/> is sent as <c>dimensions</c>.
    /// </summary>
    /// <param name="modelId">The embedding model id.</param>
    /// <exception cref="ArgumentException">The model id is blank, <c>.</c> or <c>..</c>, or holds control characters.</exception>
    public IEmbeddingGenerator<string, Embedding<float>> AsIEmbeddingGenerator(string modelId)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        return new OpenAIEmbeddingGenerator(_api, OpenAINames.RequireModelId(modelId, nameof(modelId)));
    }

    /// <summary>
    /// Probes a model without spending tokens (<c>GET {base}/models</c>): for flavour openai, healthy when the model is
    /// listed for the key; for a generic server, healthy when the list answers. Unhealthy, with the reason, when the key
    /// is missing or refused, the model is not listed or the server cannot be reached. Never throws for an unhealthy model.
    /// </summary>
    /// <param name="modelId">The model id.</param>
    /// <param name="cancellationToken">Cancels the probe.</param>
    public Task<HealthCheckResult> CheckHealthAsync(string modelId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        return OpenAIProbe.CheckAsync(_api, modelId, cancellationToken);
    }
}
