using Microsoft.Extensions.Logging;

namespace ModelRegistry.Mistral.Internal;

/// <summary>The package's own log messages (the kit logs failures and retries). None carries a secret: keys never reach a logger.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "Mistral model '{ModelId}' is deprecated and will be retired at {Timestamp}; move the registry entry to a newer model.")]
    public static partial void ModelDeprecated(ILogger logger, string modelId, string timestamp);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug,
        Message = "Mistral embedding batch of {Count} inputs was too large for the API; splitting it in two.")]
    public static partial void SplittingEmbeddingBatch(ILogger logger, int count);
}
