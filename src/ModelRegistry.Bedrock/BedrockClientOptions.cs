using Microsoft.Extensions.Logging;

namespace ModelRegistry.Bedrock;

/// <summary>
/// Settings of a Bedrock client created directly with <see cref="BedrockClients"/>, outside a model registry.
/// Registry entries carry the same settings as snake_case keys (<c>region</c>, <c>endpoint</c>, ...).
/// </summary>
public sealed class BedrockClientOptions
{
    /// <summary>The model id, e.g. <c>anthropic.claude-haiku-4-5-20251001-v1:0</c> or <c>eu.amazon.nova-micro-v1:0</c>. Required.</summary>
    public string ModelId { get; set; } = string.Empty;

    /// <summary>An inference profile ARN to call instead of <see cref="ModelId"/>; the model id then still tells the model family.</summary>
    public string? InferenceProfileArn { get; set; }

    /// <summary>The AWS region; when unset, the ARN's region, then the AWS chain (<c>AWS_REGION</c>, the profile).</summary>
    public string? Region { get; set; }

    /// <summary>The runtime endpoint; default <c>https://bedrock-runtime.{region}.amazonaws.com</c>.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>The control-plane endpoint used by the health check; default <c>https://bedrock.{region}.amazonaws.com</c>.</summary>
    public Uri? ControlPlaneEndpoint { get; set; }

    /// <summary>
    /// A Bedrock API key sent as <c>Authorization: Bearer</c>. When unset, <c>AWS_BEARER_TOKEN_BEDROCK</c> is used if set,
    /// else SigV4 with the AWS default credential chain.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>How JSON response formats are requested. Default <see cref="BedrockStructuredOutputMode.Auto"/>.</summary>
    public BedrockStructuredOutputMode StructuredOutput { get; set; }

    /// <summary>The HTTP client; default a shared one. Its timeout is not used: attempts time out by <see cref="Resilience"/>.</summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>The retry policy; default <see cref="ProviderResilienceOptions"/>'s defaults.</summary>
    public ProviderResilienceOptions? Resilience { get; set; }

    /// <summary>The clock for signing, retries and timestamps; default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Logging; default none.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Fixed credentials instead of the AWS chain; for tests only.</summary>
    internal Internal.AwsSigningCredentials? Credentials { get; set; }
}
