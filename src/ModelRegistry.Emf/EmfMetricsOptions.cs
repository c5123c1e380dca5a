using ModelRegistry.Providers;

namespace ModelRegistry.Emf;

/// <summary>
/// Options of the EMF metrics middleware, set through <c>UseEmfMetrics(options =&gt; ...)</c>. They are read and
/// validated once, when <c>UseEmfMetrics</c> (or the <see cref="EmfChatClient"/> constructor) runs: an invalid
/// value fails there with a <see cref="ModelRegistryException"/> naming the option, and later changes to this object
/// have no effect.
/// </summary>
public sealed class EmfMetricsOptions
{
    /// <summary>The namespace used when neither <c>POWERTOOLS_METRICS_NAMESPACE</c> nor <c>METRICS_NAMESPACE</c> is set.</summary>
    public const string DefaultNamespace = "ModelRegistry";

    /// <summary>The dimension holding the registry name of the model that served the call.</summary>
    public const string ModelDimension = "Model";

    /// <summary>The dimension holding the provider name (<c>bedrock</c>, <c>mistral</c>).</summary>
    public const string ProviderDimension = "Provider";

    /// <summary>The default dimension set from <c>POWERTOOLS_SERVICE_NAME</c>, when that variable is set.</summary>
    public const string ServiceDimension = "Service";

    /// <summary>
    /// Creates options with the defaults, read from the process environment (<see cref="EnvironmentProvider.System"/>):
    /// the namespace from <c>POWERTOOLS_METRICS_NAMESPACE</c>, else <c>METRICS_NAMESPACE</c>, else
    /// <see cref="DefaultNamespace"/>; one dimension set <c>[["Model"]]</c>; and a default dimension <c>Service</c> when
    /// <c>POWERTOOLS_SERVICE_NAME</c> is set.
    /// </summary>
    public EmfMetricsOptions()
        : this(EnvironmentProvider.System)
    {
    }

    /// <summary>Creates options with the defaults read from <paramref name="environment"/> (see <see cref="EmfMetricsOptions()"/>).</summary>
    /// <param name="environment">Where the defaults, and in Lambda each call's X-Ray trace header, are read.</param>
    public EmfMetricsOptions(EnvironmentProvider environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        Environment = environment;
        Namespace = environment.Get("POWERTOOLS_METRICS_NAMESPACE") ?? environment.Get("METRICS_NAMESPACE") ?? DefaultNamespace;
        if (environment.Get("POWERTOOLS_SERVICE_NAME") is { } service)
        {
            DefaultDimensions[ServiceDimension] = service;
        }
    }

    /// <summary>
    /// Where the defaults were read, and where <c>AWS_LAMBDA_FUNCTION_NAME</c> and each call's <c>_X_AMZN_TRACE_ID</c>
    /// (the X-Ray trace id, when no activity is current) are read.
    /// </summary>
    public EnvironmentProvider Environment { get; }

    /// <summary>
    /// The CloudWatch namespace of every metric: 1 to 255 characters from <c>A-Z a-z 0-9 . _ # : / -</c>, not
    /// starting with <c>AWS/</c>.
    /// </summary>
    public string Namespace { get; set; }

    /// <summary>
    /// The dimension sets each metric is published under (default <c>[["Model"]]</c>). A set names
    /// <see cref="ModelDimension"/>, <see cref="ProviderDimension"/> or keys of <see cref="DefaultDimensions"/>; an
    /// empty set <c>[]</c> publishes the metrics without dimensions. Every set is a separate CloudWatch metric, so each
    /// one adds to the bill. At most 30 keys per set, default dimensions included.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> DimensionSets { get; set; } = [[ModelDimension]];

    /// <summary>
    /// Dimensions with a fixed value (e.g. <c>Service</c>, <c>Environment</c>), written on every line and added to
    /// every dimension set. Holds <c>Service</c> = <c>POWERTOOLS_SERVICE_NAME</c> when that variable is set.
    /// Keys: 1 to 250 ASCII characters, not starting with <c>:</c>; values: 1 to 1024 ASCII characters.
    /// </summary>
    public IDictionary<string, string> DefaultDimensions { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// The value of the <c>Model</c> dimension outside a model registry (with <c>ChatClientBuilder.UseEmfMetrics</c>).
    /// When <see langword="null"/>, the inner client's <c>ChatClientMetadata.DefaultModelId</c> is used, else
    /// <c>unknown</c>. Inside a registry the dimension is always the registry name of the entry that served the call.
    /// </summary>
    public string? Model { get; set; }

    /// <summary>
    /// The CloudWatch storage resolution of every metric in seconds: 60 (standard, the default) or 1 (high resolution,
    /// billed higher).
    /// </summary>
    public int StorageResolution { get; set; } = 60;

    /// <summary>
    /// Where lines go. When <see langword="null"/>, an <see cref="EmfSink"/> registered in the application's services
    /// is used, else <see cref="EmfSink.StandardOutput"/>.
    /// </summary>
    public EmfSink? Sink { get; set; }
}
