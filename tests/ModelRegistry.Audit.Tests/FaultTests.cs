using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using ModelRegistry.Audit.Tests.Support;
using ModelRegistry.Testing;

namespace ModelRegistry.Audit.Tests;

/// <summary>
/// S3 slow, refusing or gone: the traced calls never fail or wait, retryable errors are retried with backoff on the
/// clock, what is lost is counted and logged once per burst with the bucket and the number of spans.
/// </summary>
public sealed class FaultTests
{
    private const string Bucket = "audit-bucket-under-test";

    [Test]
    public async Task A_503_SlowDown_is_retried_after_200_then_400_ms_with_the_same_key_and_nothing_is_lost()
    {
        await using var s3 = await ReplayServer.StartAsync();
        s3.Enqueue(S3Error(503, "SlowDown", "Please reduce your request rate."), S3Error(503, "SlowDown", "Please reduce your request rate."), Ok());
        using var harness = new AuditHarness(o => (o.ServiceUrl, o.BucketName) = (s3.BaseAddress, Bucket));
        harness.Span();
        harness.Span();

        var flush = harness.Exporter.FlushAsync();
        await AuditHarness.UntilAsync(() => harness.Exporter.RetryWaits == 1, "the first retry wait");
        harness.Time.Advance(TimeSpan.FromMilliseconds(199));
        Assert.That(s3.Requests, Has.Count.EqualTo(1), "no retry before 200 ms");
        harness.Time.Advance(TimeSpan.FromMilliseconds(1));
        await AuditHarness.UntilAsync(() => harness.Exporter.RetryWaits == 2, "the second retry wait");
        harness.Time.Advance(TimeSpan.FromMilliseconds(399));
        Assert.That(s3.Requests, Has.Count.EqualTo(2), "no retry before 400 ms");
        harness.Time.Advance(TimeSpan.FromMilliseconds(1));
        await flush.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Multiple(() =>
        {
            Assert.That(s3.Requests.Select(r => r.Method), Is.All.EqualTo("PUT"));
            Assert.That(s3.Requests.Select(r => r.PathAndQuery).Distinct().Single(), Does.StartWith($"/{Bucket}/audit/2026/11/29/19/"));
            Assert.That(harness.WrittenCount, Is.EqualTo(2));
            Assert.That(harness.DroppedFor("upload_failed"), Is.Zero);
            Assert.That(harness.Logs.GetSnapshot(), Is.Empty);
        });
    }

    [TestCase(403, "AccessDenied", "Access Denied", TestName = "A 403 AccessDenied")]
    [TestCase(404, "NoSuchBucket", "The specified bucket does not exist", TestName = "A missing bucket")]
    [TestCase(400, "KMS.NotFoundException", "Invalid keyId 'alias/gone'", TestName = "A missing KMS key")]
    public async Task A_refusal_is_not_retried_and_is_logged_once_per_burst_with_the_bucket_and_the_spans_lost(int status, string code, string message)
    {
        await using var s3 = await ReplayServer.StartAsync();
        s3.Enqueue(S3Error(status, code, message), S3Error(status, code, message), S3Error(status, code, message), Ok(), S3Error(status, code, message));
        using var harness = new AuditHarness(o =>
        {
            (o.ServiceUrl, o.BucketName, o.KmsKeyId) = (s3.BaseAddress, Bucket, "alias/gone");
            o.MaxBatchSpans = 3;
        });

        // A burst: three batches refused (3 + 3 + 2 spans), then one written; then a second burst of one batch.
        for (var i = 0; i < 8; i++)
        {
            harness.Span();
        }

        await harness.FlushAsync();
        harness.Span();
        await harness.FlushAsync();
        harness.Span();
        await harness.FlushAsync();

        var errors = harness.Logs.Messages(LogLevel.Error);
        Assert.Multiple(() =>
        {
            Assert.That(s3.Requests, Has.Count.EqualTo(5), "no retry of a refusal");
            Assert.That(s3.Requests[0].Headers["x-amz-server-side-encryption"], Is.EqualTo("aws:kms"));
            Assert.That(s3.Requests[0].Headers["x-amz-server-side-encryption-aws-kms-key-id"], Is.EqualTo("alias/gone"));
            Assert.That(errors, Has.Count.EqualTo(2), "one per burst");
            Assert.That(errors[0], Does.Contain("3 spans").And.Contain($"'{Bucket}'").And.Contain($"HTTP {status} {code}"));
            Assert.That(harness.Logs.Messages(LogLevel.Warning).Single(), Does.Contain("8 spans in 3 batches").And.Contain($"'{Bucket}'"));
            Assert.That(harness.DroppedFor("upload_failed"), Is.EqualTo(9));
            Assert.That(harness.WrittenCount, Is.EqualTo(1));
            Assert.That(harness.Logs.AllText(), Does.Not.Contain("wJalrXUtnFEMI"));
        });
    }

