using ModelRegistry.Providers;

namespace ModelRegistry.OpenAI;

/// <summary>
/// Options of the OpenAI clients. For direct use, pass them to <see cref="OpenAIClient"/>; with the registry, set them in
/// <c>AddOpenAI(options => ...)</c> as defaults for every <c>openai</c> entry (an entry's own <c>endpoint</c>,
/// <c>region</c>, <c>flavour</c>, <c>api</c> and <c>api_key</c> settings win).
/// </summary>
/// <remarks>
/// The endpoint is the API's base URL including its version segment, as OpenAI's own SDKs take it:
/// <c>https://api.openai.com/v1</c> (the default), <c>https://bedrock-mantle.us-east-1.api.aws/v1</c>,
/// <c>http://localhost:11434/v1</c>. When <see cref="ProviderClientOptions.Endpoint"/> is unset and <see cref="Region"/>
/// is set, the endpoint is Bedrock Mantle's in that region. The key, when <see cref="ProviderClientOptions.ApiKey"/> is
/// unset, comes from <c>AWS_BEARER_TOKEN_BEDROCK</c> for a Mantle endpoint and from <c>OPENAI_API_KEY</c> for any other
/// endpoint of flavour <see cref="OpenAIFlavour.OpenAI"/>; a <see cref="OpenAIFlavour.Generic"/> server gets a key only
/// when one is given explicitly, so an OpenAI key never reaches a self-hosted server by accident.
/// </remarks>
public sealed class OpenAIClientOptions : ProviderClientOptions
{
    /// <summary>An AWS region such as <c>us-east-1</c>: with no <see cref="ProviderClientOptions.Endpoint"/>, the endpoint is <c>https://bedrock-mantle.{region}.api.aws/v1</c>.</summary>
    public string? Region { get; set; }

    /// <summary>What kind of server the endpoint is; <see cref="OpenAIFlavour.OpenAI"/> by default.</summary>
    public OpenAIFlavour Flavour { get; set; }

    /// <summary>
    /// Which API the chat clients speak; <see cref="OpenAIWireApi.ChatCompletions"/> by default. With
    /// <see cref="OpenAIWireApi.Responses"/> and a <see cref="Region"/> but no endpoint, the endpoint is Mantle's
    /// Responses base <c>https://bedrock-mantle.{region}.api.aws/openai/v1</c>.
    /// </summary>
    public OpenAIWireApi Api { get; set; }

    /// <summary>
    /// The request field that carries <c>ChatOptions.MaxOutputTokens</c>: <c>max_completion_tokens</c> (the default for
    /// flavour <see cref="OpenAIFlavour.OpenAI"/>: OpenAI deprecated <c>max_tokens</c> and its reasoning models refuse
    /// it) or <c>max_tokens</c> (the default for <see cref="OpenAIFlavour.Generic"/>: every compatible server knows it,
    /// and older ones ignore <c>max_completion_tokens</c>, so the limit would silently not apply).
    /// </summary>
    public string? MaxTokensField { get; set; }

    /// <summary>
    /// Whether the model takes <c>reasoning_effort</c>; unset means the documented rule (flavour
    /// <see cref="OpenAIFlavour.OpenAI"/>: model ids of OpenAI's reasoning families <c>o1</c>, <c>o3</c>, <c>o4</c>,
    /// <c>gpt-5</c> and <c>gpt-oss</c>, with or without a <c>openai.</c> prefix; <see cref="OpenAIFlavour.Generic"/>: always).
    /// </summary>
    public bool? ReasoningEffortSupported { get; set; }
}
