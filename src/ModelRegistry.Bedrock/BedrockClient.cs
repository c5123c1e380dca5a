using Microsoft.Extensions.AI;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelRegistry.Bedrock.Internal;

namespace ModelRegistry.Bedrock;

/// <summary>
/// Direct use of Amazon Bedrock without a model registry: chat clients over Converse and ConverseStream (which also
/// count tokens: <c>GetService&lt;IChatTokenCounter&gt;()</c>), embedding generators over InvokeModel, and the token-free
/// health check. Creating the client and its chat clients does no I/O; the API key or AWS credentials and the region
/// are resolved on the first call. Every chat client and generator of one <see cref="BedrockClient"/> shares its
/// connection and credentials.
/// </summary>
public sealed class BedrockClient
{
    private readonly BedrockClientOptions _options;
    private readonly BedrockConnection _connection;

    /// <summary>Creates a client.</summary>
    /// <param name="options">The options; default the AWS chain's credentials and region, and the public endpoints.</param>
    /// <exception cref="ArgumentException">An option is malformed; the message names it.</exception>
    public BedrockClient(BedrockClientOptions? options = null)
    {
        _options = options ?? new BedrockClientOptions();
        if (BedrockClientOptions.Problem(_options) is { } problem)
        {
            throw new ArgumentException($"BedrockClientOptions.{problem}", nameof(options));
        }

        _connection = BedrockConnection.ForClient(_options);
    }

    /// <summary>A chat client for a model id, e.g. <c>anthropic.claude-haiku-4-5-20251001-v1:0</c> or <c>eu.amazon.nova-micro-v1:0</c>.</summary>
    /// <param name="modelId">The model id or inference profile id; a per-call <c>ChatOptions.ModelId</c> overrides it.</param>
    /// <exception cref="ArgumentException">The model id is empty, <c>.</c> or <c>..</c>, or an invalid ARN.</exception>
    public IChatClient AsIChatClient(string modelId) => AsIChatClient(modelId, null);

    /// <summary>
    /// A chat client that calls an inference profile ARN (an application inference profile, say), while the base model id
    /// tells the model family, and so which request fields the model accepts.
    /// </summary>
    /// <param name="modelId">The base model id, e.g. <c>anthropic.claude-haiku-4-5-20251001-v1:0</c>.</param>
    /// <param name="inferenceProfileArn">The ARN called, e.g. <c>arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/abc</c>; its region is the default region.</param>
    /// <exception cref="ArgumentException">The model id or the ARN is invalid.</exception>
    public IChatClient AsIChatClient(string modelId, string? inferenceProfileArn) =>
        new BedrockChatClient(_connection, BedrockSettings.ForModel(_options, modelId, inferenceProfileArn));

    /// <summary>
    /// An embedding generator for Amazon Titan Text Embeddings v1/v2, Cohere Embed v3/v4 or Amazon Nova embeddings.
    /// A per-call <c>EmbeddingGenerationOptions.ModelId</c> overrides the model.
    /// </summary>
    /// <param name="modelId">The model id, e.g. <c>amazon.titan-embed-text-v2:0</c>.</param>
    /// <exception cref="ArgumentException">The model id is invalid.</exception>
    /// <exception cref="NotSupportedException">The model is not an embedding model of those families.</exception>
    public IEmbeddingGenerator<string, Embedding<float>> AsIEmbeddingGenerator(string modelId) => AsIEmbeddingGenerator(modelId, null);

    /// <summary>An embedding generator that calls an inference profile ARN, while the base model id tells the request body.</summary>
    /// <param name="modelId">The base model id, e.g. <c>amazon.titan-embed-text-v2:0</c>.</param>
    /// <param name="inferenceProfileArn">The ARN called; its region is the default region.</param>
    /// <exception cref="ArgumentException">The model id or the ARN is invalid.</exception>
    /// <exception cref="NotSupportedException">The model is not an embedding model of those families.</exception>
    public IEmbeddingGenerator<string, Embedding<float>> AsIEmbeddingGenerator(string modelId, string? inferenceProfileArn)
    {
        var settings = BedrockSettings.ForModel(_options, modelId, inferenceProfileArn);
        return BedrockEmbeddingGenerator.KindOf(settings.ModelId) is null
            ? throw new NotSupportedException($"Bedrock model '{settings.ModelId}' generates no embeddings; {BedrockEmbeddingGenerator.SupportedModels} do.")
            : new BedrockEmbeddingGenerator(_connection, settings);
    }

    /// <summary>
    /// Checks, without spending tokens, that credentials resolve and that the control plane reports the model available
    /// to the account (<c>GET /foundation-model-availability/{modelId}</c>). Never throws for an unhealthy model.
    /// </summary>
    /// <param name="modelId">The model id; a geographic prefix such as <c>eu.</c> is looked through.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <exception cref="ArgumentException">The model id is invalid.</exception>
    public Task<HealthCheckResult> CheckHealthAsync(string modelId, CancellationToken cancellationToken = default) =>
        BedrockHealthProbe.CheckAsync(_connection, BedrockSettings.ForModel(_options, modelId, null), cancellationToken);
}
