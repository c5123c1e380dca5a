using System.Text.Json.Nodes;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelRegistry.Bedrock.Tests.Support;
using ModelRegistry.Testing;

namespace ModelRegistry.Bedrock.Tests;

/// <summary>The token-free health check: one <see cref="HealthCheckResult"/>, never an exception for an unhealthy model.</summary>
public sealed class HealthCheckTests
{
    [Test]
    public async Task An_available_model_is_healthy_and_no_model_is_invoked()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Availability("AVAILABLE", "AUTHORIZED"));
        var health = await Client(server).CheckHealthAsync("us.anthropic.claude-sonnet-4-5-20250929-v1:0");
        Assert.That(health.Status, Is.EqualTo(HealthStatus.Healthy), health.Description);
        var request = server.Requests.Single();
        Assert.That(request.PathAndQuery, Is.EqualTo("/foundation-model-availability/anthropic.claude-sonnet-4-5-20250929-v1%3A0"), "the geographic prefix is dropped");
        Assert.That(request.Method, Is.EqualTo("GET"));
        Assert.That(request.Header("authorization"), Does.Contain("/us-east-1/bedrock/aws4_request"));
        Assert.That(health.Data["regionAvailability"], Is.EqualTo("AVAILABLE"));
    }

    [Test]
    public async Task A_model_without_an_agreement_is_unhealthy_with_the_reason()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Availability("NOT_AVAILABLE", "NOT_AUTHORIZED", "Accept the EULA in the console."));
        var health = await Client(server).CheckHealthAsync("anthropic.claude-sonnet-4-5-20250929-v1:0");
        Assert.That(health.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(health.Description, Does.Contain("NOT_AVAILABLE").And.Contain("Accept the EULA"));
        Assert.That(health.Data["authorizationStatus"], Is.EqualTo("NOT_AUTHORIZED"));
    }

    [Test]
    public async Task A_key_echoed_in_any_availability_field_is_scrubbed_from_the_description()
    {
        // Found by the fuzz runner: the data were scrubbed, but the description was built from the raw field values.
        const string key = "ABSKsecret-bedrock-key-value-1234567890";
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Availability("NOT_AVAILABLE", $"denied for Bearer {key}", $"no agreement for Bearer {key}"));
        var options = TestClients.Options(server);
        options.ApiKey = key;

        var health = await new BedrockClient(options).CheckHealthAsync("amazon.nova-micro-v1:0");

        Assert.That(health.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(health.Description, Does.Not.Contain(key).And.Contain("authorizationStatus denied for ***"));
        Assert.That(health.Data.Values.Select(v => v.ToString()), Has.None.Contains(key));
    }

    [TestCase("regionAvailability")]
    [TestCase("entitlementAvailability")]
    public async Task Every_availability_field_counts(string field)
    {
        await using var server = await ReplayServer.StartAsync();
        var body = JsonNode.Parse(Availability("AVAILABLE", "AUTHORIZED").Body)!;
        body[field] = "NOT_AVAILABLE";
        server.Enqueue(ScriptedResponse.Json(body.ToJsonString()));
        var health = await Client(server).CheckHealthAsync("amazon.nova-micro-v1:0");
        Assert.That(health.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(health.Description, Does.Contain($"{field} NOT_AVAILABLE"));
    }

    [Test]
    public async Task Control_plane_errors_malformed_answers_and_missing_credentials_are_unhealthy()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(
            ScriptedResponse.Json("""{"message":"User is not authorized"}""", 403, ("x-amzn-ErrorType", "AccessDeniedException")),
            ScriptedResponse.Json("""{"agreementAvailability":[]"""));
        var denied = await Client(server).CheckHealthAsync("amazon.nova-micro-v1:0");
        Assert.That((denied.Status, denied.Description!.Contains("AccessDeniedException", StringComparison.Ordinal)), Is.EqualTo((HealthStatus.Unhealthy, true)));
        var malformed = await Client(server).CheckHealthAsync("amazon.nova-micro-v1:0");
        Assert.That(malformed.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(malformed.Exception, Is.InstanceOf<ModelProviderException>());

        var options = TestClients.Options(server);
        options.Credentials = null;
        var missing = await new BedrockClient(options).CheckHealthAsync("amazon.nova-micro-v1:0");
        Assert.That(missing.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(missing.Description, Does.Contain("AWS_ACCESS_KEY_ID"));
        Assert.That(server.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task An_inference_profile_arn_is_healthy_when_credentials_resolve()
    {
        await using var server = await ReplayServer.StartAsync();
        var health = await Client(server).CheckHealthAsync("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc");
        Assert.That(health.Status, Is.EqualTo(HealthStatus.Healthy));
        Assert.That(server.Requests, Is.Empty);
    }

    private static BedrockClient Client(ReplayServer server) => new(TestClients.Options(server));

    private static ScriptedResponse Availability(string agreement, string authorization, string? error = null) => ScriptedResponse.Json(
        new JsonObject
        {
            ["modelId"] = "m",
            ["agreementAvailability"] = error is null ? new JsonObject { ["status"] = agreement } : new JsonObject { ["status"] = agreement, ["errorMessage"] = error },
            ["authorizationStatus"] = authorization,
            ["entitlementAvailability"] = "AVAILABLE",
            ["regionAvailability"] = "AVAILABLE",
        }.ToJsonString());
}
