using Amazon.Runtime;

namespace ModelRegistry.ParameterStore;

/// <summary>
/// How the ParameterStore package reaches SSM Parameter Store, set through <c>AddParameterStore(options =&gt; ...)</c>
/// or <c>FromParameterStore(name, options =&gt; ...)</c>.
/// </summary>
public sealed class ParameterStoreOptions
{
    /// <summary>The default of <see cref="RefreshInterval"/>: five minutes, the Lambda extension's own default cache TTL.</summary>
    public static readonly TimeSpan DefaultRefreshInterval = TimeSpan.FromMinutes(5);

    /// <summary>The transport; <see cref="ParameterStoreTransport.Auto"/> by default.</summary>
    public ParameterStoreTransport Transport { get; set; } = ParameterStoreTransport.Auto;

    /// <summary>
    /// The AWS region of the parameters for the SSM API; default: <c>AWS_REGION</c>, else <c>AWS_DEFAULT_REGION</c>, else the
    /// region of the AWS profile (<c>AWS_PROFILE</c>, else <c>default</c>). Instance metadata is not asked.
    /// </summary>
    public string? Region { get; set; }

    /// <summary>
    /// The SSM API endpoint, e.g. a VPC endpoint or a local emulator such as moto; default: the region's endpoint.
    /// Requests are signed for <see cref="Region"/> (or the default region, else <c>us-east-1</c>).
    /// </summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>The credentials for the SSM API; default: the AWS default credential chain.</summary>
    public AWSCredentials? Credentials { get; set; }

    /// <summary>
    /// The registry's refresh interval used when <c>ModelRegistryOptions.RefreshInterval</c> is not set: each call after
    /// it has passed re-reads the registry parameter, and entries whose definition changed get a new client.
    /// <see langword="null"/> loads the registry once. Default <see cref="DefaultRefreshInterval"/>.
    /// </summary>
    public TimeSpan? RefreshInterval { get; set; } = DefaultRefreshInterval;
}
