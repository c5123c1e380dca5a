using System.ComponentModel;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using BenchmarkDotNet.Attributes;
using ModelRegistry.Bedrock.Internal;
using ModelRegistry.Benchmarks.Infrastructure;

namespace ModelRegistry.Benchmarks.Bedrock;

/// <summary>
/// Where the time of a SigV4 signature goes, in memory: the package's signer (<c>SigV4Signer</c>, its derived key cached,
/// signing an <c>HttpRequestMessage</c> as the kit builds it), AWSSDK.Core's signer alone on a request and parameters built
/// once (what the package used before), and the least work
/// SigV4 needs for the same Converse request (body SHA-256, canonical request, string to sign, HMACs with
/// <c>HMACSHA256.HashData</c>), with the signing key derived per call and with it cached.
/// </summary>
[Description("SigV4 signing of one Converse request (1 KB body), in memory: the package's signer (SigV4Signer) on a request as the kit builds it, the request alone, AWSSDK.Core's signer on prebuilt objects, and a minimal SigV4 with the derived key computed per call (baseline) or cached.")]
[MemoryDiagnoser]
public class SigV4SigningBenchmarks
{
    private const string AccessKey = "AKIDEXAMPLE";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private static readonly Uri Uri = new("https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse");
    private static readonly DateTimeOffset SignedAt = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);
    private readonly AwsSigningCredentials _credentials = new(AccessKey, Secret, null);
    private readonly SigV4Signer _signer = new();
    private byte[] _body = [];
    private byte[] _cachedKey = [];
    private AWSSigningRequest _request = null!;
    private AWSSigV4Parameters _parameters = null!;

    [GlobalSetup]
    public void Setup()
    {
        _body = Encoding.UTF8.GetBytes("{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"" + new string('x', 960) + "\"}]}]}");
        _cachedKey = SigningKey(Secret, "20150830", "us-east-1", "bedrock");
        _request = new AWSSigningRequest { HttpMethod = HttpMethod.Post, RequestUri = Uri, Content = _body };
        _request.Headers["Content-Type"] = "application/json";
        _parameters = new AWSSigV4Parameters
        {
            Credentials = new BasicAWSCredentials(AccessKey, Secret),
            Region = RegionEndpoint.USEast1,
            Service = "bedrock",
            SignedAt = SignedAt.UtcDateTime,
            SignPayload = true,
        };
        var expected = Package();
        Check.Equal(expected, AwsSdkSignerAlone(), "AWSSDK.Core signer alone");
        Check.Equal(expected, Floor(), "minimal SigV4");
        Check.Equal(expected, FloorCachedKey(), "minimal SigV4, cached key");
        Check.Equal(0, RequestAlone(), "headers of the unsigned request");
    }

    [Benchmark(Description = "SigV4Signer.Sign (the package), on a request as the kit builds it")]
    public string Package()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Uri) { Content = new ReadOnlyMemoryContent(_body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        _signer.Sign(request, _body, _credentials, "us-east-1", "bedrock", SignedAt);
        return request.Headers.NonValidated["Authorization"].ToString();
    }

    [Benchmark(Description = "HttpRequestMessage as the kit builds it, unsigned (subtract from the package's row)")]
    public int RequestAlone()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Uri) { Content = new ReadOnlyMemoryContent(_body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        return request.Headers.NonValidated.Count;
    }

    [Benchmark(Description = "AWSSigV4Signer.Sign on prebuilt request and parameters")]
    public string AwsSdkSignerAlone()
    {
        var result = AWSSigV4Signer.Sign(_request, _parameters);
        return result.Headers["Authorization"];
    }

    [Benchmark(Baseline = true, Description = "floor: minimal SigV4, key derived per call")]
    public string Floor() => Minimal(SigningKey(Secret, "20150830", "us-east-1", "bedrock"));

    [Benchmark(Description = "floor: minimal SigV4, cached key")]
    public string FloorCachedKey() => Minimal(_cachedKey);

    private string Minimal(byte[] key)
    {
        var amzDate = SignedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var payloadHash = Convert.ToHexStringLower(SHA256.HashData(_body));
        var path = Uri.AbsolutePath.Replace("%", "%25", StringComparison.Ordinal);
        const string signedHeaders = "content-type;host;x-amz-content-sha256;x-amz-date";
        var canonical = $"POST\n{path}\n\ncontent-type:application/json\nhost:{Uri.Host}\nx-amz-content-sha256:{payloadHash}\nx-amz-date:{amzDate}\n\n{signedHeaders}\n{payloadHash}";
        var scope = $"{amzDate[..8]}/us-east-1/bedrock/aws4_request";
        var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(toSign)));
        return $"AWS4-HMAC-SHA256 Credential={AccessKey}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
    }

    private static byte[] SigningKey(string secret, string date, string region, string service)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secret), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(key, "aws4_request"u8);
    }
}
