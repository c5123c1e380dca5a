using System.Net;
using System.Text;
using Microsoft.Extensions.AI;
using ModelRegistry.Bedrock.Tests.Support;
using ModelRegistry.Providers;
using ModelRegistry.Testing;
using static ModelRegistry.Bedrock.Tests.Support.Fixtures;

namespace ModelRegistry.Bedrock.Tests;

/// <summary>
/// How the client authenticates and finds its region. The environment is the test's own
/// (<see cref="EnvironmentProvider.FromVariables"/>): no test reads or sets the process's variables.
/// </summary>
public sealed class AuthenticationTests
{
    [Test]
    public async Task Credentials_come_from_the_environment_variables()
    {
        var request = await SendAsync(o =>
        {
            o.Credentials = null;
            o.Environment = TestClients.Environment(("AWS_ACCESS_KEY_ID", "AKIDFROMENVIRONMENT"), ("AWS_SECRET_ACCESS_KEY", "secret/from+environment"), ("AWS_SESSION_TOKEN", "token-123"));
        });
        Assert.That(request.Header("authorization"), Does.StartWith("AWS4-HMAC-SHA256 Credential=AKIDFROMENVIRONMENT/20150830/us-east-1/bedrock/aws4_request"));
        Assert.That(request.Header("x-amz-security-token"), Is.EqualTo("token-123"));
    }

