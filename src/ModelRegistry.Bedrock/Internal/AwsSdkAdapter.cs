using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using ModelRegistry.Providers;

namespace ModelRegistry.Bedrock.Internal;

/// <summary>AWS credentials as plain strings, resolved for one request.</summary>
/// <param name="AccessKey">The access key id.</param>
/// <param name="SecretKey">The secret access key. Never logged.</param>
/// <param name="SessionToken">The session token of temporary credentials, if any.</param>
internal sealed record AwsSigningCredentials(string AccessKey, string SecretKey, string? SessionToken)
{
    /// <summary>Never prints the secret.</summary>
    public override string ToString() => $"AWS credentials {AccessKey}";
}

/// <summary>
/// Everything this package takes from AWSSDK.Core, in one place, so a change of that SDK's API touches this file only:
/// the credential sources of the AWS chain (profile file, web identity, container, instance metadata), the profile and
/// instance-metadata regions. SigV4 signing is ours (<see cref="SigV4Signer"/>): measured faster than the SDK's signer,
/// which offers no way to reuse its canonical pieces; so is the event-stream decoder (<see cref="EventStreamReader"/>,
/// in place, over pooled buffers). The chain's
/// environment variables are read from the <see cref="EnvironmentProvider"/>, never from the process directly.
/// </summary>
internal static class AwsSdkAdapter
{
    /// <summary>The region environment variables the AWS chain reads, in order.</summary>
    public static readonly string[] RegionVariables = ["AWS_REGION", "AWS_DEFAULT_REGION"];

    /// <summary>
    /// Resolves credentials the way the AWS default chain does, reading its variables from <paramref name="environment"/>:
    /// <c>AWS_ACCESS_KEY_ID</c>/<c>AWS_SECRET_ACCESS_KEY</c>/<c>AWS_SESSION_TOKEN</c>; the profile <c>AWS_PROFILE</c>
    /// (default <c>default</c>) of the credentials file <c>AWS_SHARED_CREDENTIALS_FILE</c> (default ~/.aws/credentials) and
    /// the config file beside it; web identity (<c>AWS_WEB_IDENTITY_TOKEN_FILE</c>, <c>AWS_ROLE_ARN</c>); the container
    /// endpoint (<c>AWS_CONTAINER_CREDENTIALS_*</c>); the instance role, unless <c>AWS_EC2_METADATA_DISABLED</c> is true.
    /// Returns a function that yields the current credentials, refreshing temporary ones when they expire.
    /// </summary>
    /// <exception cref="AwsCredentialsNotFoundException">No source has credentials; the message says what each said.</exception>
    public static async Task<Func<CancellationToken, Task<AwsSigningCredentials>>> ResolveCredentialsAsync(EnvironmentProvider environment, CancellationToken cancellationToken)
    {
        if (environment.Get("AWS_ACCESS_KEY_ID") is { } accessKey && environment.Get("AWS_SECRET_ACCESS_KEY") is { } secretKey)
        {
            var fixedCredentials = Task.FromResult(new AwsSigningCredentials(accessKey, secretKey, environment.Get("AWS_SESSION_TOKEN")));
            return _ => fixedCredentials;
        }

        var (file, profileName) = Profile(environment);
        AWSCredentials credentials;
        string source;
        try
        {
            if (file.TryGetProfile(profileName, out var profile) && AWSCredentialsFactory.TryGetAWSCredentials(profile, file, out var fromProfile))
            {
                (credentials, source) = (fromProfile, $"profile '{profileName}'");
            }
            else if (environment.Get("AWS_WEB_IDENTITY_TOKEN_FILE") is { } tokenFile && environment.Get("AWS_ROLE_ARN") is { } roleArn)
            {
                (credentials, source) = (new AssumeRoleWithWebIdentityCredentials(tokenFile, roleArn, environment.Get("AWS_ROLE_SESSION_NAME")), "web identity");
            }
            else if ((environment.Get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") ?? environment.Get("AWS_CONTAINER_CREDENTIALS_FULL_URI")) is not null)
            {
                (credentials, source) = (new GenericContainerCredentials(), "the container credentials endpoint");
            }
            else if (!MetadataDisabled(environment))
            {
                (credentials, source) = (new InstanceProfileAWSCredentials(), "the EC2 instance role");
            }
            else
            {
                throw new AwsCredentialsNotFoundException(
                    $"no access key variables, no profile '{profileName}' with credentials in {file.FilePath}, no web identity or container variables, and instance metadata is disabled");
            }

            // Fetch once now, so a source that cannot deliver fails here with its reason.
            _ = await credentials.GetCredentialsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AmazonClientException or IOException or UnauthorizedAccessException or HttpRequestException)
        {
            throw new AwsCredentialsNotFoundException($"the credential chain failed: {ex.Message}", ex);
        }

        return async ct =>
        {
            try
            {
                var current = await credentials.GetCredentialsAsync().WaitAsync(ct).ConfigureAwait(false);
                return new AwsSigningCredentials(current.AccessKey, current.SecretKey, current.UseToken ? current.Token : null);
            }
            catch (Exception ex) when (ex is AmazonClientException or IOException or HttpRequestException)
            {
                throw new AwsCredentialsNotFoundException($"refreshing the credentials of {source} failed: {ex.Message}", ex);
            }
        };
    }

    /// <summary>
    /// The region of the AWS chain, read from <paramref name="environment"/>: <c>AWS_REGION</c>, <c>AWS_DEFAULT_REGION</c>,
    /// the profile's <c>region</c>, then instance metadata (unless disabled). Not validated here.
    /// </summary>
    /// <returns>The region and where it came from, or <see langword="null"/> when no source has one.</returns>
    public static (string Region, string Source)? ResolveRegion(EnvironmentProvider environment)
    {
        foreach (var variable in RegionVariables)
        {
            if (environment.Get(variable) is { } value)
            {
                return (value, variable);
            }
        }

        try
        {
            var (file, profileName) = Profile(environment);
            if (file.TryGetProfile(profileName, out var profile) && profile.Region?.SystemName is { } fromProfile)
            {
                return (fromProfile, $"the region of AWS profile '{profileName}'");
            }

            if (!MetadataDisabled(environment) && new InstanceProfileAWSRegion().Region?.SystemName is { } fromMetadata)
            {
                return (fromMetadata, "EC2 instance metadata");
            }
        }
        catch (Exception ex) when (ex is AmazonClientException or IOException or UnauthorizedAccessException or HttpRequestException)
        {
            // No region from these sources; the caller says what to set.
        }

        return null;
    }

    private static (SharedCredentialsFile File, string ProfileName) Profile(EnvironmentProvider environment)
    {
        var path = environment.Get("AWS_SHARED_CREDENTIALS_FILE");
        return (path is null ? new SharedCredentialsFile() : new SharedCredentialsFile(path), environment.Get("AWS_PROFILE") ?? SharedCredentialsFile.DefaultProfileName);
    }

    private static bool MetadataDisabled(EnvironmentProvider environment) =>
        string.Equals(environment.Get("AWS_EC2_METADATA_DISABLED"), "true", StringComparison.OrdinalIgnoreCase);
}
