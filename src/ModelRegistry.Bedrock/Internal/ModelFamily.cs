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
    /// Whether Nova's built-in code interpreter (<c>systemTool</c> <c>nova_code_interpreter</c>) is there: the Nova 2
    /// models; the first Nova generation has no system tools.
    /// </summary>
    public bool HasCodeInterpreter => BaseId.StartsWith("amazon.nova-2", StringComparison.Ordinal);

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
    /// Whether Bedrock's native structured output (<c>outputConfig.textFormat</c>) is documented for the family: Claude
    /// 4.5 and later, and the open-weight families Qwen, MiniMax, Mistral Large 3, NVIDIA Nemotron, Z.AI GLM, DeepSeek,
    /// OpenAI gpt-oss, Google Gemma (<c>google.gemma-*</c>) and Moonshot Kimi (<c>moonshot.kimi-*</c> and
    /// <c>moonshotai.kimi-*</c>: Bedrock lists Kimi models under both prefixes).
    /// </summary>
    public bool SupportsNativeStructuredOutput =>
        (IsAnthropic && ClaudeVersion >= new Version(4, 5))
        || Provider is "qwen" or "minimax" or "nvidia" or "zai" or "deepseek" or "openai" or "moonshot" or "moonshotai"
        || BaseId.StartsWith("google.gemma", StringComparison.Ordinal)
        || BaseId.StartsWith("mistral.mistral-large-3", StringComparison.Ordinal);

    /// <summary>
    /// Whether the model thinks adaptively (<c>thinking.type</c> <c>adaptive</c>, depth set by
    /// <c>output_config.effort</c>): Claude 4.6 and later, Mythos and Fable. Claude 4.7 and later refuse the older
    /// <c>budget_tokens</c> form.
    /// </summary>
    public bool HasAdaptiveThinking =>
        IsAnthropic && (ClaudeVersion >= new Version(4, 6) || BaseId.Contains("mythos", StringComparison.Ordinal) || BaseId.Contains("fable", StringComparison.Ordinal));

    /// <summary>
    /// The Claude generation read from the id (<c>claude-3-7-sonnet-…</c> is 3.7, <c>claude-sonnet-4-…</c> 4.0,
    /// <c>claude-opus-4-6-v1</c> 4.6, <c>claude-opus-5</c> 5.0); <see langword="null"/> for other models or ids without one.
    /// Dates and <c>v1</c> suffixes are not version parts.
    /// </summary>
    public Version? ClaudeVersion
    {
        get
        {
            var start = BaseId.IndexOf("claude-", StringComparison.Ordinal);
            if (!IsAnthropic || start < 0)
            {
                return null;
            }

            var parts = BaseId[(start + "claude-".Length)..].Split('-', ':');
            for (var i = 0; i < parts.Length; i++)
            {
                if (IsVersionPart(parts[i], out var major))
                {
                    var minor = i + 1 < parts.Length && IsVersionPart(parts[i + 1], out var m) ? m : 0;
                    return new Version(major, minor);
                }
            }

            return null;
        }
    }

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

    /// <summary>A one- or two-digit number: a version part, not a date (<c>20250929</c>).</summary>
    private static bool IsVersionPart(string part, out int value) =>
        int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value) && part.Length <= 2;
}
