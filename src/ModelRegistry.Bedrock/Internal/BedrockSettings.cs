using System.Text.RegularExpressions;
using ModelRegistry.Providers;

namespace ModelRegistry.Bedrock.Internal;

/// <summary>
/// The settings of one Bedrock model, from a registry entry (validated by the registry against <see cref="Declared"/>
/// when it loads) or from <see cref="BedrockClientOptions"/> and the model id of direct use.
/// </summary>
internal sealed partial record BedrockSettings
{
    /// <summary>The environment variable holding a Bedrock API key, as the AWS SDKs name it.</summary>
    public const string BearerTokenVariable = "AWS_BEARER_TOKEN_BEDROCK";

    public static readonly EntrySetting<string> RegionSetting = EntrySettings.AwsRegion("region");

    /// <summary>The ARN resource types Bedrock accepts where a model id goes (botocore's ConversationalModelId).</summary>
    public static readonly EntrySetting<string> InferenceProfileArnSetting = EntrySettings.AwsArn(
        "inference_profile_arn", "bedrock", "application-inference-profile", "inference-profile", "foundation-model", "provisioned-model",
        "custom-model-deployment", "custom-model", "imported-model", "prompt-router", "default-prompt-router", "prompt");

    public static readonly EntrySetting<Uri> EndpointSetting = EntrySettings.Url("endpoint", "https://bedrock-runtime.eu-west-1.amazonaws.com");

    public static readonly EntrySetting<Uri> ControlPlaneEndpointSetting = EntrySettings.Url("control_plane_endpoint", "https://bedrock.eu-west-1.amazonaws.com");

    public static readonly EntrySetting<string> ApiKeySetting = EntrySettings.SecretReference("api_key");

    public static readonly EntrySetting<BedrockStructuredOutputMode> StructuredOutputSetting = EntrySettings.Choice(
        "structured_output", ("auto", BedrockStructuredOutputMode.Auto), ("native", BedrockStructuredOutputMode.Native), ("tool", BedrockStructuredOutputMode.Tool));

    public static readonly EntrySetting<string> GuardrailIdentifierSetting = EntrySettings.Text(
        "guardrail_identifier", "a guardrail id such as abc123xyz or its ARN (arn:aws:bedrock:REGION:ACCOUNT:guardrail/ID)", GuardrailIdentifierPattern().IsMatch);

    public static readonly EntrySetting<string> GuardrailVersionSetting = EntrySettings.Text(
        "guardrail_version", "DRAFT or a version number from 1 to 99999999", GuardrailVersionPattern().IsMatch);

    public static readonly EntrySetting<string> GuardrailTraceSetting = Words("guardrail_trace", "enabled", "disabled", "enabled_full");

    public static readonly EntrySetting<string> GuardrailStreamProcessingModeSetting = Words("guardrail_stream_processing_mode", "sync", "async");

    public static readonly EntrySetting<string> ServiceTierSetting = Words("service_tier", "priority", "default", "flex", "reserved");

    public static readonly EntrySetting<string> PerformanceLatencySetting = Words("performance_latency", "standard", "optimized");

    /// <summary>Every key a <c>bedrock</c> entry may carry besides the registry's own.</summary>
    public static readonly IReadOnlyList<EntrySetting> Declared =
    [
        RegionSetting, InferenceProfileArnSetting, EndpointSetting, ControlPlaneEndpointSetting, ApiKeySetting, StructuredOutputSetting,
        GuardrailIdentifierSetting, GuardrailVersionSetting, GuardrailTraceSetting, GuardrailStreamProcessingModeSetting, ServiceTierSetting, PerformanceLatencySetting,
    ];

    private BedrockSettings(string modelId)
    {
        ModelId = modelId;
    }

    /// <summary>The model id (the model family is read from it).</summary>
    public string ModelId { get; private init; }

    public string? InferenceProfileArn { get; private init; }

    /// <summary>The configured region (validated); when unset, the ARN's, then the AWS chain's.</summary>
    public string? Region { get; private init; }

    public Uri? Endpoint { get; private init; }

    public Uri? ControlPlaneEndpoint { get; private init; }

    public BedrockStructuredOutputMode StructuredOutput { get; private init; }

    /// <summary>guardrailConfig from the entry: identifier, version (DRAFT when unset) and trace.</summary>
    public string? GuardrailIdentifier { get; private init; }

    public string? GuardrailVersion { get; private init; }

    public string? GuardrailTrace { get; private init; }

    /// <summary>guardrailConfig.streamProcessingMode from the entry (sync, async), sent on ConverseStream only.</summary>
    public string? GuardrailStreamProcessingMode { get; private init; }

    /// <summary>serviceTier.type from the entry (priority, default, flex, reserved).</summary>
    public string? ServiceTier { get; private init; }

    /// <summary>performanceConfig.latency from the entry (standard, optimized).</summary>
    public string? PerformanceLatency { get; private init; }

    /// <summary>What goes in the request path: the inference profile ARN when set, else the model id.</summary>
    public string PathModelId => InferenceProfileArn ?? ModelId;

    /// <summary>The region named by the ARN in the path, when the path holds a valid Bedrock ARN.</summary>
    public string? ArnRegion => InferenceProfileArnSetting.TryParse(PathModelId, out var arn) ? arn.Split(':')[3] : null;

    /// <summary>The same settings for another model id (a per-call <c>ChatOptions.ModelId</c>); the inference profile is dropped.</summary>
    public BedrockSettings WithModelId(string modelId) => this with { ModelId = modelId.Trim(), InferenceProfileArn = null };

