using ModelRegistry.Bedrock.Internal;
using ModelRegistry.Providers;

namespace ModelRegistry.Bedrock;

/// <summary>
/// Options of the Bedrock clients. For direct use, pass them to <see cref="BedrockClient"/>; with the registry, set them
/// in <c>AddBedrock(options => ...)</c> as defaults for every <c>bedrock</c> entry (an entry's own <c>region</c>,
/// <c>endpoint</c>, <c>control_plane_endpoint</c>, <c>api_key</c> and <c>structured_output</c> settings win).
/// <see cref="ProviderClientOptions.ApiKey"/> is a Bedrock API key, sent as <c>Authorization: Bearer</c>; when none is
/// set anywhere (nor in <c>AWS_BEARER_TOKEN_BEDROCK</c>), calls are signed with SigV4 and the AWS credential chain.
/// </summary>
public sealed class BedrockClientOptions : ProviderClientOptions
{
    /// <summary>
    /// The AWS region, such as <c>eu-west-1</c>; when unset, the inference profile ARN's, then the AWS chain's
    /// (<c>AWS_REGION</c>, <c>AWS_DEFAULT_REGION</c>, the profile's region, instance metadata).
    /// </summary>
    public string? Region { get; set; }

    /// <summary>The control-plane endpoint the health check asks; default <c>https://bedrock.{region}.amazonaws.com</c>.</summary>
    public Uri? ControlPlaneEndpoint { get; set; }

    /// <summary>How JSON response formats are requested. Default <see cref="BedrockStructuredOutputMode.Auto"/>.</summary>
    public BedrockStructuredOutputMode StructuredOutput { get; set; }

    /// <summary>Fixed SigV4 credentials instead of the AWS chain; for tests only.</summary>
    internal AwsSigningCredentials? Credentials { get; set; }

    /// <summary>What is wrong with options set in code, or <see langword="null"/>: a region or endpoint a host would be built from.</summary>
    internal static string? Problem(BedrockClientOptions options)
    {
        if (options.Region is { } region && BedrockSettings.ValidRegion(region) is null)
        {
            return $"Region must be {BedrockSettings.RegionSetting.Expected}, but is '{region}'.";
        }

        foreach (var (name, uri) in new[] { (nameof(Endpoint), options.Endpoint), (nameof(ControlPlaneEndpoint), options.ControlPlaneEndpoint) })
        {
            if (uri is not null && !BedrockSettings.EndpointSetting.TryParse(uri.OriginalString, out _))
            {
                return $"{name} must be {BedrockSettings.EndpointSetting.Expected}, but is '{uri}'.";
            }
        }

        return null;
    }
}
