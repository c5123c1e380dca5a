using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace ModelRegistry.Audit.Tests.Support;

/// <summary>
/// The real S3 and KMS the tests run against: moto, started by ./build/test.sh on 127.0.0.1 and reached through
/// MODELREGISTRY_MOTO_ENDPOINT, or one a test starts (and stops) itself. Without the variable the tests fail, saying how.
/// </summary>
internal static partial class Moto
{
    public const string Region = "eu-west-1";

    public static readonly BasicAWSCredentials Credentials = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");

    public static Uri Endpoint
    {
        get
        {
            var endpoint = Environment.GetEnvironmentVariable("MODELREGISTRY_MOTO_ENDPOINT");
            Uri? uri = null;
            if (string.IsNullOrWhiteSpace(endpoint) || !Uri.TryCreate(endpoint, UriKind.Absolute, out uri))
            {
                Assert.Fail(
                    "MODELREGISTRY_MOTO_ENDPOINT is not set, and the Audit tests need a real S3 and KMS implementation. " +
                    "Run ./build/test.sh, which starts moto and sets it, or start moto yourself " +
                    "('python3 -m moto.server -H 127.0.0.1 -p 5123') and export MODELREGISTRY_MOTO_ENDPOINT=http://127.0.0.1:5123.");
            }

            return uri!;
        }
    }

    public static AmazonS3Client S3(Uri endpoint) =>
        new(Credentials, new AmazonS3Config { ServiceURL = endpoint.ToString(), ForcePathStyle = true, AuthenticationRegion = Region });

    /// <summary>Creates a bucket no other test uses and returns its name.</summary>
    public static async Task<string> CreateBucketAsync(Uri endpoint)
    {
        var name = $"audit-{Guid.NewGuid():N}";
        using var s3 = S3(endpoint);
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = name, BucketRegion = new S3Region(Region) });
        return name;
    }

    /// <summary>Creates a KMS key (KMS's JSON API; moto does not check signatures) and returns its ARN.</summary>
    public static async Task<string> CreateKmsKeyAsync(Uri endpoint)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new StringContent("""{"Description":"audit tests"}""", Encoding.UTF8, "application/x-amz-json-1.1"),
        };
        request.Headers.Add("X-Amz-Target", "TrentService.CreateKey");
        request.Headers.TryAddWithoutValidation(
            "Authorization", $"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/{Region}/kms/aws4_request, SignedHeaders=host, Signature=00");
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.IsSuccessStatusCode, Is.True, text);
        using var json = JsonDocument.Parse(text);
        return json.RootElement.GetProperty("KeyMetadata").GetProperty("Arn").GetString()!;
    }

    /// <summary>Every object under the prefix: its key, its HeadObject answer and its gunzipped, parsed OTLP/JSON.</summary>
    public static async Task<List<(string Key, GetObjectMetadataResponse Head, JsonDocument Otlp)>> ReadAllAsync(Uri endpoint, string bucket)
    {
        using var s3 = S3(endpoint);
        var listing = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        var result = new List<(string, GetObjectMetadataResponse, JsonDocument)>();
        foreach (var item in listing.S3Objects ?? [])
        {
            var head = await s3.GetObjectMetadataAsync(bucket, item.Key);
            using var get = await s3.GetObjectAsync(bucket, item.Key);
            using var gunzip = new GZipStream(get.ResponseStream, CompressionMode.Decompress);
            result.Add((item.Key, head, await JsonDocument.ParseAsync(gunzip)));
        }

        return result;
    }

    /// <summary>The spans of parsed OTLP/JSON documents.</summary>
    public static IEnumerable<JsonElement> Spans(IEnumerable<JsonDocument> documents) =>
        from document in documents
        from resource in document.RootElement.GetProperty("resourceSpans").EnumerateArray()
        from scope in resource.GetProperty("scopeSpans").EnumerateArray()
        from span in scope.GetProperty("spans").EnumerateArray()
        select span;

    /// <summary>A moto of the test's own, to stop mid-run; port 0, read back from its log.</summary>
    public static async Task<(Process Process, Uri Endpoint)> StartOwnAsync()
    {
        var start = new ProcessStartInfo("python3", "-m moto.server -H 127.0.0.1 -p 0") { RedirectStandardError = true, RedirectStandardOutput = true };
        var process = Process.Start(start)!;
        var port = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Read(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is { } line && PortPattern().Match(line) is { Success: true } match)
            {
                port.TrySetResult(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        process.ErrorDataReceived += Read;
        process.OutputDataReceived += Read;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var found = await port.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return (process, new Uri($"http://127.0.0.1:{found}"));
    }

    [GeneratedRegex(@"Running on http://127\.0\.0\.1:(\d+)")]
    private static partial Regex PortPattern();
}
