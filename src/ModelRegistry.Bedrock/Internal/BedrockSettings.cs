using System.Diagnostics.CodeAnalysis;

namespace ModelRegistry.Bedrock.Internal;

/// <summary>The validated settings of one Bedrock model, from a registry entry or from <see cref="BedrockClientOptions"/>.</summary>
internal sealed record BedrockSettings
{
    /// <summary>The environment variable holding a Bedrock API key, as the AWS SDKs name it.</summary>
    public const string BearerTokenVariable = "AWS_BEARER_TOKEN_BEDROCK";

    private BedrockSettings(string modelId)
    {
        ModelId = modelId;
    }

    /// <summary>The model id (the model family is read from it).</summary>
    public string ModelId { get; private init; }

    public string? InferenceProfileArn { get; private init; }

    public string? Region { get; private init; }

    public Uri? Endpoint { get; private init; }

    public Uri? ControlPlaneEndpoint { get; private init; }

    public BedrockStructuredOutputMode StructuredOutput { get; private init; }

    /// <summary>guardrailConfig from the entry: identifier, version (default DRAFT) and trace.</summary>
    public string? GuardrailIdentifier { get; private init; }

    public string? GuardrailVersion { get; private init; }

    public string? GuardrailTrace { get; private init; }

    /// <summary>serviceTier.type from the entry (priority, default, flex, reserved).</summary>
    public string? ServiceTier { get; private init; }

    /// <summary>performanceConfig.latency from the entry (standard, optimized).</summary>
    public string? PerformanceLatency { get; private init; }

    /// <summary>The registry name, when the client serves a registry entry.</summary>
    public string? EntryName { get; private init; }

    /// <summary>Resolves the configured API key (entry reference or option); <see langword="null"/> when none is configured.</summary>
    public Func<CancellationToken, ValueTask<string?>> ConfiguredApiKey { get; private init; } = static _ => ValueTask.FromResult<string?>(null);

    /// <summary>Where the configured API key comes from, for messages (never the key).</summary>
    public string? ApiKeySource { get; private init; }

    /// <summary>Fixed credentials instead of the AWS chain (tests).</summary>
    public AwsSigningCredentials? Credentials { get; init; }

    /// <summary>What goes in the request path: the inference profile ARN when set, else the model id.</summary>
    public string PathModelId => InferenceProfileArn ?? ModelId;

    /// <summary>Names the model in messages: the registry entry, or the model id.</summary>
    public string Describe => EntryName is null ? $"Bedrock model '{ModelId}'" : $"Model registry entry '{EntryName}' (bedrock)";

    /// <summary>The same settings for another model id (a per-call <c>ChatOptions.ModelId</c>); the inference profile is dropped.</summary>
    public BedrockSettings WithModelId(string modelId) => this with { ModelId = modelId.Trim(), InferenceProfileArn = null };

