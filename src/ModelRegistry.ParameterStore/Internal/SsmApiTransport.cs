using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using ModelRegistry.Providers;

namespace ModelRegistry.ParameterStore.Internal;

/// <summary>
/// Reads parameters through the SSM API (<c>GetParameter</c> with <c>WithDecryption</c>) with the AWS SDK and its default
/// credential chain unless the options set credentials. The region is the option, else <c>AWS_REGION</c> or
/// <c>AWS_DEFAULT_REGION</c> (read through the <see cref="EnvironmentProvider"/>), else the AWS profile's; instance metadata
/// is never asked. The SDK client is made on the first read, not before.
/// </summary>
internal sealed class SsmApiTransport(ParameterStoreOptions options, EnvironmentProvider environment) : IDisposable
{
    private readonly Lock _lock = new();
    private Connection? _connection;

    /// <summary>The region reads go to, for messages; resolving it may read the AWS profile, so only after a read began.</summary>
    public string Region => _connection?.Region ?? options.Region ?? "(the default region)";

    /// <summary>Where reads go, for messages.</summary>
    public string Endpoint => _connection?.Endpoint ?? (options.ServiceUrl is { } url ? Describe(url.ToString()) : ConfiguredEndpoint()?.Description) ?? "the regional endpoint";

    /// <summary>Reads a parameter; throws <see cref="SsmApiException"/> with the problem and its fix when SSM refuses.</summary>
    public async Task<SsmParameter> GetAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var client = Connect().Client;
            var response = await client.GetParameterAsync(new GetParameterRequest { Name = name, WithDecryption = true }, cancellationToken).ConfigureAwait(false);
            var parameter = response.Parameter;
            return new SsmParameter(parameter.Name ?? name, parameter.Type?.Value ?? "String", parameter.Value ?? string.Empty, parameter.Version ?? 0, parameter.LastModifiedDate);
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            throw new SsmApiException(Explain(ex, name, _connection?.Region), ex);
        }
    }

    private Connection Connect()
    {
        lock (_lock)
        {
            return _connection ??= CreateConnection();
        }
    }

    private Connection CreateConnection()
    {
        var region = options.Region ?? environment.Get("AWS_REGION") ?? environment.Get("AWS_DEFAULT_REGION") ?? ProfileRegion();
        var config = new AmazonSimpleSystemsManagementConfig();
        string endpoint;
        if (options.ServiceUrl is { } url)
        {
            region ??= "us-east-1";
            config.ServiceURL = url.ToString();
            config.AuthenticationRegion = region;
            endpoint = Describe(url.ToString());
        }
        else if (region is not null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
            endpoint = "the regional endpoint";
            if (ConfiguredEndpoint() is { } configured)
            {
                // What the SDK would take from the process environment, read through the EnvironmentProvider instead.
                config.ServiceURL = configured.Url;
                config.AuthenticationRegion = region;
                endpoint = configured.Description;
            }
        }
        else
        {
            throw new SsmApiException(
                $"no AWS region is configured. Set AWS_REGION (or AWS_DEFAULT_REGION, or a region in the AWS profile '{ProfileName}'), or ParameterStoreOptions.Region.",
                null);
        }

        var client = options.Credentials is { } credentials
            ? new AmazonSimpleSystemsManagementClient(credentials, config)
            : new AmazonSimpleSystemsManagementClient(config);
        return new Connection(client, region, endpoint);
    }

    /// <summary>
    /// The endpoint set by <c>AWS_ENDPOINT_URL_SSM</c>, else <c>AWS_ENDPOINT_URL</c> (the SDKs' service-specific endpoint
    /// variables), unless <c>AWS_IGNORE_CONFIGURED_ENDPOINT_URLS</c> is true.
    /// </summary>
    private (string Url, string Description)? ConfiguredEndpoint()
    {
        if (string.Equals(environment.Get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        foreach (var variable in (ReadOnlySpan<string>)["AWS_ENDPOINT_URL_SSM", "AWS_ENDPOINT_URL"])
        {
            if (environment.Get(variable) is { } url)
            {
                return (url, $"{Describe(url)} (from {variable})");
            }
        }

        return null;
    }

    /// <summary>An endpoint for messages: scheme, host, port and path only, so user info or a query never shows.</summary>
    internal static string Describe(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? new UriBuilder(uri) { UserName = string.Empty, Password = string.Empty, Query = string.Empty, Fragment = string.Empty }.Uri.ToString()
            : "an endpoint that is not a valid URL";

    private string ProfileName => environment.Get("AWS_PROFILE") ?? "default";

    /// <summary>The region of the AWS profile in the shared config and credentials files, if it has one.</summary>
    private string? ProfileRegion() =>
        new CredentialProfileStoreChain().TryGetProfile(ProfileName, out var profile) ? profile.Region?.SystemName : null;

    /// <summary>What went wrong and how to fix it, for a failed GetParameter. Never includes a parameter's value.</summary>
    internal static string Explain(Exception exception, string name, string? region)
    {
        var resource = name.StartsWith("arn:", StringComparison.Ordinal)
            ? name
            : $"arn:aws:ssm:{region ?? "REGION"}:ACCOUNT:parameter{(name.StartsWith('/') ? "" : "/")}{name.Split(':')[0]}";
        return exception switch
        {
            ParameterNotFoundException =>
                "the parameter does not exist. Create it (aws ssm put-parameter --name " + name + " --type String or SecureString --value ...), " +
                "or fix the name (FromParameterStore(...), MODELS_PARAMETER, or the ssm: reference), and check that the region is the one that holds it " +
                "(AWS_REGION, or ParameterStoreOptions.Region).",
            ParameterVersionNotFoundException =>
                "the version or label after ':' in the name does not exist. Fix the selector, or drop it to read the latest version.",
            InvalidKeyIdException or AmazonServiceException { ErrorCode: "InvalidKeyId" } =>
                $"SSM could not decrypt the SecureString: its KMS key is invalid, disabled or not usable ({((AmazonServiceException)exception).Message}). " +
                "Re-enable the key, or re-create the parameter with a key the caller may use, and grant kms:Decrypt on it.",
            AmazonServiceException service when IsKms(service) =>
                $"SSM could not decrypt the SecureString with its KMS key ({service.Message}). " +
                "Grant kms:Decrypt on the parameter's KMS key to the caller's role (the key policy must allow it too), or re-create the parameter with a key the role may use.",
            AmazonServiceException { ErrorCode: "AccessDeniedException" or "AccessDenied" } or AmazonServiceException { StatusCode: HttpStatusCode.Forbidden } =>
                $"access denied ({((AmazonServiceException)exception).Message}). " +
                $"Grant ssm:GetParameter on {resource} to the caller's role, and kms:Decrypt on its key for a SecureString.",
            AmazonServiceException { ErrorCode: "UnrecognizedClientException" or "InvalidClientTokenId" or "InvalidSignatureException" or "SignatureDoesNotMatch" or "ExpiredTokenException" or "ExpiredToken" } service =>
                $"SSM rejected the AWS credentials ({service.ErrorCode}: {service.Message}). " +
                "Fix or refresh them (AWS_PROFILE, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, the IAM role, ParameterStoreOptions.Credentials) and check the clock.",
            AmazonServiceException { ErrorCode: "ThrottlingException" } service =>
                $"SSM throttled the read even after the SDK's retries ({service.Message}). Read less often (a longer RefreshInterval) or raise the account's Parameter Store throughput.",
            AmazonServiceException service =>
                $"SSM answered {service.ErrorCode} (HTTP {(int)service.StatusCode}): {service.Message}",
            AmazonClientException client when client.Message.Contains("credential", StringComparison.OrdinalIgnoreCase) =>
                $"no AWS credentials were found ({FirstSentence(client.Message)}). " +
                "Set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, run with an IAM role, or set ParameterStoreOptions.Credentials.",
            _ when exception is HttpRequestException || exception.InnerException is HttpRequestException =>
                $"the SSM endpoint could not be reached ({FirstSentence((exception.InnerException ?? exception).Message)}). " +
                "Check network access to SSM from here (a VPC endpoint for ssm, or a NAT gateway), or ParameterStoreOptions.ServiceUrl.",
            _ => FirstSentence(exception.Message) + ".",
        };
    }

    /// <summary>A decryption refusal: SSM passes KMS's AccessDenied on (<c>kms:Decrypt</c>, <c>Service: AWSKMS</c>).</summary>
    private static bool IsKms(AmazonServiceException exception) =>
        exception.Message is { } message
        && (message.Contains("kms:", StringComparison.OrdinalIgnoreCase)
            || message.Contains("AWSKMS", StringComparison.Ordinal)
            || message.Contains("KMS key", StringComparison.OrdinalIgnoreCase)
            || message.Contains("customer master key", StringComparison.OrdinalIgnoreCase));

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return (end < 0 ? message : message[..end]).TrimEnd('.');
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _connection?.Client.Dispose();
            _connection = null;
        }
    }

    private sealed record Connection(AmazonSimpleSystemsManagementClient Client, string Region, string Endpoint);
}

/// <summary>A failed SSM API read; the message is the problem and its fix, for <see cref="ParameterStoreClient"/> to frame.</summary>
internal sealed class SsmApiException(string message, Exception? innerException) : Exception(message, innerException);
