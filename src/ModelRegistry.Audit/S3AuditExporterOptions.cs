using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using ModelRegistry.Providers;

namespace ModelRegistry.Audit;

/// <summary>
/// Where and how <see cref="S3AuditTracerProviderBuilderExtensions.AddS3AuditExporter"/> writes the audit copy of every
/// span. Only <see cref="BucketName"/> is required.
/// </summary>
public sealed class S3AuditExporterOptions
{
    /// <summary>The switch MEAI's OpenTelemetry client reads for message content, read here too.</summary>
    public const string CaptureMessageContentVariable = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT";

    /// <summary>The bucket the objects are written to (required), e.g. the value of <c>AUDIT_BUCKET</c>.</summary>
    public string? BucketName { get; set; }

    /// <summary>
    /// The KMS key (id, alias or ARN) objects are encrypted with (SSE-KMS), e.g. the value of <c>AUDIT_KMS_KEY_ID</c>.
    /// When <see langword="null"/>, the bucket's default encryption applies.
    /// </summary>
    public string? KmsKeyId { get; set; }

    /// <summary>The first segment of every key: <c>{KeyPrefix}/YYYY/MM/DD/HH/…</c>. Default <c>audit</c>.</summary>
    public string KeyPrefix { get; set; } = "audit";

    /// <summary>A batch is written when it holds this many spans (1 to 100,000). Default 512.</summary>
    public int MaxBatchSpans { get; set; } = 512;

    /// <summary>A batch is written at the latest this long after its first span arrived. Default 30 seconds.</summary>
    public TimeSpan MaxBatchAge { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Spans waiting for upload at most; when full, new spans are dropped and counted (see the README's failure
    /// policy). At least <see cref="MaxBatchSpans"/>. Default 8,192.
    /// </summary>
    public int MaxBufferedSpans { get; set; } = 8192;

    /// <summary>Retries of one upload after a retryable S3 error (0 to 10). Default 4.</summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>The first retry's delay; each next one doubles it. Default 200 ms.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The time one upload attempt may take before it counts as a timeout (retryable). Default 10 seconds.</summary>
    public TimeSpan UploadTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether gen_ai message content (input/output messages, system instructions, tool call arguments and results)
    /// is written. When <see langword="null"/> (the default), it follows
    /// <c>OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT</c> (<c>true</c> opts in), the switch MEAI's
    /// OpenTelemetry client uses, read from <see cref="Environment"/>.
    /// </summary>
    public bool? CaptureMessageContent { get; set; }

    /// <summary>The S3 endpoint, for S3-compatible stores and tests (path-style addressing); <see langword="null"/> for AWS.</summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>The region; when <see langword="null"/>, <c>AWS_REGION</c> or <c>AWS_DEFAULT_REGION</c> from <see cref="Environment"/>.</summary>
    public string? Region { get; set; }

    /// <summary>Fixed credentials instead of the AWS SDK's default chain; for tests only.</summary>
    public AWSCredentials? Credentials { get; set; }

    /// <summary>Where environment variables are read; default the process environment.</summary>
    public EnvironmentProvider Environment { get; set; } = EnvironmentProvider.System;

    /// <summary>The clock of batching and retries; default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Where failures are logged; when <see langword="null"/>, the tracer provider's services' logger factory, if any.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
