using OpenTelemetry.Trace;

namespace ModelRegistry.Samples.Lambda;

/// <summary>The ActivitySource the sample's chat pipeline traces under, and the per-invocation flush of its spans.</summary>
internal static class Telemetry
{
    public const string SourceName = "ModelRegistry.Samples.Lambda";

    /// <summary>How long one flush may wait for the exporter before the loop goes on to the next invocation.</summary>
    public static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The bootstrap's after-invocation hook: exports every span ended so far, so none waits for the exporter's timer
    /// while Lambda freezes or ends the process. Bounded by <paramref name="timeout"/>; a flush that does not finish in
    /// time throws (the bootstrap logs it) and its spans leave with a later flush.
    /// </summary>
    public static Action FlushAfterInvocation(TracerProvider tracing, TimeSpan timeout) => () =>
    {
        if (!tracing.ForceFlush((int)timeout.TotalMilliseconds))
        {
            throw new TimeoutException($"The trace exporter did not finish within {timeout.TotalMilliseconds:0} ms (or failed); check the OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT).");
        }
    };
}
