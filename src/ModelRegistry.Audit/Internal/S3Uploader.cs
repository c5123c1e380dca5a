using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace ModelRegistry.Audit.Internal;

/// <summary>
/// One PutObject per batch through AWSSDK.S3, with the SDK's own retries off (the exporter retries on its
/// <see cref="TimeProvider"/>), SSE-KMS when a key id is set.
/// </summary>
internal sealed class S3Uploader : IDisposable
{
    private readonly AmazonS3Client _client;
    private readonly string _bucket;
    private readonly string? _kmsKeyId;

    public S3Uploader(S3AuditExporterOptions options, string region)
    {
        _bucket = options.BucketName!;
        _kmsKeyId = options.KmsKeyId;
        var config = new AmazonS3Config
        {
            MaxErrorRetry = 0,
            Timeout = options.UploadTimeout,
        };
        if (options.ServiceUrl is { } serviceUrl)
        {
            config.ServiceURL = serviceUrl.ToString();
            config.ForcePathStyle = true;
            config.AuthenticationRegion = region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        _client = options.Credentials is { } credentials ? new AmazonS3Client(credentials, config) : new AmazonS3Client(config);
    }

    /// <summary>Writes one object; throws what the SDK throws.</summary>
    public async Task PutAsync(string key, byte[] body, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream(body, writable: false);
        var request = new PutObjectRequest
        {
            BucketName = _bucket,
            Key = key,
            InputStream = stream,
            AutoCloseStream = false,
            ContentType = "application/gzip",
        };
        if (_kmsKeyId is not null)
        {
            request.ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS;
            request.ServerSideEncryptionKeyManagementServiceKeyId = _kmsKeyId;
        }

        await _client.PutObjectAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether another attempt may succeed: throttling (503 SlowDown), server errors, timeouts, lost connections.</summary>
    public static bool IsRetryable(Exception error) => error switch
    {
        AmazonServiceException service when service.StatusCode is HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway
            or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout or HttpStatusCode.RequestTimeout
            || service.ErrorCode is "SlowDown" or "InternalError" or "RequestTimeout" => true,
        AmazonServiceException { StatusCode: > 0 } => false, // S3 answered with a refusal: 403, 404 NoSuchBucket, 400 KMS.NotFoundException...
        HttpRequestException or IOException or TimeoutException or OperationCanceledException => true,
        _ => error.InnerException is { } inner && IsRetryable(inner),
    };

    /// <summary>What went wrong, for the log: the status and S3 error code, never a header or credential.</summary>
    public static string Describe(Exception error) => error switch
    {
        AmazonServiceException { StatusCode: > 0 } service => $"HTTP {(int)service.StatusCode} {service.ErrorCode}: {service.Message}",
        _ when error.InnerException is { } inner && error is AmazonServiceException or AmazonClientException => $"{error.GetType().Name}: {Describe(inner)}",
        _ => $"{error.GetType().Name}: {error.Message}",
    };

    public void Dispose() => _client.Dispose();
}
