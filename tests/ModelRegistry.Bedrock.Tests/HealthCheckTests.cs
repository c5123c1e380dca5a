using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Bedrock.Tests.Support;
using ModelRegistry.Testing;

namespace ModelRegistry.Bedrock.Tests;

/// <summary>The token-free health check.</summary>
[NonParallelizable]
public sealed class HealthCheckTests
{
    [Test]
    public async Task An_available_model_is_healthy_and_no_model_is_invoked()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Availability("AVAILABLE", "AUTHORIZED"));
        var health = await BedrockClients.CheckHealthAsync(TestClients.Options(server, "us.anthropic.claude-sonnet-4-5-20250929-v1:0"));
        Assert.That(health.IsHealthy, health.Description);
        var request = server.Requests.Single();
        Assert.That(request.PathAndQuery, Is.EqualTo("/foundation-model-availability/anthropic.claude-sonnet-4-5-20250929-v1%3A0"), "the geographic prefix is dropped");
        Assert.That(request.Header("authorization"), Does.Contain("/us-east-1/bedrock/aws4_request"));
    }

    [Test]
    public async Task A_model_without_an_agreement_is_unhealthy_with_the_reason()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Availability("NOT_AVAILABLE", "NOT_AUTHORIZED", "Accept the EULA in the console."));
        var health = await BedrockClients.CheckHealthAsync(TestClients.Options(server, "anthropic.claude-sonnet-4-5-20250929-v1:0"));
        Assert.That(health.IsHealthy, Is.False);
        Assert.That(health.Description, Does.Contain("NOT_AVAILABLE").And.Contain("Accept the EULA"));
        Assert.That(health.Details["authorizationStatus"], Is.EqualTo("NOT_AUTHORIZED"));
    }

    [Test]
    public async Task Control_plane_errors_and_missing_credentials_are_unhealthy()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"message":"User is not authorized"}""", 403, ("x-amzn-ErrorType", "AccessDeniedException")));
        var denied = await BedrockClients.CheckHealthAsync(TestClients.Options(server, "amazon.nova-micro-v1:0"));
        Assert.That((denied.IsHealthy, denied.Description.Contains("AccessDeniedException", StringComparison.Ordinal)), Is.EqualTo((false, true)));

        using var env = new EnvironmentScope();
        var options = TestClients.Options(server, "amazon.nova-micro-v1:0");
        options.Credentials = null;
        var missing = await BedrockClients.CheckHealthAsync(options);
        Assert.That(missing.IsHealthy, Is.False);
        Assert.That(missing.Description, Does.Contain("AWS_ACCESS_KEY_ID"));
        Assert.That(server.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public void Only_bedrock_entries_are_checked()
    {
        var entry = new ModelEntry("large", "mistral", "mistral-large-latest");
        var error = Assert.Throws<ModelRegistryException>(() => BedrockClients.CheckHealthAsync(entry, new ServiceCollection().BuildServiceProvider()));
        Assert.That(error!.Message, Does.Contain("'large'").And.Contain("mistral"));
    }

    private static ScriptedResponse Availability(string agreement, string authorization, string? error = null) => ScriptedResponse.Json(
        new System.Text.Json.Nodes.JsonObject
        {
            ["modelId"] = "m",
            ["agreementAvailability"] = error is null ? new System.Text.Json.Nodes.JsonObject { ["status"] = agreement } : new System.Text.Json.Nodes.JsonObject { ["status"] = agreement, ["errorMessage"] = error },
            ["authorizationStatus"] = authorization,
            ["entitlementAvailability"] = "AVAILABLE",
            ["regionAvailability"] = "AVAILABLE",
        }.ToJsonString());
}
