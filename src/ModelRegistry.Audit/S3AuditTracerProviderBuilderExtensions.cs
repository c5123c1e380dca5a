using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelRegistry.Audit.Internal;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace ModelRegistry.Audit;

/// <summary>Adds the S3 audit copy to an OpenTelemetry tracer provider.</summary>
public static class S3AuditTracerProviderBuilderExtensions
{
    /// <summary>
    /// Writes every recorded span of the provider's sources (add MEAI's and the registry's with <c>AddSource</c>) to
    /// S3 as gzip-compressed OTLP/JSON under <c>{KeyPrefix}/YYYY/MM/DD/HH/</c>, batched by size and age, SSE-KMS
    /// encrypted when <see cref="S3AuditExporterOptions.KmsKeyId"/> is set. Export never blocks or fails the traced
    /// call; <c>ForceFlush</c>, <c>Shutdown</c> and disposing the provider write everything buffered.
    /// </summary>
    /// <param name="builder">The tracer provider builder.</param>
    /// <param name="configure">Sets the bucket (required) and the other options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">An option is missing or out of range; the message names it and its allowed values.</exception>
    public static TracerProviderBuilder AddS3AuditExporter(this TracerProviderBuilder builder, Action<S3AuditExporterOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new S3AuditExporterOptions();
        configure(options);
        Validate(options);
        return builder.AddProcessor(services =>
            new SimpleActivityExportProcessor(new S3AuditExporter(options, options.LoggerFactory ?? services.GetService<ILoggerFactory>())));
    }

    internal static void Validate(S3AuditExporterOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.BucketName))
        {
            throw new ArgumentException(
                "S3AuditExporterOptions.BucketName is required: set it to the audit bucket's name (the sample reads it from AUDIT_BUCKET).", nameof(options));
        }

        if (options.KmsKeyId is { } keyId && string.IsNullOrWhiteSpace(keyId))
        {
            throw new ArgumentException("S3AuditExporterOptions.KmsKeyId is blank: set a KMS key id, alias or ARN, or leave it null for the bucket's default encryption.", nameof(options));
        }

        if (string.IsNullOrWhiteSpace(options.KeyPrefix.Trim('/')))
        {
            throw new ArgumentException("S3AuditExporterOptions.KeyPrefix is empty: set a prefix such as 'audit'.", nameof(options));
        }

        Range(options.MaxBatchSpans, 1, 100_000, nameof(options.MaxBatchSpans));
        Range(options.MaxBufferedSpans, options.MaxBatchSpans, 10_000_000, nameof(options.MaxBufferedSpans));
        Range(options.MaxRetries, 0, 10, nameof(options.MaxRetries));
        Positive(options.MaxBatchAge, nameof(options.MaxBatchAge));
        Positive(options.UploadTimeout, nameof(options.UploadTimeout));
        if (options.RetryBaseDelay < TimeSpan.Zero || options.RetryBaseDelay > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentException($"S3AuditExporterOptions.RetryBaseDelay is {options.RetryBaseDelay}: allowed is 0 to 1 minute.", nameof(options));
        }
    }

    private static void Range(int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            throw new ArgumentException($"S3AuditExporterOptions.{name} is {value}: allowed is {min} to {max}.", "options");
        }
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero || value > TimeSpan.FromHours(1))
        {
            throw new ArgumentException($"S3AuditExporterOptions.{name} is {value}: allowed is more than 0 and at most 1 hour.", "options");
        }
    }
}
