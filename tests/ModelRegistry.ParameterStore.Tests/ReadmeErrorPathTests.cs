using System.Globalization;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using ModelRegistry.ParameterStore.Tests.Support;
using ModelRegistry.Testing;

namespace ModelRegistry.ParameterStore.Tests;

/// <summary>
/// The error paths the README promises, each against moto or a loopback server, each red when its behaviour goes:
/// no region, missing credentials, SSM throttling, an unreachable endpoint, the extension retrying 429 and 5xx, and
/// version pins (<c>name:3</c>).
/// </summary>
public sealed class ReadmeErrorPathTests
{
    private const string Registry = """{"devstral-small":{"provider":"fake","model_id":"devstral-small-2507"}}""";

    /// <summary>A profile no machine has, so the AWS profile files (whatever the caller's home holds) give no region.</summary>
    private static readonly Dictionary<string, string?> NoRegion = new() { ["AWS_PROFILE"] = "modelregistry-tests-no-such-profile" };

    [Test]
    public async Task Without_a_region_the_read_fails_saying_where_to_set_one_and_the_region_variables_are_read_from_the_environment()
    {
        await using var none = TestHost.Create(b => b.FromJson("{}").AddParameterStore(o => (o.Credentials, o.Transport) = (Moto.Credentials, ParameterStoreTransport.Api)), environment: NoRegion);

        var error = Assert.ThrowsAsync<ModelRegistryException>(async () => await none.Secrets.ResolveAsync("ssm:/app/key"));
        Assert.That(error!.Message, Is.EqualTo(
            "Could not read the secret 'ssm:/app/key' (region (the default region), via the SSM API at the regional endpoint): " +
            "no AWS region is configured. Set AWS_REGION (or AWS_DEFAULT_REGION, or a region in the AWS profile 'modelregistry-tests-no-such-profile'), or ParameterStoreOptions.Region."));

        // With AWS_DEFAULT_REGION in the environment, moto's eu-west-1 holds the secret (a read signed for us-east-1 would not find it).
        var name = Moto.UniqueName("key");
        await Moto.PutAsync(name, "sk-test-from-eu-west-1", Amazon.SimpleSystemsManagement.ParameterType.SecureString);
        await using var regional = TestHost.Create(
            b => b.FromJson("{}").AddParameterStore(o => (o.Credentials, o.ServiceUrl) = (Moto.Credentials, Moto.Endpoint)),
            environment: new Dictionary<string, string?>(NoRegion) { ["AWS_DEFAULT_REGION"] = Moto.Region });
        Assert.That(await regional.Secrets.ResolveAsync("ssm:" + name), Is.EqualTo("sk-test-from-eu-west-1"));
    }

    [Test]
    public async Task Missing_credentials_fail_saying_which_settings_give_some()
    {
        await using var host = TestHost.Create(b => b.FromJson("{}").AddParameterStore(o =>
        {
            Moto.Configure(o);
            o.Credentials = new NoCredentials();
        }));

        var error = Assert.ThrowsAsync<ModelRegistryException>(async () => await host.Secrets.ResolveAsync("ssm:/app/key"));

        Assert.That(error!.Message, Does.StartWith($"Could not read the secret 'ssm:/app/key' (region eu-west-1, via the SSM API at {Moto.Endpoint}): no AWS credentials were found ("));
        Assert.That(error.Message, Does.EndWith("Set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, run with an IAM role, or set ParameterStoreOptions.Credentials."));
    }

    [Test]
    public async Task Ssm_throttling_is_retried_by_the_sdk_then_explained()
    {
        await using var server = await ReplayServer.StartAsync();
        var throttled = Enumerable.Range(0, 6).Select(_ => ScriptedResponse.Json(
            new JsonObject { ["__type"] = "ThrottlingException", ["message"] = "Rate exceeded" }.ToJsonString(), 400, ("x-amzn-ErrorType", "ThrottlingException"))).ToArray();
        server.Enqueue(throttled);
        await using var host = TestHost.Create(b => b.FromJson("{}").AddParameterStore(o => (o.ServiceUrl, o.Region, o.Credentials) = (server.BaseAddress, Moto.Region, Moto.Credentials)));

        var error = Assert.ThrowsAsync<ModelRegistryException>(async () => await host.Secrets.ResolveAsync("ssm:/app/key"));

        Assert.Multiple(() =>
        {
            Assert.That(server.Requests, Has.Count.GreaterThan(1), "the SDK retried the throttled read");
            Assert.That(error!.Message, Is.EqualTo(
                $"Could not read the secret 'ssm:/app/key' (region eu-west-1, via the SSM API at {server.BaseAddress}): " +
                "SSM throttled the read even after the SDK's retries (Rate exceeded). Read less often (a longer RefreshInterval) or raise the account's Parameter Store throughput."));
        });
    }

