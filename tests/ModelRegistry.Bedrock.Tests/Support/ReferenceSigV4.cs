using System.Security.Cryptography;
using System.Text;

namespace ModelRegistry.Bedrock.Tests.Support;

/// <summary>
/// A small SigV4 reference written in the test from the published algorithm, proven on AWS's test-suite vectors in
/// <c>SigV4Tests</c>, and then used as an oracle for the package's signer. Handles what the vectors and Bedrock need:
/// sorted query parameters, trimmed header values, and the path URI-encoded once more (every service but S3).
/// </summary>
internal static class ReferenceSigV4
{
    public static string SigningKeyHex(string secret, string date, string region, string service) =>
        Convert.ToHexStringLower(SigningKey(secret, date, region, service));

    public static string CanonicalRequest(string method, Uri uri, IReadOnlyDictionary<string, string> headers, byte[] body)
    {
        var path = string.Join('/', uri.AbsolutePath.Split('/').Select(Uri.EscapeDataString));
        var query = string.Join('&', (uri.Query.TrimStart('?') is { Length: > 0 } q ? q.Split('&') : [])
            .Select(p => p.Split('=', 2))
            .Select(p => (Key: Uri.EscapeDataString(Uri.UnescapeDataString(p[0])), Value: p.Length > 1 ? Uri.EscapeDataString(Uri.UnescapeDataString(p[1])) : string.Empty))
            .OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={p.Value}"));
        var canonicalHeaders = headers
            .Select(h => (Name: h.Key.ToLowerInvariant(), Value: string.Join(' ', h.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))))
            .OrderBy(h => h.Name, StringComparer.Ordinal)
            .ToList();
        return string.Join('\n',
            method,
            path,
            query,
            string.Concat(canonicalHeaders.Select(h => $"{h.Name}:{h.Value}\n")),
            string.Join(';', canonicalHeaders.Select(h => h.Name)),
            Convert.ToHexStringLower(SHA256.HashData(body)));
    }

    public static string StringToSign(string amzDate, string region, string service, string canonicalRequest) =>
        string.Join('\n', "AWS4-HMAC-SHA256", amzDate, $"{amzDate[..8]}/{region}/{service}/aws4_request",
            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))));

    /// <summary>The Authorization header value for a request whose headers (host, x-amz-date...) are all given.</summary>
    public static string Authorization(
        string method, Uri uri, IReadOnlyDictionary<string, string> headers, byte[] body, string accessKey, string secret, string region, string service, string amzDate)
    {
        var canonical = CanonicalRequest(method, uri, headers, body);
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(
            SigningKey(secret, amzDate[..8], region, service), Encoding.UTF8.GetBytes(StringToSign(amzDate, region, service, canonical))));
        var signed = string.Join(';', headers.Keys.Select(k => k.ToLowerInvariant()).Order(StringComparer.Ordinal));
        return $"AWS4-HMAC-SHA256 Credential={accessKey}/{amzDate[..8]}/{region}/{service}/aws4_request, SignedHeaders={signed}, Signature={signature}";
    }

    private static byte[] SigningKey(string secret, string date, string region, string service)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secret), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(key, "aws4_request"u8);
    }
}