    /// <summary>Reads the settings of a registry entry; the options set in <c>AddBedrock(...)</c> fill what the entry leaves unset.</summary>
    /// <exception cref="ModelRegistryException">The model id or a combination of settings is invalid; the message names the entry and the key.</exception>
    public static BedrockSettings FromEntry(ModelEntry entry, BedrockClientOptions defaults)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var at = $"Model registry entry '{entry.Name}' (bedrock)";
        var settings = new BedrockSettings(CheckModelId(entry.ModelId, "model_id", at))
        {
            InferenceProfileArn = InferenceProfileArnSetting.TryGetValue(entry, out var arn) ? arn : null,
            Region = RegionSetting.TryGetValue(entry, out var region) ? region : defaults.Region?.Trim(),
            Endpoint = EndpointSetting.TryGetValue(entry, out var endpoint) ? endpoint : defaults.Endpoint,
            ControlPlaneEndpoint = ControlPlaneEndpointSetting.TryGetValue(entry, out var controlPlane) ? controlPlane : defaults.ControlPlaneEndpoint,
            StructuredOutput = StructuredOutputSetting.GetValueOrDefault(entry, defaults.StructuredOutput),
            GuardrailIdentifier = GuardrailIdentifierSetting.TryGetValue(entry, out var guardrail) ? guardrail : null,
            GuardrailVersion = GuardrailVersionSetting.TryGetValue(entry, out var version) ? version : null,
            GuardrailTrace = GuardrailTraceSetting.TryGetValue(entry, out var trace) ? trace : null,
            GuardrailStreamProcessingMode = GuardrailStreamProcessingModeSetting.TryGetValue(entry, out var mode) ? mode : null,
            ServiceTier = ServiceTierSetting.TryGetValue(entry, out var tier) ? tier : null,
            PerformanceLatency = PerformanceLatencySetting.TryGetValue(entry, out var latency) ? latency : null,
        };
        if (settings.GuardrailIdentifier is null && (settings.GuardrailVersion ?? settings.GuardrailTrace ?? settings.GuardrailStreamProcessingMode) is not null)
        {
            throw new ModelRegistryException(
                $"{at}: '{GuardrailVersionSetting.Key}', '{GuardrailTraceSetting.Key}' and '{GuardrailStreamProcessingModeSetting.Key}' apply to a guardrail, but '{GuardrailIdentifierSetting.Key}' is not set. Set it, or remove them.");
        }

        return settings;
    }

    /// <summary>The settings of a directly used model.</summary>
    /// <exception cref="ArgumentException">The model id or the ARN is invalid.</exception>
    public static BedrockSettings ForModel(BedrockClientOptions options, string modelId, string? inferenceProfileArn)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        string? arn = null;
        if (inferenceProfileArn is not null && !InferenceProfileArnSetting.TryParse(inferenceProfileArn, out arn))
        {
            throw new ArgumentException($"The inference profile ARN must be {InferenceProfileArnSetting.Expected}, but is '{inferenceProfileArn}'.", nameof(inferenceProfileArn));
        }

        try
        {
            return new BedrockSettings(CheckModelId(modelId, nameof(modelId), "The Bedrock model"))
            {
                InferenceProfileArn = arn,
                Region = options.Region?.Trim(),
                Endpoint = options.Endpoint,
                ControlPlaneEndpoint = options.ControlPlaneEndpoint,
                StructuredOutput = options.StructuredOutput,
            };
        }
        catch (ModelRegistryException ex)
        {
            throw new ArgumentException(ex.Message, nameof(modelId), ex);
        }
    }

    /// <summary>Validates a region set in code or found in the environment by the rule registry entries follow.</summary>
    /// <returns>The region, or <see langword="null"/> when it is not a region name.</returns>
    public static string? ValidRegion(string text) => RegionSetting.TryParse(text, out var region) ? region : null;

    /// <summary>
    /// A model id goes into the path as one encoded segment, so it must be one (no <c>.</c>, <c>..</c>, control
    /// characters); an id that is an ARN must be a valid Bedrock ARN, as the request's region and host may come from it.
    /// </summary>
    private static string CheckModelId(string modelId, string key, string at)
    {
        var id = modelId.Trim();
        try
        {
            _ = ProviderRequest.PathSegment(id, key);
        }
        catch (ArgumentException)
        {
            throw new ModelRegistryException($"{at}: '{key}' must be a Bedrock model id such as anthropic.claude-haiku-4-5-20251001-v1:0, but is empty, '.' or '..', or holds control characters.");
        }

        if (id.StartsWith("arn:", StringComparison.Ordinal) && !InferenceProfileArnSetting.TryParse(id, out _))
        {
            throw new ModelRegistryException($"{at}: '{key}' is an ARN, so it must be {InferenceProfileArnSetting.Expected}, but is '{id}'.");
        }

        return id;
    }

    private static EntrySetting<string> Words(string key, params string[] words) => EntrySettings.Choice(key, [.. words.Select(w => (w, w))]);

    [GeneratedRegex("^([a-z0-9]{1,2048}|arn:aws(-[a-z-]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail/[a-z0-9]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex GuardrailIdentifierPattern();

    [GeneratedRegex("^(DRAFT|[1-9][0-9]{0,7})$", RegexOptions.CultureInvariant)]
    private static partial Regex GuardrailVersionPattern();
}
