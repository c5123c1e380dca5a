using ModelRegistry.Providers;

namespace ModelRegistry.Bedrock.Internal;

/// <summary>
/// How a Bedrock client reaches Bedrock: the kit's transport, and the authorisation decided on the first call — a
/// Bedrock API key (<c>Authorization: Bearer</c>) from the entry's <c>api_key</c>, the options or
/// <c>AWS_BEARER_TOKEN_BEDROCK</c>, else SigV4 (signing name <c>bedrock</c>, our <see cref="SigV4Signer"/>) with the AWS credential chain. Both read the
/// environment through the transport's <see cref="EnvironmentProvider"/>. Nothing is resolved before the first call; a
/// failed resolution is not remembered. One connection serves every model of a <see cref="BedrockClient"/> or one entry.
/// </summary>
internal sealed class BedrockConnection
{
    /// <summary>The SigV4 signing name of both the runtime and the control plane.</summary>
    public const string SigningName = "bedrock";

    private static readonly string[] KeyVariables = [BedrockSettings.BearerTokenVariable];

    private readonly ProviderApiKey _apiKey;
    private readonly AwsSigningCredentials? _testCredentials;
    private readonly string _describe;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly SigV4Signer _signer = new();
    private volatile Authorization? _authorization;
    private volatile string? _chainRegion;
    private volatile RuntimeUri? _lastRuntime;

    private BedrockConnection(ProviderTransport transport, ProviderApiKey apiKey, AwsSigningCredentials? testCredentials, string describe)
    {
        Transport = transport;
        _apiKey = apiKey;
        _testCredentials = testCredentials;
        _describe = describe;
    }

    public ProviderTransport Transport { get; }

    /// <summary>The connection of a registry entry: the application's services, the entry's api_key, the AddBedrock options.</summary>
    public static BedrockConnection ForEntry(ModelEntry entry, IServiceProvider services, BedrockClientOptions defaults) => new(
        ProviderTransport.ForEntry(BedrockErrors.Protocol, entry, services, defaults),
        ProviderApiKey.ForEntry(entry, services, BedrockSettings.ApiKeySetting, defaults, KeyVariables),
        defaults.Credentials,
        $"Model registry entry '{entry.Name}' (bedrock)");

    /// <summary>The connection of a directly used client.</summary>
    public static BedrockConnection ForClient(BedrockClientOptions options) => new(
        ProviderTransport.ForClient(BedrockErrors.Protocol, options),
        ProviderApiKey.ForClient(options, KeyVariables),
        options.Credentials,
        "Bedrock");

    /// <summary>
    /// Resolves where a model's calls go and how they are authorised (the credentials on the first call only). The region
    /// is the model's setting, else its ARN's, else the AWS chain's; an API key with an explicit endpoint needs none.
    /// </summary>
    /// <param name="settings">The model's settings.</param>
    /// <param name="controlPlane">Whether the calls go to the control plane rather than the runtime.</param>
    /// <param name="cancellationToken">Cancels reading a secret or credentials.</param>
    /// <exception cref="ModelRegistryException">No key or credentials, or no valid region.</exception>
    public async ValueTask<Target> ResolveAsync(BedrockSettings settings, bool controlPlane, CancellationToken cancellationToken)
    {
        var authorization = _authorization ?? await AuthorizeOnceAsync(cancellationToken).ConfigureAwait(false);
        var region = settings.Region ?? settings.ArnRegion;
        if (region is null && (authorization.BearerToken is null || (controlPlane ? settings.ControlPlaneEndpoint : settings.Endpoint) is null))
        {
            region = _chainRegion ??= ChainRegion();
        }

        return new Target(this, settings, region, authorization);
    }