    [Test]
    public async Task Credentials_and_region_come_from_the_profile_file_the_environment_names()
    {
        var directory = Directory.CreateTempSubdirectory("bedrock-profile-");
        try
        {
            var file = Path.Combine(directory.FullName, "credentials");
            await File.WriteAllTextAsync(file, "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = default\n\n" +
                "[work]\naws_access_key_id = AKIDFROMPROFILE\naws_secret_access_key = profile/secret\nregion = eu-west-2\n");
            var request = await SendAsync(o =>
            {
                o.Credentials = null;
                o.Region = null;
                o.Environment = TestClients.Environment(("AWS_SHARED_CREDENTIALS_FILE", file), ("AWS_PROFILE", "work"));
            });
            Assert.That(request.Header("authorization"), Does.StartWith("AWS4-HMAC-SHA256 Credential=AKIDFROMPROFILE/20150830/eu-west-2/bedrock/aws4_request"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Test]
    public void Missing_credentials_say_what_to_set()
    {
        var error = Assert.ThrowsAsync<ModelRegistryException>(() => SendAsync(o => o.Credentials = null));
        Assert.That(error!.Message, Does.Contain("AWS_ACCESS_KEY_ID").And.Contain("AWS_PROFILE").And.Contain("AWS_BEARER_TOKEN_BEDROCK"));
    }

    [Test]
    public async Task A_failed_credential_lookup_is_tried_again_on_the_next_call()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Ok());
        var environment = new ChangingEnvironment();
        var options = TestClients.Options(server);
        options.Credentials = null;
        options.Environment = environment;
        using var client = TestClients.Chat(options, Claude);
        Assert.ThrowsAsync<ModelRegistryException>(() => client.GetResponseAsync("Hi"));
        environment.Variables["AWS_ACCESS_KEY_ID"] = "AKIDLATER";
        environment.Variables["AWS_SECRET_ACCESS_KEY"] = "later";
        await client.GetResponseAsync("Hi");
        Assert.That(server.Requests.Single().Header("authorization"), Does.Contain("Credential=AKIDLATER/"));
    }

    [Test]
    public async Task The_bearer_token_variable_replaces_sigv4()
    {
        var request = await SendAsync(o => o.Environment = TestClients.Environment(("AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key-fake")));
        Assert.That(request.Header("authorization"), Is.EqualTo("Bearer bedrock-api-key-fake"));
        Assert.That(request.Header("x-amz-date"), Is.Null);
    }

    [Test]
    public async Task The_api_key_option_comes_before_the_bearer_token_variable()
    {
        var request = await SendAsync(o =>
        {
            o.ApiKey = "ABSK-option-key";
            o.Environment = TestClients.Environment(("AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key-fake"));
        });
        Assert.That(request.Header("authorization"), Is.EqualTo("Bearer ABSK-option-key"));
    }

    [Test]
    public async Task The_region_comes_from_the_option_then_the_arn_then_AWS_REGION_then_AWS_DEFAULT_REGION()
    {
        var environment = TestClients.Environment(("AWS_REGION", "ap-southeast-2"), ("AWS_DEFAULT_REGION", "ca-central-1"));
        var fromOption = await SendAsync(o => (o.Region, o.Environment) = ("eu-west-3", environment));
        var fromArn = await SendAsync(o => (o.Region, o.Environment) = (null, environment), "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/abc");
        var fromRegion = await SendAsync(o => (o.Region, o.Environment) = (null, environment));
        var fromDefault = await SendAsync(o => (o.Region, o.Environment) = (null, TestClients.Environment(("AWS_DEFAULT_REGION", "ca-central-1"))));
        Assert.Multiple(() =>
        {
            Assert.That(fromOption.Header("authorization"), Does.Contain("/eu-west-3/bedrock/"));
            Assert.That(fromArn.Header("authorization"), Does.Contain("/eu-central-1/bedrock/"));
            Assert.That(fromRegion.Header("authorization"), Does.Contain("/ap-southeast-2/bedrock/"));
            Assert.That(fromDefault.Header("authorization"), Does.Contain("/ca-central-1/bedrock/"));
        });
    }

    [TestCase("AWS_REGION", "moon-base-9")]
    [TestCase("AWS_DEFAULT_REGION", "evil.example.com/x?")]
    public async Task A_region_from_the_environment_is_validated_before_any_host_is_built(string variable, string value)
    {
        await using var server = await ReplayServer.StartAsync();
        var options = TestClients.Options(server);
        options.Region = null;
        options.Environment = TestClients.Environment((variable, value));
        using var client = TestClients.Chat(options, Claude);
        var error = Assert.ThrowsAsync<ModelRegistryException>(() => client.GetResponseAsync("Hi"));
        Assert.That(error!.Message, Does.Contain(variable).And.Contain(value).And.Contain("eu-west-1"));
        Assert.That(server.Requests, Is.Empty);
    }

    [Test]
    public void A_missing_region_says_what_to_set()
    {
        var error = Assert.ThrowsAsync<ModelRegistryException>(() => SendAsync(o => o.Region = null));
        Assert.That(error!.Message, Does.Contain("AWS_REGION").And.Contain("region").And.Contain("AWS_PROFILE"));
    }

    [Test]
    public async Task The_default_endpoints_are_the_regional_hosts()
    {
        var seen = new List<Uri>();
        using var http = new HttpClient(new CapturingHandler(seen)) { Timeout = Timeout.InfiniteTimeSpan };
        var client = new BedrockClient(new BedrockClientOptions
        {
            Region = "eu-west-1",
            ApiKey = "ABSK-fake-key",
            HttpClient = http,
            Environment = TestClients.Environment(),
        });
        await client.AsIChatClient("anthropic.claude-haiku-4-5-20251001-v1:0", "arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/x1").GetResponseAsync("Hi");
        await client.CheckHealthAsync("eu.amazon.nova-micro-v1:0");
        Assert.That(seen.Select(u => u.AbsoluteUri), Is.EqualTo(new[]
        {
            "https://bedrock-runtime.eu-west-1.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aeu-west-1%3A123456789012%3Aapplication-inference-profile%2Fx1/converse",
            "https://bedrock.eu-west-1.amazonaws.com/foundation-model-availability/amazon.nova-micro-v1%3A0",
        }));
    }

    [Test]
    public void Bad_options_and_model_ids_fail_with_what_to_fix()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Assert.Throws<ArgumentException>(() => new BedrockClient(new BedrockClientOptions { Region = "EU WEST" }))!.Message, Does.Contain("Region"));
            Assert.That(Assert.Throws<ArgumentException>(() => new BedrockClient(new BedrockClientOptions { Region = "moon-base-9" }))!.Message, Does.Contain("moon-base-9"));
            var client = new BedrockClient(new BedrockClientOptions { Environment = TestClients.Environment() });
            Assert.That(Assert.Throws<ArgumentException>(() => client.AsIChatClient("m", "profile/x"))!.Message, Does.Contain("ARN"));
            Assert.That(Assert.Throws<ArgumentException>(() => client.AsIChatClient(".."))!.Message, Does.Contain("'..'"));
            Assert.That(Assert.Throws<ArgumentException>(() => client.AsIChatClient("."))!.Message, Does.Contain("'..'"));
            Assert.That(Assert.Throws<ArgumentException>(() => client.AsIEmbeddingGenerator(".."))!.Message, Does.Contain("'..'"));
        });
    }

    [TestCase("arn:aws:bedrock:evil.example.com/x?:123456789012:application-inference-profile/abc")]
    [TestCase("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc?x=1")]
    [TestCase("arn:aws:s3:us-east-1:123456789012:application-inference-profile/abc")]
    [TestCase("arn:aws:bedrock:us-east-1:123456789012:bucket/abc")]
    public void An_arn_that_could_steer_the_host_is_refused_as_profile_and_as_model_id(string arn)
    {
        var client = new BedrockClient(new BedrockClientOptions { Environment = TestClients.Environment() });
        Assert.Throws<ArgumentException>(() => client.AsIChatClient("anthropic.claude-haiku-4-5-20251001-v1:0", arn));
        Assert.Throws<ArgumentException>(() => client.AsIChatClient(arn));
    }

    private static async Task<ReceivedRequest> SendAsync(Action<BedrockClientOptions> configure, string model = Claude)
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Ok());
        var options = TestClients.Options(server);
        configure(options);
        using var client = TestClients.Chat(options, model);
        await client.GetResponseAsync("Hi");
        return server.Requests.Single();
    }

    /// <summary>An environment a test changes between calls.</summary>
    private sealed class ChangingEnvironment : EnvironmentProvider
    {
        public Dictionary<string, string> Variables { get; } = new(StringComparer.Ordinal)
        {
            ["AWS_SHARED_CREDENTIALS_FILE"] = TestClients.NoCredentialsFile,
            ["AWS_EC2_METADATA_DISABLED"] = "true",
        };

        protected override string? Read(string name) => Variables.GetValueOrDefault(name);
    }

    /// <summary>Answers every request without a network, recording where it went (the public hosts are never reached).</summary>
    private sealed class CapturingHandler(List<Uri> seen) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            seen.Add(request.RequestUri!);
            var body = request.RequestUri!.AbsolutePath.StartsWith("/foundation-model-availability/", StringComparison.Ordinal)
                ? """{"agreementAvailability":{"status":"AVAILABLE"},"authorizationStatus":"AUTHORIZED","entitlementAvailability":"AVAILABLE","regionAvailability":"AVAILABLE"}"""
                : Converse();
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }
    }
}
