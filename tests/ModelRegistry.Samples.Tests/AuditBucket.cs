using System.IO.Compression;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace ModelRegistry.Samples.Tests;

/// <summary>
/// A fresh bucket in moto for the Lambda sample's audit copy, and what landed in it: each object's key, server-side
/// encryption and OTLP/JSON, and every span across them, with the KMS key its objects are encrypted with. Spoken as plain
/// path-style HTTP: moto checks no signature, so requests carry only an Authorization header naming the region (eu-west-1,
/// where the function runs), from which moto takes it.
/// </summary>
internal sealed class AuditBucket
{
    private const string Region = "eu-west-1";
    private static readonly HttpClient Http = new();
    private readonly string _endpoint;

    private AuditBucket(string endpoint, string name, string kmsKeyId)
    {
        _endpoint = endpoint;
        Name = name;
        KmsKeyId = kmsKeyId;
    }

    public string Name { get; }

    /// <summary>The ARN of the bucket's own KMS key, made in moto for this test.</summary>
    public string KmsKeyId { get; }

    public static async Task<AuditBucket> CreateAsync(string motoEndpoint)
    {
        var endpoint = motoEndpoint.TrimEnd('/');
        using var createKey = Request(HttpMethod.Post, endpoint + "/", "kms");
        createKey.Headers.Add("X-Amz-Target", "TrentService.CreateKey");
        createKey.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/x-amz-json-1.1");
        using var key = await Http.SendAsync(createKey);
        key.EnsureSuccessStatusCode();
        var arn = (string)JsonNode.Parse(await key.Content.ReadAsStringAsync())!["KeyMetadata"]!["Arn"]!;

        var bucket = new AuditBucket(endpoint, $"audit-e2e-{Guid.NewGuid():N}", arn);
        using var createBucket = Request(HttpMethod.Put, $"{endpoint}/{bucket.Name}", "s3");
        createBucket.Content = new StringContent(
            $"<CreateBucketConfiguration><LocationConstraint>{Region}</LocationConstraint></CreateBucketConfiguration>", System.Text.Encoding.UTF8, "application/xml");
        using var created = await Http.SendAsync(createBucket);
        created.EnsureSuccessStatusCode();
        return bucket;
    }

    /// <summary>How many objects the bucket holds.</summary>
    public async Task<int> CountObjectsAsync() => (await KeysAsync()).Count;

    /// <summary>Every object of the bucket, read and gunzipped, with the spans they hold.</summary>
    public async Task<AuditContents> ReadAsync()
    {
        var keys = await KeysAsync();
        var objects = new List<AuditObject>();
        var spans = new List<(string Name, string SpanId)>();
        foreach (var key in keys)
        {
            using var get = Request(HttpMethod.Get, $"{_endpoint}/{Name}/{key}", "s3");
            using var response = await Http.SendAsync(get);
            response.EnsureSuccessStatusCode();
            var bytes = await response.Content.ReadAsByteArrayAsync();
            using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var reader = new StreamReader(gzip);
            var json = await reader.ReadToEndAsync();
            var encryption = (Header(response, "x-amz-server-side-encryption"), Header(response, "x-amz-server-side-encryption-aws-kms-key-id"));
            objects.Add(new AuditObject(key, encryption, json));
            foreach (var resource in JsonNode.Parse(json)!["resourceSpans"]!.AsArray())
            {
                foreach (var scope in resource!["scopeSpans"]!.AsArray())
                {
                    spans.AddRange(scope!["spans"]!.AsArray().Select(s => ((string)s!["name"]!, (string)s["spanId"]!)));
                }
            }
        }

        return new AuditContents(objects, spans);
    }

    private async Task<List<string>> KeysAsync()
    {
        var keys = new List<string>();
        string? token = null;
        do
        {
            var url = $"{_endpoint}/{Name}?list-type=2" + (token is null ? string.Empty : "&continuation-token=" + Uri.EscapeDataString(token));
            using var list = Request(HttpMethod.Get, url, "s3");
            using var listed = await Http.SendAsync(list);
            listed.EnsureSuccessStatusCode();
            var listing = XDocument.Parse(await listed.Content.ReadAsStringAsync());
            keys.AddRange(listing.Descendants().Where(e => e.Name.LocalName == "Key").Select(e => e.Value));
            token = listing.Descendants().FirstOrDefault(e => e.Name.LocalName == "NextContinuationToken")?.Value;
        }
        while (token is not null);
        return keys;
    }

    private static HttpRequestMessage Request(HttpMethod method, string url, string service)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.TryAddWithoutValidation(
            "Authorization", $"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/{Region}/{service}/aws4_request, SignedHeaders=host, Signature=0");
        return request;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}

/// <summary>One object of the audit bucket.</summary>
internal sealed record AuditObject(string Key, (string? Algorithm, string? KeyId) Encryption, string Json);

/// <summary>What the audit bucket holds.</summary>
internal sealed record AuditContents(IReadOnlyList<AuditObject> Objects, IReadOnlyList<(string Name, string SpanId)> Spans);