    private async Task<Authorization> AuthorizeOnceAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_authorization is { } done)
            {
                return done;
            }

            var authorization = await ResolveAuthorizationAsync(cancellationToken).ConfigureAwait(false);
            _authorization = authorization;
            return authorization;
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<Authorization> ResolveAuthorizationAsync(CancellationToken cancellationToken)
    {
        if (await _apiKey.GetAsync(cancellationToken).ConfigureAwait(false) is { Length: > 0 } key)
        {
            Transport.AddSecret(key);
            return new Authorization(key, null);
        }

        if (_testCredentials is { } fixedCredentials)
        {
            var fixedTask = Task.FromResult(fixedCredentials);
            return new Authorization(null, _ => fixedTask);
        }

        try
        {
            return new Authorization(null, await AwsSdkAdapter.ResolveCredentialsAsync(Transport.Environment, cancellationToken).ConfigureAwait(false));
        }
        catch (AwsCredentialsNotFoundException ex)
        {
            throw new ModelRegistryException(
                $"{_describe}: no AWS credentials were found. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN " +
                "for temporary credentials), or AWS_PROFILE to a profile in ~/.aws/credentials or ~/.aws/config, or run with an IAM role; " +
                $"or use a Bedrock API key in {BedrockSettings.BearerTokenVariable} (or the entry's api_key setting). The AWS credential chain said: {Transport.Redact(ex.Message)}",
                ex);
        }
    }

    /// <summary>
    /// The region of the AWS chain (read once it is found), validated like the <c>region</c> setting: a host is never
    /// built from other text.
    /// </summary>
    private string ChainRegion()
    {
        if (AwsSdkAdapter.ResolveRegion(Transport.Environment) is not { } found)
        {
            throw new ModelRegistryException(
                $"{_describe}: no AWS region is configured. Set the entry's 'region' setting (BedrockClientOptions.Region when used directly), " +
                $"or the environment variable {string.Join(" or ", AwsSdkAdapter.RegionVariables)}, or 'region' in the AWS profile named by AWS_PROFILE (~/.aws/config).");
        }

        return BedrockSettings.ValidRegion(found.Region) ?? throw new ModelRegistryException(
            $"{_describe}: the AWS region '{Printable(found.Region)}' from {found.Source} is not {BedrockSettings.RegionSetting.Expected}. " +
            $"Fix {found.Source}, or set the entry's 'region' setting (BedrockClientOptions.Region when used directly).");
    }

    private static string Printable(string text)
    {
        var clean = string.Concat(text.Select(c => char.IsControl(c) ? '?' : c));
        return clean.Length <= 80 ? clean : clean[..77] + "...";
    }

    /// <summary>
    /// The URI of a runtime call; the last one built is kept (a client's calls to one model all go to one URI), so a call
    /// builds no text and parses no URI.
    /// </summary>
    private Uri RuntimeUriOf(Uri? endpoint, string? region, string modelSegment, string operation)
    {
        if (_lastRuntime is { } last && ReferenceEquals(last.Endpoint, endpoint) && last.Region == region && last.Segment == modelSegment && last.Operation == operation)
        {
            return last.Uri;
        }

        var uri = Combine(endpoint ?? new Uri($"https://bedrock-runtime.{region}.amazonaws.com"), $"model/{modelSegment}/{operation}");
        _lastRuntime = new RuntimeUri(endpoint, region, modelSegment, operation, uri);
        return uri;
    }

    private static Uri Combine(Uri root, string relative) =>
        new($"{root.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped).TrimEnd('/')}/{relative}");

    /// <summary>What the first call resolved: an API key, or a source of current SigV4 credentials.</summary>
    internal sealed record Authorization(string? BearerToken, Func<CancellationToken, Task<AwsSigningCredentials>>? Credentials)
    {
        /// <summary>The headers every request carries: the API key as bearer token, built once; none for SigV4.</summary>
        public IReadOnlyList<KeyValuePair<string, string>> Headers { get; } = BearerToken is { } token ? [new("Authorization", "Bearer " + token)] : [];
    }

    /// <summary>A runtime URI and what it was built from.</summary>
    private sealed record RuntimeUri(Uri? Endpoint, string? Region, string Segment, string Operation, Uri Uri);

    /// <summary>Where one model's calls go (<paramref name="Region"/> is null only for an API key with explicit endpoints) and how each attempt is authorised.</summary>
    internal sealed record Target(BedrockConnection Connection, BedrockSettings Settings, string? Region, Authorization Authorization)
    {
        /// <summary>A runtime call on a model: <c>POST /model/{id}/{operation}</c>.</summary>
        /// <param name="modelSegment">The model id or ARN of the path, already encoded by <see cref="ProviderRequest.PathSegment"/>.</param>
        /// <param name="operation">converse, converse-stream, invoke, count-tokens.</param>
        /// <param name="body">The JSON body.</param>
        /// <param name="accept">The Accept header.</param>
        public ProviderRequest Runtime(string modelSegment, string operation, byte[] body, string accept = "application/json") =>
            Request(HttpMethod.Post, Connection.RuntimeUriOf(Settings.Endpoint, Region, modelSegment, operation), body, accept);

        /// <summary>A control-plane GET, e.g. <c>foundation-model-availability/{id}</c>.</summary>
        public ProviderRequest ControlPlane(string path) =>
            Request(HttpMethod.Get, Combine(Settings.ControlPlaneEndpoint ?? new Uri($"https://bedrock.{Region}.amazonaws.com"), path), null, "application/json");

        /// <summary>The request: an API key in its header, or a fresh SigV4 signature on every attempt.</summary>
        private ProviderRequest Request(HttpMethod method, Uri uri, byte[]? body, string accept) => new()
        {
            Method = method,
            Uri = uri,
            Body = body,
            Accept = accept,
            Headers = Authorization.Headers,
            Authorize = Authorization.Credentials is { } credentials ? (request, ct) => SignAsync(request, body ?? [], credentials, ct) : null,
        };

        private async ValueTask SignAsync(HttpRequestMessage request, byte[] body, Func<CancellationToken, Task<AwsSigningCredentials>> credentials, CancellationToken cancellationToken)
        {
            var transport = Connection.Transport;
            AwsSigningCredentials current;
            try
            {
                current = await credentials(cancellationToken).ConfigureAwait(false);
            }
            catch (AwsCredentialsNotFoundException ex)
            {
                throw new ModelRegistryException($"{Connection._describe}: {transport.Redact(ex.Message)}", ex);
            }

            transport.AddSecret(current.SecretKey);
            transport.AddSecret(current.SessionToken);
            Connection._signer.Sign(request, body, current, Region!, SigningName, transport.TimeProvider.GetUtcNow());
        }
    }
}
