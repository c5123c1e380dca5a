namespace ModelRegistry.Bedrock.Internal;

/// <summary>
/// What a model family accepts beyond the common Converse fields, read from the model id (a geographic prefix such as
/// <c>us.</c> or <c>global.</c> and an ARN's resource path are looked through).
/// </summary>
internal sealed class ModelFamily
{
    private static readonly string[] GeoPrefixes = ["us.", "eu.", "apac.", "global.", "us-gov.", "ca.", "jp.", "au."];

    private ModelFamily(string baseId)
    {
        BaseId = baseId;
    }

    /// <summary>The model id without geographic prefix, lower case: <c>anthropic.claude-sonnet-4-5-20250929-v1:0</c>.</summary>
    public string BaseId { get; }

    /// <summary>The provider part of the id: <c>anthropic</c>, <c>amazon</c>, <c>meta</c>...</summary>
    public string Provider => BaseId.Split('.')[0];

    public bool IsAnthropic => Provider == "anthropic";

    public bool IsNova => BaseId.StartsWith("amazon.nova", StringComparison.Ordinal);

    public bool IsOpenAi => Provider == "openai";

    /// <summary>
    /// Whether <c>top_k</c> is accepted in additionalModelRequestFields, and under which shape: Anthropic takes
    /// <c>{"top_k": k}</c>, Amazon Nova <c>{"inferenceConfig": {"topK": k}}</c>. Others reject unknown keys.
    /// </summary>
    public bool AcceptsTopK => IsAnthropic || IsNova;

    /// <summary>
    /// Whether toolResult blocks may carry <c>status</c>. Writer Palmyra models are sent none, as the recorded traffic of
    /// a client that works with them shows; a failed result is then told by its text alone.
    /// </summary>
    public bool AcceptsToolResultStatus => Provider != "writer";

    /// <summary>
    /// Whether Bedrock's native structured output (<c>outputConfig.textFormat</c>) is documented for the family:
    /// Claude 4.5 and later, and the open-weight families Qwen, MiniMax, Mistral Large 3, NVIDIA Nemotron, Z.AI GLM,
    /// DeepSeek and OpenAI gpt-oss.
    /// </summary>
    public bool SupportsNativeStructuredOutput =>
        (IsAnthropic && (BaseId.Contains("-4-5", StringComparison.Ordinal) || BaseId.Contains("-4-6", StringComparison.Ordinal)
            || BaseId.Contains("-4-7", StringComparison.Ordinal) || BaseId.Contains("-4-8", StringComparison.Ordinal)
            || BaseId.Contains("-5-", StringComparison.Ordinal)))
        || Provider is "qwen" or "minimax" or "nvidia" or "zai" or "deepseek" or "openai"
        || BaseId.StartsWith("mistral.mistral-large-3", StringComparison.Ordinal);

    /// <summary>The family of a model id or ARN.</summary>
    public static ModelFamily Of(string modelId)
    {
        var id = modelId.Trim().ToLowerInvariant();
        if (id.StartsWith("arn:", StringComparison.Ordinal))
        {
            var slash = id.LastIndexOf('/');
            id = slash >= 0 ? id[(slash + 1)..] : id;
        }

        foreach (var prefix in GeoPrefixes)
        {
            if (id.StartsWith(prefix, StringComparison.Ordinal) && id.Count(c => c == '.') >= 2)
            {
                id = id[prefix.Length..];
                break;
            }
        }

        return new ModelFamily(id);
    }
}
