using System.Text.Json.Nodes;
using ModelRegistry.ParameterStore.Tests.Support;
using ModelRegistry.Testing;

namespace ModelRegistry.ParameterStore.Tests;

/// <summary>
/// The SSM API path against a loopback server speaking SSM's JSON 1.1 protocol (botocore's ssm service model, and the
/// error shape in shared/reference/router-lambda-ssm.md §4), for answers moto does not give: IAM and KMS refusals.
/// The messages are those AWS sends (as quoted in public bug reports), with made-up account and role names.
/// </summary>
public sealed class SsmApiTests
{
    private const string Name = "/terraform-pr-agent/mistral-api-key";

    [Test]
    public async Task Sends_a_signed_GetParameter_with_decryption()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(
            $$$"""{"Parameter":{"ARN":"arn:aws:ssm:eu-west-1:123456789012:parameter{{{Name}}}","DataType":"text","LastModifiedDate":1.795436709792E9,"Name":"{{{Name}}}","Type":"SecureString","Value":"sk-fake-api","Version":4}}"""));
        await using var host = TestHost.Create(b => b.FromJson("{}").AddParameterStore(o => Scripted(o, server)));

        Assert.That(await host.Secrets.ResolveAsync("ssm:" + Name), Is.EqualTo("sk-fake-api"));

        var request = server.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(request.Method, Is.EqualTo("POST"));
            Assert.That(request.PathAndQuery, Is.EqualTo("/"));
            Assert.That(request.Header("X-Amz-Target"), Is.EqualTo("AmazonSSM.GetParameter"));
            Assert.That(request.Header("Content-Type"), Does.StartWith("application/x-amz-json-1.1"));
            Assert.That(request.Header("Authorization"), Does.StartWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/").And.Contain("/eu-west-1/ssm/aws4_request"));
            Assert.That(JsonEquivalence.Differences(JsonNode.Parse($$"""{"Name":"{{Name}}","WithDecryption":true}"""), request.Json), Is.Empty);
        });
    }

    [TestCase(
        "AccessDeniedException",
        "User: arn:aws:sts::123456789012:assumed-role/pr-agent-role/pr-agent is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:eu-west-1:123456789012:parameter/terraform-pr-agent/mistral-api-key because no identity-based policy allows the ssm:GetParameter action",
        "access denied",
        "Grant ssm:GetParameter on arn:aws:ssm:eu-west-1:ACCOUNT:parameter/terraform-pr-agent/mistral-api-key")]
    [TestCase(
        "AccessDeniedException",
        "User: arn:aws:sts::123456789012:assumed-role/pr-agent-role/pr-agent is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab because no identity-based policy allows the kms:Decrypt action (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException; Request ID: 5f642215-959a-11e8-bfd1-81a81941d54a)",
        "could not decrypt the SecureString with its KMS key",
        "Grant kms:Decrypt on the parameter's KMS key")]
    [TestCase(
        "AccessDeniedException",
        "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access. (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException)",
        "could not decrypt the SecureString with its KMS key",
        "Grant kms:Decrypt")]
    [TestCase(
        "InvalidKeyId",
        "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab is disabled.",
        "its KMS key is invalid, disabled or not usable",
        "Re-enable the key")]
    [TestCase(
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
        "SSM rejected the AWS credentials (UnrecognizedClientException",
        "AWS_PROFILE")]
    [TestCase(
        "ParameterVersionNotFound",
        "Systems Manager could not find version 9 of /terraform-pr-agent/mistral-api-key.",
        "the version or label after ':' in the name does not exist",
        "drop it to read the latest version")]
    public async Task A_refusal_names_the_problem_and_the_fix(string errorType, string awsMessage, string problem, string fix)
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(
            new JsonObject { ["__type"] = errorType, ["message"] = awsMessage }.ToJsonString(),
            400,
            ("x-amzn-ErrorType", errorType)));
        await using var host = TestHost.Create(b => b.FromJson("{}").AddParameterStore(o => Scripted(o, server)));

        var error = Assert.ThrowsAsync<ModelRegistryException>(async () => await host.Secrets.ResolveAsync("ssm:" + Name));

        Assert.Multiple(() =>
        {
            Assert.That(server.Requests, Has.Count.EqualTo(1), "a refusal is not retried");
            Assert.That(error!.Message, Does.StartWith($"Could not read the secret 'ssm:{Name}' (region eu-west-1, via the SSM API at {server.BaseAddress}): "));
            Assert.That(error.Message, Does.Contain(problem));
            Assert.That(error.Message, Does.Contain(fix));
        });
    }

    [Test]
    public async Task An_endpoint_from_AWS_ENDPOINT_URL_SSM_is_used_and_named_in_the_error()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(
            new JsonObject { ["__type"] = "ParameterNotFound", ["message"] = "" }.ToJsonString(), 400, ("x-amzn-ErrorType", "ParameterNotFound")));
        await using var host = TestHost.Create(
            b => b.FromJson("{}").AddParameterStore(o => (o.Region, o.Credentials) = ("eu-west-1", Moto.Credentials)),
            environment: new Dictionary<string, string?> { ["AWS_ENDPOINT_URL_SSM"] = server.BaseAddress.ToString() });

        var error = Assert.ThrowsAsync<ModelRegistryException>(async () => await host.Secrets.ResolveAsync("ssm:" + Name));

        Assert.Multiple(() =>
        {
            Assert.That(server.Requests, Has.Count.EqualTo(1), "the read goes where the variable points");
            Assert.That(error!.Message, Does.Contain($"via the SSM API at {server.BaseAddress} (from AWS_ENDPOINT_URL_SSM)"));
            Assert.That(error.Message, Does.Not.Contain("regional endpoint"));
        });
    }

    [Test]
    public void An_endpoint_named_in_a_message_loses_its_user_info_and_query() =>
        Assert.That(
            Internal.SsmApiTransport.Describe("https://AKIDEXAMPLE:sk-test-secret@ssm.example.test:8443/proxy?X-Amz-Security-Token=sk-test-token#f"),
            Is.EqualTo("https://ssm.example.test:8443/proxy"));

    private static void Scripted(ParameterStoreOptions options, ReplayServer server)
    {
        options.ServiceUrl = server.BaseAddress;
        options.Region = "eu-west-1";
        options.Credentials = Moto.Credentials;
    }
}