    [Test]
    public async Task When_S3_holds_the_upload_calls_go_on_and_a_full_buffer_drops_new_spans_counts_them_and_logs_once()
    {
        var release = new TaskCompletionSource();
        await using var s3 = await ReplayServer.StartAsync();
        s3.Enqueue(new ScriptedResponse { HoldUntil = release.Task }, Ok(), Ok());
        using var harness = new AuditHarness(o =>
        {
            (o.ServiceUrl, o.BucketName) = (s3.BaseAddress, Bucket);
            o.MaxBatchSpans = 2;
            o.MaxBufferedSpans = 4;
        });
        harness.Span();
        harness.Span();
        await AuditHarness.UntilAsync(() => s3.InFlight == 1, "the first upload reached S3");

        var calls = Stopwatch.StartNew();
        for (var i = 0; i < 8; i++)
        {
            harness.Span(); // A call: it ends while S3 holds the upload, and never waits for it.
        }

        calls.Stop();
        Assert.Multiple(() =>
        {
            Assert.That(calls.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "hang guard: the calls did not wait for S3");
            Assert.That(harness.Exporter.Buffered, Is.EqualTo(4));
            Assert.That(harness.DroppedFor("buffer_full"), Is.EqualTo(4));
            Assert.That(harness.Logs.Messages(LogLevel.Error).Single(), Does.Contain("Audit buffer full (4 spans").And.Contain($"'{Bucket}'"));
        });

        release.SetResult();
        await harness.FlushAsync();
        Assert.That(harness.WrittenCount, Is.EqualTo(6));
    }

    [Test]
    public async Task A_moto_stopped_mid_run_loses_the_batch_after_retries_logs_it_once_and_calls_never_fail()
    {
        var (process, endpoint) = await Moto.StartOwnAsync();
        try
        {
            var bucket = await Moto.CreateBucketAsync(endpoint);
            using var harness = new AuditHarness(o =>
            {
                (o.ServiceUrl, o.BucketName) = (endpoint, bucket);
                o.MaxRetries = 2;
            });
            harness.Span();
            await harness.FlushAsync();
            Assert.That(harness.WrittenCount, Is.EqualTo(1));

            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            for (var i = 0; i < 5; i++)
            {
                harness.Span();
            }

            var delays = await harness.FlushAsync();
            harness.Span();
            await harness.FlushAsync();

            Assert.Multiple(() =>
            {
                Assert.That(delays, Is.EqualTo(new[] { TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400) }), "retried twice with backoff");
                Assert.That(harness.DroppedFor("upload_failed"), Is.EqualTo(6));
                Assert.That(harness.Logs.Messages(LogLevel.Error).Single(), Does.Contain("5 spans").And.Contain($"'{bucket}'"));
            });
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
        }
    }

    [Test]
    public void Bad_options_name_the_option_and_what_is_allowed()
    {
        var builder = OpenTelemetry.Sdk.CreateTracerProviderBuilder();
        Assert.Multiple(() =>
        {
            Assert.That(() => builder.AddS3AuditExporter(_ => { }), Throws.ArgumentException.With.Message.Contains("BucketName is required").And.Message.Contains("AUDIT_BUCKET"));
            Assert.That(() => builder.AddS3AuditExporter(o => (o.BucketName, o.MaxBatchSpans) = ("b", 0)), Throws.ArgumentException.With.Message.Contains("MaxBatchSpans is 0: allowed is 1 to 100000"));
            Assert.That(() => builder.AddS3AuditExporter(o => (o.BucketName, o.MaxBufferedSpans) = ("b", 10)), Throws.ArgumentException.With.Message.Contains("MaxBufferedSpans is 10: allowed is 512 to"));
            Assert.That(() => builder.AddS3AuditExporter(o => (o.BucketName, o.MaxBatchAge) = ("b", TimeSpan.Zero)), Throws.ArgumentException.With.Message.Contains("MaxBatchAge"));
            Assert.That(() => builder.AddS3AuditExporter(o => (o.BucketName, o.KmsKeyId) = ("b", " ")), Throws.ArgumentException.With.Message.Contains("KmsKeyId is blank"));
            Assert.That(
                () => new Internal.S3AuditExporter(new S3AuditExporterOptions { BucketName = "b", Environment = Providers.EnvironmentProvider.FromVariables(new Dictionary<string, string?>()) }, null),
                Throws.ArgumentException.With.Message.Contains("no region").And.Message.Contains("AWS_REGION"));
        });
    }

    private static ScriptedResponse Ok() => new() { Status = 200, Headers = [new("ETag", "\"0123456789abcdef\"")] };

    private static ScriptedResponse S3Error(int status, string code, string message) => new()
    {
        Status = status,
        Headers = [new("Content-Type", "application/xml")],
        Body = Encoding.UTF8.GetBytes($"""<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>{message}</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>"""),
    };
}