    [Test]
    public async Task An_unreachable_endpoint_fails_saying_to_check_network_access()
    {
        // Port 9 (discard) on loopback: nothing listens, the connection is refused at once; no address off this machine is tried.
        var endpoint = new Uri("http://127.0.0.1:9/");
        await using var host = TestHost.Create(b => b.FromJson("{}").AddParameterStore(o => (o.ServiceUrl, o.Region, o.Credentials) = (endpoint, Moto.Region, Moto.Credentials)));

        var error = Assert.ThrowsAsync<ModelRegistryException>(async () => await host.Secrets.ResolveAsync("ssm:/app/key"));

        Assert.That(error!.Message, Does.StartWith($"Could not read the secret 'ssm:/app/key' (region eu-west-1, via the SSM API at {endpoint}): the SSM endpoint could not be reached ("));
        Assert.That(error.Message, Does.EndWith("Check network access to SSM from here (a VPC endpoint for ssm, or a NAT gateway), or ParameterStoreOptions.ServiceUrl."));
    }

    [Test]
    public async Task The_extension_retries_429_and_5xx_with_its_backoff()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(
            new ScriptedResponse { Status = 429, Body = "throttled"u8.ToArray() },
            new ScriptedResponse { Status = 500, Body = "internal"u8.ToArray() },
            new ScriptedResponse { Status = 503, Body = "unavailable"u8.ToArray() },
            Found("/app/models", Registry));
        await using var host = TestHost.Create(
            b => b.FromParameterStore("/app/models", o => { Moto.NoSsm(o); o.Transport = ParameterStoreTransport.Extension; }),
            environment: new Dictionary<string, string?>
            {
                ["AWS_LAMBDA_FUNCTION_NAME"] = "terraform-pr-agent",
                ["AWS_SESSION_TOKEN"] = "IQoJb3JpZ2luX2VjEXAMPLE-fake-session-token",
                ["AWS_REGION"] = Moto.Region,
                ["PARAMETERS_SECRETS_EXTENSION_HTTP_PORT"] = server.BaseAddress.Port.ToString(CultureInfo.InvariantCulture),
            });

        TimeSpan[] waits = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400)];
        var answer = await host.AfterWaitsAsync(host.AskAsync(), waits);

        Assert.Multiple(() =>
        {
            Assert.That(answer, Is.EqualTo("devstral-small/devstral-small-2507"));
            Assert.That(host.Backoffs, Is.EqualTo(waits));
            Assert.That(server.Requests, Has.Count.EqualTo(4));
        });
    }

    [Test]
    public async Task A_version_pin_reads_that_version_for_the_registry_and_for_a_secret()
    {
        var models = Moto.UniqueName("models");
        await Moto.PutAsync(models, Registry.Replace("devstral-small-2507", "v1", StringComparison.Ordinal));
        await Moto.PutAsync(models, Registry.Replace("devstral-small-2507", "v2", StringComparison.Ordinal));
        await Moto.PutAsync(models, Registry.Replace("devstral-small-2507", "v3", StringComparison.Ordinal));
        var key = Moto.UniqueName("key");
        await Moto.PutAsync(key, "sk-test-old", Amazon.SimpleSystemsManagement.ParameterType.SecureString);
        await Moto.PutAsync(key, "sk-test-new", Amazon.SimpleSystemsManagement.ParameterType.SecureString);

        await using var pinned = TestHost.Create(b => b.FromParameterStore(models + ":2", Moto.Configure));
        await using var latest = TestHost.Create(b => b.FromParameterStore(models, Moto.Configure));

        Assert.Multiple(async () =>
        {
            Assert.That(await pinned.AskAsync(), Is.EqualTo("devstral-small/v2"));
            Assert.That(await latest.AskAsync(), Is.EqualTo("devstral-small/v3"));
            Assert.That(await pinned.Secrets.ResolveAsync($"ssm:{key}:1"), Is.EqualTo("sk-test-old"));
            Assert.That(await pinned.Secrets.ResolveAsync($"ssm:{key}"), Is.EqualTo("sk-test-new"));
        });

        var missing = Assert.ThrowsAsync<ModelRegistryException>(async () => await latest.Secrets.ResolveAsync($"ssm:{key}:9"));
        Assert.That(missing!.Message, Does.Contain("the version or label after ':' in the name does not exist"));
    }

    private static ScriptedResponse Found(string name, string value) =>
        ScriptedResponse.Json(new JsonObject
        {
            ["Parameter"] = new JsonObject
            {
                ["ARN"] = $"arn:aws:ssm:eu-west-1:123456789012:parameter{name}",
                ["DataType"] = "text",
                ["LastModifiedDate"] = "2026-11-01T10:00:00.000Z",
                ["Name"] = name,
                ["Selector"] = null,
                ["SourceResult"] = null,
                ["Type"] = "String",
                ["Value"] = value,
                ["Version"] = 1,
            },
            ["ResultMetadata"] = new JsonObject(),
        }.ToJsonString());

    /// <summary>What the SDK's credential chain ends in when it finds nothing.</summary>
    private sealed class NoCredentials : AWSCredentials
    {
        private static AmazonClientException Missing() => new(
            "Failed to resolve AWS credentials. The credential providers used to search for credentials returned the following errors: " +
            "Environment variables were not set with AWS credentials.");

        public override ImmutableCredentials GetCredentials() => throw Missing();

        public override Task<ImmutableCredentials> GetCredentialsAsync() => throw Missing();
    }
}
