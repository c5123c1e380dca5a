using Microsoft.Extensions.AI;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelRegistry.Mistral.Internal;

namespace ModelRegistry.Mistral;

/// <summary>
/// Direct use of Mistral without the registry: chat clients for models and agents (over chat completions, or over the
/// Conversations API with <see cref="MistralClientOptions.Conversations"/>), a conversation's history, embedding generators
/// and a token-free health probe, all sharing one endpoint, key, HTTP client and retry policy
/// (<see cref="MistralClientOptions"/>). Creating it and its clients does no I/O; the key is read on the first call.
/// </summary>
public sealed class MistralClient
{
    private readonly MistralApi _api;
    private readonly bool _conversations;

    /// <summary>Creates a client; with no options, for the public API with the key in <c>MISTRAL_API_KEY</c>.</summary>
    /// <param name="options">Endpoint, key, HTTP client, retry policy, clock, logging and environment.</param>
    /// <exception cref="ArgumentException">The endpoint is not an absolute http(s) URL.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A resilience option is out of range.</exception>
    public MistralClient(MistralClientOptions? options = null)
    {
        options ??= new MistralClientOptions();
        _api = MistralApi.ForClient(options);
        _conversations = options.Conversations;
    }

    /// <summary>An <see cref="IChatClient"/> over <c>/v1/chat/completions</c> (or <c>/v1/conversations</c>, see <see cref="MistralClientOptions.Conversations"/>) for a model.</summary>
    /// <param name="modelId">The model id, e.g. <c>mistral-large-latest</c>; <see cref="ChatOptions.ModelId"/> overrides it per call.</param>
    /// <exception cref="ArgumentException">The model id is blank, <c>.</c> or <c>..</c>, or holds control characters.</exception>
    public IChatClient AsIChatClient(string modelId)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        return new MistralChatClient(_api, MistralNames.RequireModelId(modelId, nameof(modelId)), agentId: null, conversations: _conversations);
    }

    /// <summary>
    /// An <see cref="IChatClient"/> over <c>/v1/agents/completions</c> (or <c>/v1/conversations</c> with <c>agent_id</c>, see
    /// <see cref="MistralClientOptions.Conversations"/>) for an agent made in Mistral's console or Agents API. The agent carries
    /// its own model, instructions and sampling settings, so <c>model</c>, <c>temperature</c>, <c>top_p</c> and
    /// <c>safe_prompt</c> are not sent to agent completions.
    /// </summary>
    /// <param name="agentId">The agent id, e.g. <c>ag:3996db2b:20250101:support:1</c>.</param>
    /// <exception cref="ArgumentException">The agent id is blank, <c>.</c> or <c>..</c>, or holds control characters.</exception>
    public IChatClient AsIAgentChatClient(string agentId)
    {
        ArgumentNullException.ThrowIfNull(agentId);
        return new MistralChatClient(_api, MistralNames.RequireModelId(agentId, nameof(agentId)), agentId, conversations: _conversations);
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

    /// <summary>
    /// Every entry of a conversation, in the order they were added (<c>GET /v1/conversations/{id}/history</c>): one
    /// <see cref="ChatMessage"/> per entry, whose <see cref="ChatMessage.MessageId"/> is the entry id (from which
    /// <see cref="MistralProperties.FromEntryId"/> restarts): user and assistant messages, function calls and results, and the
    /// built-in connectors Mistral ran (web search, code interpreter, image generation) as MEAI's hosted tool contents.
    /// </summary>
    /// <param name="conversationId">The conversation, as a response's <see cref="ChatResponse.ConversationId"/> gave it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ModelProviderException">The call failed; for a conversation Mistral does not know, not retryable, naming it.</exception>
    /// <exception cref="ArgumentException">The id is blank, <c>.</c> or <c>..</c>, or holds control characters.</exception>
    public Task<IReadOnlyList<ChatMessage>> GetConversationHistoryAsync(string conversationId, CancellationToken cancellationToken = default) =>
        MistralConversations.GetEntriesAsync(_api, conversationId, messagesOnly: false, cancellationToken);

    /// <summary>
    /// Only the user and assistant messages of a conversation (<c>GET /v1/conversations/{id}/messages</c>), as
    /// <see cref="GetConversationHistoryAsync"/> maps them.
    /// </summary>
    /// <param name="conversationId">The conversation, as a response's <see cref="ChatResponse.ConversationId"/> gave it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ModelProviderException">The call failed; for a conversation Mistral does not know, not retryable, naming it.</exception>
    /// <exception cref="ArgumentException">The id is blank, <c>.</c> or <c>..</c>, or holds control characters.</exception>
    public Task<IReadOnlyList<ChatMessage>> GetConversationMessagesAsync(string conversationId, CancellationToken cancellationToken = default) =>
        MistralConversations.GetEntriesAsync(_api, conversationId, messagesOnly: true, cancellationToken);
}
