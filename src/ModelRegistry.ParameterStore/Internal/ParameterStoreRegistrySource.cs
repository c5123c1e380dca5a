using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ModelRegistry.ParameterStore.Internal;

/// <summary>
/// The registry from an SSM parameter holding registry JSON (String, or SecureString). On a refresh, a parameter whose
/// version and modification time did not change returns the entries already parsed.
/// </summary>
internal sealed partial class ParameterStoreRegistrySource(string parameterName, ParameterStoreClient client, ILogger? logger = null) : IModelRegistrySource
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private volatile Parsed? _last;

    public string ParameterName => parameterName;

    public string Description => $"SSM parameter '{parameterName}'";

    public async ValueTask<IReadOnlyList<ModelEntry>> LoadAsync(CancellationToken cancellationToken)
    {
        var parameter = await client.GetAsync(parameterName, $"the model registry from {Description}", cancellationToken).ConfigureAwait(false);
        if (_last is { } last && last.Version == parameter.Version && last.LastModified == parameter.LastModified)
        {
            Log.Unchanged(_logger, parameterName, parameter.Version);
            return last.Entries;
        }

        var entries = ModelRegistryJson.Parse(parameter.Value, $"{Description} (version {parameter.Version})");
        _last = new Parsed(parameter.Version, parameter.LastModified, entries);
        return entries;
    }

    private sealed record Parsed(long Version, DateTimeOffset? LastModified, IReadOnlyList<ModelEntry> Entries);

    private static partial class Log
    {
        [LoggerMessage(30, LogLevel.Debug, "The model registry parameter {Parameter} is still at version {Version}; keeping its parsed entries.")]
        public static partial void Unchanged(ILogger logger, string parameter, long version);
    }
}