    /// <summary>Reads the settings of a registry entry.</summary>
    /// <exception cref="ModelRegistryException">A setting is malformed; the message names the entry and the setting.</exception>
    public static BedrockSettings FromEntry(ModelEntry entry, ISecretResolver? secrets)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var describe = $"Model registry entry '{entry.Name}' (bedrock)";
        var apiKeyReference = Blank(entry.GetSetting("api_key"));
        return new BedrockSettings(entry.ModelId.Trim())
        {
            EntryName = entry.Name,
            InferenceProfileArn = ValidArn(Blank(entry.GetSetting("inference_profile_arn")), describe, "inference_profile_arn"),
            Region = ValidRegion(Blank(entry.GetSetting("region")), describe, "region"),
            Endpoint = ValidUri(Blank(entry.GetSetting("endpoint")), describe, "endpoint"),
            ControlPlaneEndpoint = ValidUri(Blank(entry.GetSetting("control_plane_endpoint")), describe, "control_plane_endpoint"),
            StructuredOutput = ParseMode(Blank(entry.GetSetting("structured_output")), describe),
            GuardrailIdentifier = Blank(entry.GetSetting("guardrail_identifier")),
            GuardrailVersion = Blank(entry.GetSetting("guardrail_version")),
            GuardrailTrace = Blank(entry.GetSetting("guardrail_trace")),
            ServiceTier = Blank(entry.GetSetting("service_tier")),
            PerformanceLatency = Blank(entry.GetSetting("performance_latency")),
            ApiKeySource = apiKeyReference is null ? null : $"the entry's api_key setting '{apiKeyReference}'",
            ConfiguredApiKey = apiKeyReference is null
                ? static _ => ValueTask.FromResult<string?>(null)
                : async ct => await (secrets ?? throw new ModelRegistryException(
                        $"{describe}: the api_key setting needs an ISecretResolver; register the model registry with AddModelRegistry()."))
                    .ResolveAsync(apiKeyReference, ct).ConfigureAwait(false),
        };
    }

    /// <summary>Reads direct-use options.</summary>
    /// <exception cref="ArgumentException">A required option is missing or malformed.</exception>
    public static BedrockSettings FromOptions(BedrockClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ModelId))
        {
            throw new ArgumentException("BedrockClientOptions.ModelId is required, e.g. \"anthropic.claude-haiku-4-5-20251001-v1:0\".", nameof(options));
        }

        var describe = $"Bedrock model '{options.ModelId}'";
        var apiKey = Blank(options.ApiKey);
        try
        {
            return new BedrockSettings(options.ModelId.Trim())
            {
                InferenceProfileArn = ValidArn(Blank(options.InferenceProfileArn), describe, nameof(options.InferenceProfileArn)),
                Region = ValidRegion(Blank(options.Region), describe, nameof(options.Region)),
                Endpoint = options.Endpoint,
                ControlPlaneEndpoint = options.ControlPlaneEndpoint,
                StructuredOutput = options.StructuredOutput,
                ApiKeySource = apiKey is null ? null : "BedrockClientOptions.ApiKey",
                ConfiguredApiKey = _ => ValueTask.FromResult(apiKey),
                Credentials = options.Credentials,
            };
        }
        catch (ModelRegistryException ex)
        {
            throw new ArgumentException(ex.Message, nameof(options), ex);
        }
    }

    /// <summary>The region of an ARN (<c>arn:aws:bedrock:REGION:account:...</c>), or <see langword="null"/>.</summary>
    public static string? RegionOfArn(string? arn)
    {
        if (arn is null || !arn.StartsWith("arn:", StringComparison.Ordinal))
        {
            return null;
        }

        var parts = arn.Split(':', 6);
        return parts.Length >= 5 && parts[3].Length > 0 ? parts[3] : null;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string? ValidArn(string? arn, string describe, string setting)
    {
        if (arn is not null && (!arn.StartsWith("arn:", StringComparison.Ordinal) || arn.Split(':').Length < 6))
        {
            throw new ModelRegistryException(
                $"{describe}: setting '{setting}' must be an ARN such as arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/abc, but is '{arn}'.");
        }

        return arn;
    }

    private static string? ValidRegion(string? region, string describe, string setting)
    {
        if (region is not null && !region.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            throw new ModelRegistryException($"{describe}: setting '{setting}' must be an AWS region name such as eu-west-1, but is '{region}'.");
        }

        return region;
    }

    private static Uri? ValidUri(string? text, string describe, string setting)
    {
        if (text is null)
        {
            return null;
        }

        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri
            : throw new ModelRegistryException($"{describe}: setting '{setting}' must be an absolute http(s) URL, but is '{text}'.");
    }

    [SuppressMessage("Globalization", "CA1308", Justification = "Setting values are ASCII keywords.")]
    private static BedrockStructuredOutputMode ParseMode(string? text, string describe) => text?.ToLowerInvariant() switch
    {
        null or "auto" => BedrockStructuredOutputMode.Auto,
        "native" => BedrockStructuredOutputMode.Native,
        "tool" => BedrockStructuredOutputMode.Tool,
        _ => throw new ModelRegistryException($"{describe}: setting 'structured_output' must be auto, native or tool, but is '{text}'."),
    };
}
