namespace ModelRegistry.Bedrock.Tests.Support;

/// <summary>Sets environment variables for one test and restores them after; tests using it are non-parallelizable.</summary>
internal sealed class EnvironmentScope : IDisposable
{
    /// <summary>Everything the AWS chains read, cleared so the machine's own setup cannot leak into a test.</summary>
    public static readonly string[] AwsVariables =
    [
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
        "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_BEARER_TOKEN_BEDROCK", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_EC2_METADATA_DISABLED",
    ];

    private readonly Dictionary<string, string?> _saved = [];

    public EnvironmentScope(params (string Name, string? Value)[] values)
    {
        foreach (var name in AwsVariables)
        {
            Set(name, null);
        }

        var missing = Path.Combine(Path.GetTempPath(), $"no-aws-{Guid.NewGuid():N}");
        Set("AWS_SHARED_CREDENTIALS_FILE", Path.Combine(missing, "credentials"));
        Set("AWS_CONFIG_FILE", Path.Combine(missing, "config"));
        Set("AWS_EC2_METADATA_DISABLED", "true");
        foreach (var (name, value) in values)
        {
            Set(name, value);
        }

        Bedrock.Internal.AwsSdkAdapter.ResetRegionCache();
    }

    public void Dispose()
    {
        foreach (var (name, value) in _saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        Bedrock.Internal.AwsSdkAdapter.ResetRegionCache();
    }

    private void Set(string name, string? value)
    {
        _saved.TryAdd(name, Environment.GetEnvironmentVariable(name));
        Environment.SetEnvironmentVariable(name, value);
    }
}
