using Microsoft.Extensions.Configuration;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace ModelRegistry.Samples.Lambda;

/// <summary>The ActivitySource the sample's chat pipeline traces under, the meters it exports, and the per-invocation flush.</summary>
internal static class Telemetry
{
    public const string SourceName = "ModelRegistry.Samples.Lambda";

    /// <summary>The registry's meter: attempts, fallbacks, breaker changes, limit refusals, tokens and cost by entry.</summary>
    public const string RegistryMeterName = "ModelRegistry";

    /// <summary>The audit exporter's meter: spans written and dropped.</summary>
    public const string AuditMeterName = "ModelRegistry.Audit";

    /// <summary>How long one flush may wait for the exporter before the loop goes on to the next invocation.</summary>
    public static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The bootstrap's after-invocation hook, run after the outcome is posted and before the next event is asked for
    /// (Lambda freezes the process only then): exports every span ended so far (to OTLP and, with AUDIT_BUCKET, the audit
    /// copy to S3) and every metric, so none waits for an exporter's timer while Lambda freezes or ends the process.
    /// Bounded by <paramref name="timeout"/>; a flush that does not finish in time throws (the bootstrap logs it) and
    /// what it held leaves with a later flush.
    /// </summary>
    public static Action FlushAfterInvocation(TracerProvider tracing, MeterProvider? metering, TimeSpan timeout) => () =>
    {
        var traced = tracing.ForceFlush((int)timeout.TotalMilliseconds);
        var metered = metering?.ForceFlush((int)timeout.TotalMilliseconds) ?? true;
        if (!traced || !metered)
        {
            throw new TimeoutException(
                $"The {(traced ? "metric" : "trace")} exporters did not finish within {timeout.TotalMilliseconds:0} ms (or failed); check the OTLP endpoint " +
                "(OTEL_EXPORTER_OTLP_ENDPOINT) and the audit bucket (AUDIT_BUCKET).");
        }
    };

    /// <summary>The S3 endpoint set by AWS_ENDPOINT_URL_S3 (else AWS_ENDPOINT_URL), as the AWS SDKs read them; none means the regional one.</summary>
    public static Uri? S3Endpoint(IConfiguration configuration)
    {
        if (string.Equals(configuration["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"], "true", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var value = configuration["AWS_ENDPOINT_URL_S3"] is { Length: > 0 } s3 ? s3 : configuration["AWS_ENDPOINT_URL"];
        return string.IsNullOrWhiteSpace(value) ? null
            : Uri.TryCreate(value, UriKind.Absolute, out var uri) ? uri
            : throw new InvalidOperationException($"AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL) is '{value}', not an absolute URL; set it to the S3 endpoint, e.g. http://localhost:5000, or unset it.");
    }
}
