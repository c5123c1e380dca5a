using System.Net.Http.Headers;

namespace ModelRegistry.Bedrock.Internal;

/// <summary>
/// Decides, on the first call, how requests are authorised and where they go: a Bedrock API key
/// (<c>Authorization: Bearer</c>) when one is configured or in <c>AWS_BEARER_TOKEN_BEDROCK</c>, else SigV4 (signing name
/// <c>bedrock</c>) with the AWS default credential chain. Resolves the region (setting, then the ARN's, then the AWS
/// chain). Nothing is resolved before the first call; a failed resolution is not remembered.
/// </summary>
internal sealed class BedrockAuthenticator(BedrockSettings settings, TimeProvider time)
{
    /// <summary>The SigV4 signing name of both the runtime and the control plane.</summary>
    public const string SigningName = "bedrock";

    private readonly SemaphoreSlim _lock = new(1, 1);
    private volatile Resolved? _resolved;

    /// <summary>What the first call resolved.</summary>
    /// <param name="Region">The region, when known (always known for SigV4).</param>
    /// <param name="BearerToken">The API key, for bearer authorisation.</param>
    /// <param name="Credentials">Yields current credentials, for SigV4.</param>
    internal sealed record Resolved(string? Region, string? BearerToken, Func<CancellationToken, Task<AwsSigningCredentials>>? Credentials)
    {
        public override string ToString() => BearerToken is null ? $"SigV4 in {Region}" : $"Bearer in {Region ?? "(endpoint)"}";
    }

    public async ValueTask<Resolved> ResolveAsync(CancellationToken cancellationToken)
    {
        if (_resolved is { } done)
        {
            return done;
        }

        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _resolved ??= await ResolveCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>The runtime URL of an operation on the model: <c>/model/{id}/{operation}</c>, the id one percent-encoded segment.</summary>
    /// <param name="resolved">The resolved region and authorisation.</param>
    /// <param name="operation">converse, converse-stream, invoke.</param>
    /// <param name="call">The settings of this call when they name another model.</param>
    public Uri RuntimeUri(Resolved resolved, string operation, BedrockSettings? call = null) =>
        Combine(settings.Endpoint ?? new Uri($"https://bedrock-runtime.{resolved.Region}.amazonaws.com"),
            $"model/{EncodeSegment((call ?? settings).PathModelId)}/{operation}");

    /// <summary>A control-plane URL, e.g. <c>foundation-model-availability/{id}</c>.</summary>
    public Uri ControlPlaneUri(Resolved resolved, string path) =>
        Combine(settings.ControlPlaneEndpoint ?? new Uri($"https://bedrock.{RequireRegion(resolved.Region)}.amazonaws.com"), path);

    /// <summary>
    /// Percent-encodes a model id or ARN as one path segment: everything but <c>A-Z a-z 0-9 - _ . ~</c>
    /// (so <c>:</c> becomes <c>%3A</c> and <c>/</c> becomes <c>%2F</c>), as botocore renders the <c>{modelId}</c> label.
    /// </summary>
    public static string EncodeSegment(string value) => Uri.EscapeDataString(value);

    /// <summary>Adds the authorisation of one attempt: the bearer header, or a fresh SigV4 signature.</summary>
    public async Task AuthorizeAsync(Resolved resolved, HttpRequestMessage request, byte[] body, CancellationToken cancellationToken)
    {
        if (resolved.BearerToken is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return;
        }

        var credentials = await resolved.Credentials!(cancellationToken).ConfigureAwait(false);
        var signed = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (request.Content?.Headers.ContentType is { } contentType)
        {
            signed["Content-Type"] = contentType.ToString();
        }

        var headers = AwsSdkAdapter.SignV4(request.Method, request.RequestUri!, signed, body, credentials, resolved.Region!, SigningName, time.GetUtcNow());
        foreach (var (name, value) in headers)
        {
            if (string.Equals(name, "Authorization", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.TryAddWithoutValidation("Authorization", value);
            }
            else if (!string.Equals(name, "Content-Type", StringComparison.OrdinalIgnoreCase) && !string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }
    }

    private async Task<Resolved> ResolveCoreAsync(CancellationToken cancellationToken)
    {
        var region = settings.Region ?? BedrockSettings.RegionOfArn(settings.PathModelId) ?? AwsSdkAdapter.ResolveDefaultRegion();
        var bearer = await settings.ConfiguredApiKey(cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(bearer))
        {
            bearer = Environment.GetEnvironmentVariable(BedrockSettings.BearerTokenVariable);
        }

        if (!string.IsNullOrWhiteSpace(bearer))
        {
            if (settings.Endpoint is null)
            {
                RequireRegion(region);
            }

            return new Resolved(region, bearer.Trim(), null);
        }

        RequireRegion(region);
        if (settings.Credentials is { } fixedCredentials)
        {
            return new Resolved(region, null, _ => Task.FromResult(fixedCredentials));
        }

        try
        {
            return new Resolved(region, null, await AwsSdkAdapter.ResolveDefaultCredentialsAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (AwsCredentialsNotFoundException ex)
        {
            throw new ModelRegistryException(
                $"{settings.Describe}: no AWS credentials were found. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN " +
                "for temporary credentials), or AWS_PROFILE to a profile in ~/.aws/credentials or ~/.aws/config, or run with an IAM role; " +
                $"or use a Bedrock API key in {BedrockSettings.BearerTokenVariable} (or the entry's api_key setting). The AWS credential chain said: {ex.Message}",
                ex);
        }
    }

    private string RequireRegion(string? region) => region ?? throw new ModelRegistryException(
        $"{settings.Describe}: no AWS region is configured. Set the entry's 'region' setting (BedrockClientOptions.Region when used directly), " +
        $"or the environment variable {AwsSdkAdapter.RegionVariables}, or 'region' in the AWS profile named by AWS_PROFILE (~/.aws/config).");

    private static Uri Combine(Uri baseUri, string relative)
    {
        var text = baseUri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped).TrimEnd('/');
        return new Uri($"{text}/{relative}");
    }
}
