using Microsoft.Extensions.AI;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelRegistry.Anthropic.Internal;

namespace ModelRegistry.Anthropic;

/// <summary>
/// Direct use of the Anthropic Messages API without the registry, on api.anthropic.com or Amazon Bedrock Mantle: chat
/// clients and a token-free health probe, sharing one endpoint, key, HTTP client and retry policy
/// (<see cref="AnthropicClientOptions"/>). Creating it and its clients does no I/O; the key is read on the first call.
/// </summary>
public sealed class AnthropicClient
{
    private readonly AnthropicApi _api;

    /// <summary>Creates a client; with no options, for api.anthropic.com with the key in <c>ANTHROPIC_API_KEY</c>.</summary>
    /// <param name="options">Endpoint or region, key, HTTP client, retry policy, clock, logging and environment.</param>
    /// <exception cref="ArgumentException">The endpoint, region or unavailable features are invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The output limit or a resilience option is out of range.</exception>
    public AnthropicClient(AnthropicClientOptions? options = null)
    {
        _api = AnthropicApi.ForClient(options ?? new AnthropicClientOptions());
    }

    /// <summary>An <see cref="IChatClient"/> over <c>/v1/messages</c> for a model.</summary>
    /// <param name="modelId">The model id, e.g. <c>claude-sonnet-4-5</c>, or on Mantle <c>anthropic.claude-opus-4-7</c> (sent as given); <see cref="ChatOptions.ModelId"/> overrides it per call.</param>
    /// <exception cref="ArgumentException">The model id is blank, <c>.</c> or <c>..</c>, or holds control characters.</exception>
    public IChatClient AsIChatClient(string modelId)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        return new AnthropicChatClient(_api, modelId);
    }

    /// <summary>
    /// Probes a model without spending tokens (<c>GET /v1/models/{id}</c>; on Mantle at the region's root): healthy when
    /// the key may use it; unhealthy, with the reason, when the key is missing or refused, the model is unknown or the
    /// API cannot be reached. Never throws for an unhealthy model.
    /// </summary>
    /// <param name="modelId">The model id.</param>
    /// <param name="cancellationToken">Cancels the probe.</param>
    public Task<HealthCheckResult> CheckHealthAsync(string modelId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        return AnthropicProbe.CheckModelAsync(_api, modelId, cancellationToken);
    }
}
