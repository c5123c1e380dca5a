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
/// SigV4 against AWS's published test-suite vectors (the aws-sig-v4-test-suite as kept in awslabs/aws-c-auth,
/// tests/aws-signing-test-suite/v4) and against botocore's SigV4Auth computed on this machine. The vectors' facts are
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
    public void The_package_signer_reproduces_the_signed_body_vector_exactly()
    {
        // The AWSSDK.Core signer always signs x-amz-content-sha256, as this vector does.
        var headers = AwsSdkAdapter.SignV4(
            HttpMethod.Post,
            new Uri("https://example.amazonaws.com/"),
            new Dictionary<string, string> { ["Content-Type"] = "application/x-www-form-urlencoded", ["Content-Length"] = "13" },
            "Param1=value1"u8.ToArray(),
            new AwsSigningCredentials(AccessKey, Secret, null),
            "us-east-1",
            "service",
            SignedAt);
        Assert.That(headers["Authorization"], Is.EqualTo(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, " +
            "SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, " +
            "Signature=d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b"));
        Assert.That(headers["X-Amz-Date"], Is.EqualTo(AmzDate));
        Assert.That(headers["X-Amz-Content-SHA256"], Is.EqualTo("9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"));
    }

    [Test]
    public void The_package_signer_agrees_with_the_vector_proven_reference_on_every_vector_request()
    {
        foreach (var vector in Vectors)
        {
            var token = vector.Headers.FirstOrDefault(h => h.Item1 == "X-Amz-Security-Token").Item2;
            var extra = vector.Headers.Where(h => h.Item1 is not "X-Amz-Security-Token" and not "X-Amz-Content-SHA256")
                .ToDictionary(h => h.Item1, h => h.Item2);
            var body = Encoding.UTF8.GetBytes(vector.Body);
            var signed = AwsSdkAdapter.SignV4(new HttpMethod(vector.Method), new Uri(vector.Url), extra, body,
                new AwsSigningCredentials(AccessKey, Secret, token), "us-east-1", "service", SignedAt);

            // Same request, same header set as the package signed (it adds x-amz-content-sha256).
            var headers = VectorHeaders([.. extra.Select(h => (h.Key, h.Value))]);
            headers["X-Amz-Content-SHA256"] = Convert.ToHexStringLower(SHA256.HashData(body));
            if (token is not null)
            {
                headers["X-Amz-Security-Token"] = token;
                Assert.That(signed["X-Amz-Security-Token"], Is.EqualTo(token), vector.Name);
            }

            Assert.That(signed["Authorization"], Is.EqualTo(ReferenceSigV4.Authorization(
                vector.Method, new Uri(vector.Url), headers, body, AccessKey, Secret, "us-east-1", "service", AmzDate)), vector.Name);
        }
    }

    [Test]
    public void A_rotated_secret_under_the_same_access_key_signs_with_the_new_secret()
    {
        var body = "Param1=value1"u8.ToArray();
        var extra = new Dictionary<string, string> { ["Content-Type"] = "application/x-www-form-urlencoded" };
        var uri = new Uri("https://example.amazonaws.com/");
        const string Rotated = "rotatedEXAMPLEKEYrotatedEXAMPLEKEYrotate";
        var headers = VectorHeaders([("Content-Type", "application/x-www-form-urlencoded")]);
        headers["X-Amz-Content-SHA256"] = Convert.ToHexStringLower(SHA256.HashData(body));

        foreach (var secret in new[] { Secret, Rotated, Secret })
        {
            var signed = AwsSdkAdapter.SignV4(HttpMethod.Post, uri, extra, body, new AwsSigningCredentials(AccessKey, secret, null), "us-east-1", "service", SignedAt);
            Assert.That(signed["Authorization"], Is.EqualTo(ReferenceSigV4.Authorization(
                "POST", uri, headers, body, AccessKey, secret, "us-east-1", "service", AmzDate)), secret == Secret ? "original secret" : "rotated secret");
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
        var signed = AwsSdkAdapter.SignV4(HttpMethod.Post, uri, new Dictionary<string, string> { ["Content-Type"] = "application/json" }, body,
            new AwsSigningCredentials(AccessKey, Secret, token), "eu-west-1", "bedrock", SignedAt);

        var expected = Botocore.Sign([BotocoreRequest("POST", uri, body, signed["X-Amz-Content-SHA256"], token)])[0];
        Assert.That(signed["Authorization"], Is.EqualTo((string?)expected["authorization"]));
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
