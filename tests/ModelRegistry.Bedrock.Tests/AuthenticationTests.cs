using Microsoft.Extensions.AI;
using ModelRegistry.Bedrock.Tests.Support;
using ModelRegistry.Testing;
using static ModelRegistry.Bedrock.Tests.Support.Fixtures;

namespace ModelRegistry.Bedrock.Tests;

/// <summary>How the client authenticates and finds its region. These tests change the process environment.</summary>
[NonParallelizable]
public sealed class AuthenticationTests
{
    [Test]
    public async Task Credentials_come_from_the_aws_chain_when_none_are_given()
    {
        using var env = new EnvironmentScope(("AWS_ACCESS_KEY_ID", "AKIDFROMENVIRONMENT"), ("AWS_SECRET_ACCESS_KEY", "secret/from+environment"), ("AWS_SESSION_TOKEN", "token-123"));
        var request = await SendAsync(o => o.Credentials = null);
        Assert.That(request.Header("authorization"), Does.StartWith("AWS4-HMAC-SHA256 Credential=AKIDFROMENVIRONMENT/20150830/us-east-1/bedrock/aws4_request"));
        Assert.That(request.Header("x-amz-security-token"), Is.EqualTo("token-123"));
    }

    [Test]
    public void Missing_credentials_say_what_to_set()
    {
        using var env = new EnvironmentScope();
        var error = Assert.ThrowsAsync<ModelRegistryException>(() => SendAsync(o => o.Credentials = null));
        Assert.That(error!.Message, Does.Contain("AWS_ACCESS_KEY_ID").And.Contain("AWS_PROFILE").And.Contain("AWS_BEARER_TOKEN_BEDROCK").And.Contain(Claude));
    }

    [Test]
    public async Task A_failed_credential_lookup_is_tried_again_on_the_next_call()
    {
        using var env = new EnvironmentScope();
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Ok());
        var options = TestClients.Options(server, Claude);
        options.Credentials = null;
        using var client = TestClients.Chat(options);
        Assert.ThrowsAsync<ModelRegistryException>(() => client.GetResponseAsync("Hi"));
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "AKIDLATER");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "later");
        await client.GetResponseAsync("Hi");
        Assert.That(server.Requests.Single().Header("authorization"), Does.Contain("Credential=AKIDLATER/"));
    }

    [Test]
    public async Task The_bearer_token_variable_replaces_sigv4()
    {
        using var env = new EnvironmentScope(("AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key-fake"));
        var request = await SendAsync(o => o.Credentials = null);
        Assert.That(request.Header("authorization"), Is.EqualTo("Bearer bedrock-api-key-fake"));
        Assert.That(request.Header("x-amz-date"), Is.Null);
    }

    [Test]
    public async Task The_region_comes_from_the_setting_then_the_arn_then_the_aws_chain()
    {
        using var env = new EnvironmentScope(("AWS_REGION", "ap-southeast-2"));
        var fromSetting = await SendAsync(o => o.Region = "eu-west-3");
        Assert.That(fromSetting.Header("authorization"), Does.Contain("/eu-west-3/bedrock/"));
        var fromArn = await SendAsync(o =>
        {
            o.Region = null;
            o.InferenceProfileArn = "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/abc";
        });
        Assert.That(fromArn.Header("authorization"), Does.Contain("/eu-central-1/bedrock/"));
        var fromChain = await SendAsync(o => o.Region = null);
        Assert.That(fromChain.Header("authorization"), Does.Contain("/ap-southeast-2/bedrock/"));
    }

    [Test]
    public void A_missing_region_says_what_to_set()
    {
        using var env = new EnvironmentScope();
        var error = Assert.ThrowsAsync<ModelRegistryException>(() => SendAsync(o => o.Region = null));
        Assert.That(error!.Message, Does.Contain("AWS_REGION").And.Contain("region").And.Contain("AWS_PROFILE"));
    }

    [Test]
    public void The_default_endpoint_is_the_regional_runtime_host()
    {
        var settings = Bedrock.Internal.BedrockSettings.FromOptions(new BedrockClientOptions { ModelId = "arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/x1" });
        var authenticator = new Bedrock.Internal.BedrockAuthenticator(settings, TimeProvider.System);
        var resolved = new Bedrock.Internal.BedrockAuthenticator.Resolved("eu-west-1", "key", null);
        Assert.That(authenticator.RuntimeUri(resolved, "converse").AbsoluteUri,
            Is.EqualTo("https://bedrock-runtime.eu-west-1.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aeu-west-1%3A123456789012%3Aapplication-inference-profile%2Fx1/converse"));
        Assert.That(authenticator.ControlPlaneUri(resolved, "foundation-model-availability/a").AbsoluteUri,
            Is.EqualTo("https://bedrock.eu-west-1.amazonaws.com/foundation-model-availability/a"));
    }

    [Test]
    public void Bad_options_fail_with_the_field_to_fix()
    {
        Assert.That(Assert.Throws<ArgumentException>(() => BedrockClients.CreateChatClient(new BedrockClientOptions()))!.Message, Does.Contain("ModelId"));
        Assert.That(Assert.Throws<ArgumentException>(() => BedrockClients.CreateChatClient(new BedrockClientOptions { ModelId = "m", Region = "EU WEST" }))!.Message,
            Does.Contain("Region"));
        Assert.That(Assert.Throws<ArgumentException>(() => BedrockClients.CreateChatClient(new BedrockClientOptions { ModelId = "m", InferenceProfileArn = "profile/x" }))!.Message,
            Does.Contain("InferenceProfileArn"));
    }

    private static async Task<ReceivedRequest> SendAsync(Action<BedrockClientOptions> configure)
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Ok());
        var options = TestClients.Options(server, Claude);
        configure(options);
        using var client = TestClients.Chat(options);
        await client.GetResponseAsync("Hi");
        return server.Requests.Single();
    }
}
