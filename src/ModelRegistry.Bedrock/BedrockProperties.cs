namespace ModelRegistry.Bedrock;

/// <summary>
/// The <c>AdditionalProperties</c> keys the Bedrock clients read and write: on <c>ChatOptions</c> (request), on
/// responses and updates (what Bedrock answered beside the message), on content, in usage counts, and on
/// <c>EmbeddingGenerationOptions</c>. Any other <c>ChatOptions</c> key is not sent.
/// </summary>
public static class BedrockProperties
{
    /// <summary>
    /// On <c>ChatOptions</c> or a tool: a boolean, <c>toolSpec.strict</c> (MEAI's name). A tool's own value wins; the
    /// options' value is every other tool's, and the forced structured-output tool's.
    /// </summary>
    public const string Strict = "strict";

    /// <summary>On <c>ChatOptions</c>: <c>true</c>, <c>"5m"</c> or <c>"1h"</c> puts a <c>cachePoint</c> (with that time to live) after the tools.</summary>
    public const string ToolsCachePoint = "toolsCachePoint";

    /// <summary>On <c>ChatOptions</c>: a JSON object merged into <c>additionalModelRequestFields</c> (its fields win over those the client maps, such as <c>thinking</c>).</summary>
    public const string AdditionalModelRequestFields = "additionalModelRequestFields";

    /// <summary>On <c>ChatOptions</c>: <c>guardrailConfig</c>, as given, for an entry without <c>guardrail_identifier</c> (the entry's guardrail is not replaced per call).</summary>
    public const string GuardrailConfig = "guardrailConfig";

    /// <summary>
    /// On <c>ChatOptions</c>: <c>performanceConfig</c> (the object, or the latency alone: <c>standard</c>, <c>optimized</c>)
    /// for an entry without <c>performance_latency</c>. On a response: what Bedrock applied.
    /// </summary>
    public const string PerformanceConfig = "performanceConfig";

    /// <summary>
    /// On <c>ChatOptions</c>: <c>serviceTier</c> (the object, or the type alone: <c>priority</c>, <c>default</c>,
    /// <c>flex</c>, <c>reserved</c>) for an entry without <c>service_tier</c>. On a response: what Bedrock applied.
    /// </summary>
    public const string ServiceTier = "serviceTier";

    /// <summary>On <c>ChatOptions</c>: <c>requestMetadata</c>, string pairs for invocation logs, as given.</summary>
    public const string RequestMetadata = "requestMetadata";

    /// <summary>On <c>ChatOptions</c>: <c>additionalModelResponseFieldPaths</c>, JSON pointers such as <c>/stop_sequence</c>, as given.</summary>
    public const string AdditionalModelResponseFieldPaths = "additionalModelResponseFieldPaths";

    /// <summary>On <c>ChatOptions</c>: <c>promptVariables</c> of a Prompt management ARN, as given.</summary>
    public const string PromptVariables = "promptVariables";

    /// <summary>On <c>ChatOptions</c>: <c>outputConfig</c>, as given; wins over the one a JSON <c>ResponseFormat</c> makes.</summary>
    public const string OutputConfig = "outputConfig";

    /// <summary>On a response (and its message): <c>additionalModelResponseFields</c>, the model-specific fields asked for with <see cref="AdditionalModelResponseFieldPaths"/>.</summary>
    public const string AdditionalModelResponseFields = "additionalModelResponseFields";

    /// <summary>On a response or the final updates: <c>trace</c>, the guardrail's assessments and the prompt router's choice.</summary>
    public const string Trace = "trace";

    /// <summary>On a response or the final update: Bedrock's own <c>stopReason</c>, e.g. <c>guardrail_intervened</c>, besides the mapped finish reason.</summary>
    public const string StopReason = "stopReason";

    /// <summary>On a response or the final update: <c>metrics.latencyMs</c>, a <see cref="long"/>.</summary>
    public const string LatencyMs = "LatencyMs";

    /// <summary>In <c>UsageDetails.AdditionalCounts</c>: the input tokens written to the prompt cache (<c>cacheWriteInputTokens</c>); the registry-wide <see cref="RegistryProperties.CacheWriteInputTokens"/>.</summary>
    public const string CacheWriteInputTokens = RegistryProperties.CacheWriteInputTokens;

    /// <summary>
    /// On <c>TextReasoningContent</c>: the base64 bytes of a <c>redactedContent</c> reasoning block, which goes back
    /// unchanged in the next turn.
    /// </summary>
    public const string RedactedContent = "redactedContent";

    /// <summary>On an <c>s3://</c> <c>UriContent</c>: the account that owns the bucket (<c>s3Location.bucketOwner</c>).</summary>
    public const string BucketOwner = "bucketOwner";

    /// <summary>On a document's content, when <c>DataContent.Name</c> is unset: the document's name.</summary>
    public const string DocumentName = "name";

    /// <summary>On <c>EmbeddingGenerationOptions</c>: a boolean, Titan v2's <c>normalize</c> (default true).</summary>
    public const string Normalize = "normalize";

    /// <summary>On <c>EmbeddingGenerationOptions</c>: Cohere's <c>input_type</c> (default <c>search_document</c>).</summary>
    public const string InputType = "input_type";

    /// <summary>On <c>EmbeddingGenerationOptions</c>: <c>truncate</c> for Cohere and Nova (<c>NONE</c>, the default, <c>START</c>, <c>END</c>).</summary>
    public const string Truncate = "truncate";

    /// <summary>On <c>EmbeddingGenerationOptions</c>: Cohere Embed v4's <c>max_tokens</c>.</summary>
    public const string MaxTokens = "max_tokens";

    /// <summary>On <c>EmbeddingGenerationOptions</c>: Nova's <c>embeddingPurpose</c> (default <c>GENERIC_INDEX</c>).</summary>
    public const string EmbeddingPurpose = "embedding_purpose";
}
