using Microsoft.Extensions.Logging;

namespace ModelRegistry.Anthropic.Internal;

/// <summary>The package's own log messages (the kit logs failures and retries). None carries a secret: keys never reach a logger.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "Anthropic entry '{EntryName}': the endpoint does not serve {Feature} (unavailable_features), so the request is sent without it (unavailable_feature_action: omit).")]
    public static partial void FeatureOmitted(ILogger logger, string entryName, string feature);
}
