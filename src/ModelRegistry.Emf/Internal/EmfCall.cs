using System.Diagnostics;
using ModelRegistry.Providers;

namespace ModelRegistry.Emf.Internal;

/// <summary>What one call reported, gathered while it ran and written once when it ends.</summary>
internal struct EmfCall
{
    public AttemptOutcome Outcome;
    public long TimestampMilliseconds;
    public double LatencyMilliseconds;
    public double? TimeToFirstTokenMilliseconds;
    public long InputTokens;
    public long OutputTokens;
    public long CacheReadTokens;
    public long CacheWriteTokens;
    public string? ProviderModelId;
    public string? FinishReason;
    public string? ResponseId;
    public Exception? Error;

    /// <summary>The W3C trace id of the caller's activity, when there was one.</summary>
    public ActivityTraceId? ActivityTraceId;

    /// <summary>The Lambda X-Ray header (<c>_X_AMZN_TRACE_ID</c>) when there was no activity.</summary>
    public string? XRayTraceHeader;
}
