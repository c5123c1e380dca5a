using Microsoft.Extensions.AI;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelRegistry.Mistral.Internal;

namespace ModelRegistry.Mistral;

/// <summary>
/// Direct use of Mistral without the registry: chat clients for models and agents, embedding generators and a token-free
/// health probe, all sharing one endpoint, key, HTTP client and retry policy (<see cref="MistralClientOptions"/>).
/// Creating it and its clients does no I/O; the key is read on the first call.
/// </summary>
public sealed class MistralClient
{
    private readonly MistralApi _api;

    /// <summary>Creates a client; with no options, for the public API with the key in <c>MISTRAL_API_KEY</c>.</summary>
    /// <param name="options">Endpoint, key, HTTP client, retry policy, clock, logging and environment.</param>
    /// <exception cref="ArgumentException">The endpoint is not an absolute http(s) URL.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A resilience option is out of range.</exception>
    public MistralClient(MistralClientOptions? options = null)
    {
        _api = MistralApi.ForClient(options ?? new MistralClientOptions());
    }

    /// <summary>An <see cref="IChatClient"/> over <c>/v1/chat/completions</c> for a model.</summary>
    /// <param name="modelId">The model id, e.g. <c>mistral-large-latest</c>; <see cref="ChatOptions.ModelId"/> overrides it per call.</param>
    /// <exception cref="ArgumentException">The model id is blank, <c>.</c> or <c>..</c>, or holds control characters.</exception>
    public IChatClient AsIChatClient(string modelId)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        return new MistralChatClient(_api, MistralNames.RequireModelId(modelId, nameof(modelId)), agentId: null);
    }

    /// <summary>
    /// An <see cref="IChatClient"/> over <c>/v1/agents/completions</c> for an agent made in Mistral's console or Agents
    /// API. The agent carries its own model, instructions and sampling settings, so <c>model</c>, <c>temperature</c>,
    /// <c>top_p</c> and <c>safe_prompt</c> are not sent.
    /// </summary>
    /// <param name="agentId">The agent id, e.g. <c>ag:3996db2b:20250101:support:1</c>.</param>
    /// <exception cref="ArgumentException">The agent id is blank, <c>.</c> or <c>..</c>, or holds control characters.</exception>
    public IChatClient AsIAgentChatClient(string agentId)
    {
        ArgumentNullException.ThrowIfNull(agentId);
        return new MistralChatClient(_api, MistralNames.RequireModelId(agentId, nameof(agentId)), agentId);
    }

    /// <summary>
    /// An embedding generator over <c>/v1/embeddings</c> (<c>mistral-embed</c>, <c>codestral-embed</c>); inputs are batched
    /// under the API's limits. <see cref="EmbeddingGenerationOptions.ModelId"/> overrides the model per call.
    /// </summary>
    /// <param name="modelId">The embedding model id.</param>
    /// <exception cref="ArgumentException">The model id is blank, <c>.</c> or <c>..</c>, or holds control characters.</exception>
    public IEmbeddingGenerator<string, Embedding<float>> AsIEmbeddingGenerator(string modelId)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        return new MistralEmbeddingGenerator(_api, MistralNames.RequireModelId(modelId, nameof(modelId)));
    }

    /// <summary>
    /// Probes a model without spending tokens (<c>GET /v1/models/{id}</c>): healthy when the key may use it; degraded when
    /// Mistral flags it deprecated (the data hold <c>deprecation_date</c>, <c>replacement_model</c>,
    /// <c>max_context_length</c>); unhealthy, with the reason, when the key is missing or refused, the model is unknown or
    /// the API cannot be reached. Never throws for an unhealthy model.
    /// </summary>
    /// <param name="modelId">The model id.</param>
    /// <param name="cancellationToken">Cancels the probe.</param>
    public Task<HealthCheckResult> CheckHealthAsync(string modelId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        return MistralProbe.CheckModelAsync(_api, modelId, cancellationToken);
    }
}
