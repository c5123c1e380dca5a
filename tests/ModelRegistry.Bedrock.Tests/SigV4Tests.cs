using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Bedrock.Internal;
using ModelRegistry.Bedrock.Tests.Support;
using ModelRegistry.Providers;
using ModelRegistry.Testing;

namespace ModelRegistry.Bedrock.Tests;

/// <summary>
/// The package's own SigV4 signer (<see cref="SigV4Signer"/>) against AWS's published test-suite vectors (the aws-sig-v4-test-suite as kept in awslabs/aws-c-auth,
/// tests/aws-signing-test-suite/v4), a reference written in the test from the published algorithm, AWSSDK.Core's signer and
/// botocore's SigV4Auth computed on this machine. The vectors' facts are
/// written out below: credentials AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, region us-east-1, service
/// "service", time 20150830T123600Z, host example.amazonaws.com.
/// </summary>
public sealed class SigV4Tests
{
    private const string AccessKey = "AKIDEXAMPLE";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string AmzDate = "20150830T123600Z";
    private const string SessionToken = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
    private static readonly DateTimeOffset SignedAt = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    /// <summary>(name, method, url, extra headers, body, expected signature) from the suite's header-signed-request.txt files.</summary>
    private static readonly (string Name, string Method, string Url, (string, string)[] Headers, string Body, string Signature)[] Vectors =
    [
        ("get-vanilla", "GET", "https://example.amazonaws.com/", [], "", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        ("post-vanilla", "POST", "https://example.amazonaws.com/", [], "", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        ("get-vanilla-query-order-key-case", "GET", "https://example.amazonaws.com/?Param2=value2&Param1=value1", [], "",
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        ("get-header-value-trim", "GET", "https://example.amazonaws.com/", [("My-Header1", " value1"), ("My-Header2", " \"a   b   c\"")], "",
            "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
        ("get-vanilla-with-session-token", "GET", "https://example.amazonaws.com/", [("X-Amz-Security-Token", SessionToken)], "",
            "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"),
        ("post-x-www-form-urlencoded (signed body)", "POST", "https://example.amazonaws.com/",
            [("Content-Type", "application/x-www-form-urlencoded"), ("Content-Length", "13"),
             ("X-Amz-Content-SHA256", "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e")],
            "Param1=value1", "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b"),
    ];

    [Test]
    public void The_reference_signer_reproduces_the_published_signing_key()
    {
        // AWS's documented example: secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20120215, us-east-1, iam.
        Assert.That(ReferenceSigV4.SigningKeyHex(Secret, "20120215", "us-east-1", "iam"),
            Is.EqualTo("f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"));
    }

    [Test]
    public void The_reference_signer_reproduces_every_vector()
    {
        foreach (var vector in Vectors)
        {
            var headers = VectorHeaders(vector.Headers);
            var authorization = ReferenceSigV4.Authorization(
                vector.Method, new Uri(vector.Url), headers, Encoding.UTF8.GetBytes(vector.Body), AccessKey, Secret, "us-east-1", "service", AmzDate);
            Assert.That(authorization, Does.EndWith($"Signature={vector.Signature}"), vector.Name);
        }

        // get-vanilla's canonical request, as published.
        Assert.That(ReferenceSigV4.CanonicalRequest("GET", new Uri("https://example.amazonaws.com/"), VectorHeaders([]), []), Is.EqualTo(
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    }

    [Test]
    public void The_package_signer_reproduces_every_published_vector_exactly()
    {
        // Each vector's own signed headers (host and x-amz-date are always signed), its body hash, its signature.
        foreach (var vector in Vectors)
        {
            var token = vector.Headers.FirstOrDefault(h => h.Item1 == "X-Amz-Security-Token").Item2;
            var headers = vector.Headers.Select(h => new KeyValuePair<string, string>(h.Item1, h.Item2)).ToArray();
            var body = Encoding.UTF8.GetBytes(vector.Body);
            var authorization = new SigV4Signer().Authorization(
                new HttpMethod(vector.Method), new Uri(vector.Url), headers, SigV4Signer.PayloadHash(body), AmzDate,
                new AwsSigningCredentials(AccessKey, Secret, token), "us-east-1", "service");
            var signedHeaders = string.Join(';', headers.Select(h => h.Key.ToLowerInvariant()).Append("host").Append("x-amz-date").Order(StringComparer.Ordinal));
            Assert.That(authorization, Is.EqualTo(
                $"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders={signedHeaders}, Signature={vector.Signature}"), vector.Name);
        }

        Assert.That(SigV4Signer.AmzDate(SignedAt), Is.EqualTo(AmzDate));
        Assert.That(SigV4Signer.PayloadHash("Param1=value1"u8), Is.EqualTo("9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"));
    }

    [Test]
    public void A_signed_request_carries_the_date_the_body_hash_the_token_and_the_signature_of_the_vector_proven_reference()
    {
        var body = Encoding.UTF8.GetBytes("""{"messages":[{"role":"user","content":[{"text":"Hi"}]}]}""");
        var uri = new Uri("https://bedrock-runtime.us-east-1.amazonaws.com/model/us.amazon.nova-micro-v1%3A0/converse");
        foreach (var token in new[] { null, SessionToken })
        {
            using var request = SignedRequest(uri, body, new AwsSigningCredentials(AccessKey, Secret, token), "us-east-1", "bedrock");
            var bodyHash = Convert.ToHexStringLower(SHA256.HashData(body));
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
            {
                ["Host"] = uri.Host, ["X-Amz-Date"] = AmzDate, ["Content-Type"] = "application/json", ["X-Amz-Content-SHA256"] = bodyHash,
            };
            if (token is not null)
            {
                headers["X-Amz-Security-Token"] = token;
            }

            Assert.That(Header(request, "X-Amz-Date"), Is.EqualTo(AmzDate));
            Assert.That(Header(request, "X-Amz-Content-SHA256"), Is.EqualTo(bodyHash));
            Assert.That(Header(request, "X-Amz-Security-Token"), Is.EqualTo(token));
            Assert.That(Header(request, "Authorization"), Is.EqualTo(ReferenceSigV4.Authorization(
                "POST", uri, headers, body, AccessKey, Secret, "us-east-1", "bedrock", AmzDate)), token is null ? "long-term credentials" : "temporary credentials");
        }
    }

    [Test]
    public void The_package_signer_agrees_with_the_AWSSDK_Core_signer_on_a_Bedrock_request()
    {
        var body = Encoding.UTF8.GetBytes("""{"messages":[{"role":"user","content":[{"text":"Hi"}]}]}""");
        var uri = new Uri($"https://bedrock-runtime.eu-west-1.amazonaws.com/model/{ProviderRequest.PathSegment("arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/abc123", "model id")}/converse");
        foreach (var token in new[] { null, SessionToken })
        {
            using var request = SignedRequest(uri, body, new AwsSigningCredentials(AccessKey, Secret, token), "eu-west-1", "bedrock");
            var sdkRequest = new Amazon.Runtime.Signing.AWSSigningRequest { HttpMethod = HttpMethod.Post, RequestUri = uri, Content = body };
            sdkRequest.Headers["Content-Type"] = "application/json";
            var sdk = Amazon.Runtime.Signing.AWSSigV4Signer.Sign(sdkRequest, new Amazon.Runtime.Signing.AWSSigV4Parameters
            {
                Credentials = token is null ? new Amazon.Runtime.BasicAWSCredentials(AccessKey, Secret) : new Amazon.Runtime.SessionAWSCredentials(AccessKey, Secret, token),
                Region = Amazon.RegionEndpoint.EUWest1,
                Service = "bedrock",
                SignedAt = SignedAt.UtcDateTime,
                SignPayload = true,
            });
            Assert.That(Header(request, "Authorization"), Is.EqualTo(sdk.Headers["Authorization"]));
            Assert.That(Header(request, "X-Amz-Content-SHA256"), Is.EqualTo(sdk.Headers["X-Amz-Content-SHA256"]));
        }
    }

    [Test]
    public void A_rotated_secret_or_a_new_day_under_the_same_access_key_derives_a_new_signing_key()
    {
        // One signer: its cached key must not outlive the secret or the day it was derived for.
        var signer = new SigV4Signer();
        var body = "Param1=value1"u8.ToArray();
        var uri = new Uri("https://example.amazonaws.com/");
        const string Rotated = "rotatedEXAMPLEKEYrotatedEXAMPLEKEYrotate";
        foreach (var (secret, at) in new[] { (Secret, SignedAt), (Rotated, SignedAt), (Secret, SignedAt), (Secret, SignedAt.AddDays(1)), (Secret, SignedAt) })
        {
            var amzDate = SigV4Signer.AmzDate(at);
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
            {
                ["Host"] = uri.Host, ["X-Amz-Date"] = amzDate, ["Content-Type"] = "application/x-www-form-urlencoded",
            };
            var signed = signer.Authorization(HttpMethod.Post, uri, [new("Content-Type", "application/x-www-form-urlencoded")], SigV4Signer.PayloadHash(body), amzDate,
                new AwsSigningCredentials(AccessKey, secret, null), "us-east-1", "service");
            Assert.That(signed, Is.EqualTo(ReferenceSigV4.Authorization("POST", uri, headers, body, AccessKey, secret, "us-east-1", "service", amzDate)), $"{(secret == Secret ? "original" : "rotated")} secret on {amzDate}");
        }
    }

    [TestCase("us.anthropic.claude-sonnet-4-5-20250929-v1:0", null)]
    [TestCase("anthropic.claude-haiku-4-5-20251001-v1:0", SessionToken)]
    [TestCase("arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/abc123", null)]
    [TestCase("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-micro-v1:0", SessionToken)]
    public void Bedrock_paths_with_colons_and_slashes_sign_like_botocore(string modelId, string? token)
    {
        if (Botocore.Unavailable is { } why)
        {
            Assert.Ignore(why);
        }

        var uri = new Uri($"https://bedrock-runtime.eu-west-1.amazonaws.com/model/{ProviderRequest.PathSegment(modelId, "model id")}/converse");
        Assert.That(uri.AbsolutePath.Split('/'), Has.Length.EqualTo(4), "the id is one encoded segment");
        Assert.That(uri.AbsolutePath, Does.Not.Contain(":"));
        var body = Encoding.UTF8.GetBytes("""{"messages":[{"role":"user","content":[{"text":"Hi"}]}]}""");
        using var signed = SignedRequest(uri, body, new AwsSigningCredentials(AccessKey, Secret, token), "eu-west-1", "bedrock");

        var expected = Botocore.Sign([BotocoreRequest("POST", uri, body, Header(signed, "X-Amz-Content-SHA256")!, token)])[0];
        Assert.That(Header(signed, "Authorization"), Is.EqualTo((string?)expected["authorization"]));
        Assert.That((string?)expected["canonical_request"], Does.Contain("%253A"), "botocore encodes the encoded path once more");
    }

    [Test]
    public async Task The_signature_a_real_request_carries_matches_botocore()
    {
        if (Botocore.Unavailable is { } why)
        {
            Assert.Ignore(why);
        }

        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(
            """{"output":{"message":{"role":"assistant","content":[{"text":"ok"}]}},"stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2},"metrics":{"latencyMs":1}}"""));
        const string arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123";
        using var client = new BedrockClient(TestClients.Options(server)).AsIChatClient("anthropic.claude-haiku-4-5-20251001-v1:0", arn);
        await client.GetResponseAsync("Hi");

        var received = server.Requests.Single();
        Assert.That(received.PathAndQuery, Is.EqualTo("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Fabc123/converse"));
        var uri = new Uri(server.BaseAddress, received.PathAndQuery);
        var expected = Botocore.Sign([BotocoreRequest("POST", uri, received.Body, received.Header("x-amz-content-sha256")!, null)])[0];
        Assert.That(received.Header("authorization"), Is.EqualTo((string?)expected["authorization"]));
        Assert.That(received.Header("x-amz-date"), Is.EqualTo(AmzDate));
        Assert.That(received.Header("authorization"), Does.Contain("/us-east-1/bedrock/aws4_request"));
    }

    [Test]
    public async Task Every_retry_is_signed_afresh()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(
            ScriptedResponse.Json("""{"message":"Too many requests"}""", 429, ("x-amzn-ErrorType", "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/")),
            ScriptedResponse.Json("""{"output":{"message":{"role":"assistant","content":[{"text":"ok"}]}},"stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2},"metrics":{"latencyMs":1}}"""));
        var clock = TestClients.Clock();
        using var client = TestClients.Chat(server, "us.amazon.nova-micro-v1:0", clock, maxRetries: 2);
        var call = client.GetResponseAsync("Hi");
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(1));
        clock.Advance(TimeSpan.FromSeconds(1));
        await call.WaitAsync(TimeSpan.FromSeconds(10));
        var requests = server.Requests;
        Assert.That(requests, Has.Count.EqualTo(2));
        Assert.That(requests[1].Header("x-amz-date"), Is.Not.EqualTo(requests[0].Header("x-amz-date")), "the retry carries its own time");
        Assert.That(requests[1].Header("authorization"), Is.Not.EqualTo(requests[0].Header("authorization")));
    }

    /// <summary>A POST as the kit builds it (JSON body, Content-Type as text), signed by the package's signer.</summary>
    private static HttpRequestMessage SignedRequest(Uri uri, byte[] body, AwsSigningCredentials credentials, string region, string service)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ReadOnlyMemoryContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        new SigV4Signer().Sign(request, body, credentials, region, service, SignedAt);
        return request;
    }

    private static string? Header(HttpRequestMessage request, string name) =>
        request.Headers.NonValidated.TryGetValues(name, out var values) ? values.ToString() : null;

    private static JsonObject BotocoreRequest(string method, Uri uri, byte[] body, string contentSha, string? token) => new()
    {
        ["method"] = method,
        ["url"] = uri.AbsoluteUri,
        ["body"] = Encoding.UTF8.GetString(body),
        ["headers"] = new JsonObject { ["Content-Type"] = "application/json", ["X-Amz-Content-SHA256"] = contentSha },
        ["access_key"] = AccessKey,
        ["secret_key"] = Secret,
        ["token"] = token,
        ["region"] = uri.Host.Split('.') is [_, var region, ..] && region.Contains('-', StringComparison.Ordinal) ? region : "us-east-1",
        ["service"] = "bedrock",
        ["timestamp"] = AmzDate,
    };

    private static Dictionary<string, string> VectorHeaders((string, string)[] extra)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Host"] = "example.amazonaws.com", ["X-Amz-Date"] = AmzDate };
        foreach (var (name, value) in extra)
        {
            headers[name] = value;
        }

        return headers;
    }
}
