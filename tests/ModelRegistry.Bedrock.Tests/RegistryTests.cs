using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Bedrock.Tests.Support;
using ModelRegistry.Testing;
using static ModelRegistry.Bedrock.Tests.Support.Fixtures;

namespace ModelRegistry.Bedrock.Tests;

/// <summary>The provider <c>bedrock</c> inside a model registry.</summary>
[NonParallelizable]
public sealed class RegistryTests
{
    [Test]
    public async Task A_registry_entry_is_served_through_AddBedrock()
    {
        using var env = new EnvironmentScope(("TEST_BEDROCK_KEY", "fake-bedrock-key"));
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Ok());
        await using var services = Services(server, """
            "haiku": { "provider": "bedrock", "model_id": "anthropic.claude-haiku-4-5-20251001-v1:0",
                       "inference_profile_arn": "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc",
                       "api_key": "env:TEST_BEDROCK_KEY", "guardrail_identifier": "gr-1", "guardrail_version": "3",
                       "service_tier": "priority", "performance_latency": "optimized" }
            """);
        var client = services.GetRequiredKeyedService<IChatClient>("haiku");
        Assert.That(server.Requests, Is.Empty, "resolving a client does no I/O");

        var response = await client.GetResponseAsync("Hi");
        Assert.That(response.Text, Is.EqualTo("Paris."));
        var request = server.Requests.Single();
        Assert.That(request.PathAndQuery, Is.EqualTo("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Fabc/converse"),
            "inference_profile_arn wins over model_id");
        Assert.That(request.Header("authorization"), Is.EqualTo("Bearer fake-bedrock-key"));
        AssertJson(request.Json!["guardrailConfig"], """{"guardrailIdentifier":"gr-1","guardrailVersion":"3"}""");
        AssertJson(request.Json!["serviceTier"], """{"type":"priority"}""");
        AssertJson(request.Json!["performanceConfig"], """{"latency":"optimized"}""");
        Assert.That(client.GetService<ChatClientMetadata>()?.ProviderName, Is.EqualTo("aws.bedrock"));
    }

    [Test]
    public async Task Errors_name_the_registry_entry()
    {
        using var env = new EnvironmentScope(("TEST_BEDROCK_KEY", "fake-bedrock-key"));
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"message":"Rate exceeded"}""", 429, ("x-amzn-ErrorType", "ThrottlingException")));
        await using var services = Services(server, """
            "nova": { "provider": "bedrock", "model_id": "us.amazon.nova-micro-v1:0", "api_key": "env:TEST_BEDROCK_KEY", "resilience": { "max_retries": 0 } }
            """);
        var error = Assert.ThrowsAsync<ModelProviderException>(() => services.GetRequiredKeyedService<IChatClient>("nova").GetResponseAsync("Hi"));
        Assert.That((error!.ModelName, error.IsThrottling), Is.EqualTo(("nova", true)));
        Assert.That(error.Message, Does.Contain("Model registry entry 'nova'"));
        Assert.That(server.Requests, Has.Count.EqualTo(1), "the entry turned retries off");
    }

    [TestCase("\"region\": \"Europe\"", "region")]
    [TestCase("\"inference_profile_arn\": \"my-profile\"", "inference_profile_arn")]
    [TestCase("\"endpoint\": \"not a url\"", "endpoint")]
    [TestCase("\"structured_output\": \"sometimes\"", "structured_output")]
    public async Task Bad_settings_name_the_entry_and_the_setting(string setting, string name)
    {
        await using var server = await ReplayServer.StartAsync();
        await using var services = Services(server, $$"""
            "broken": { "provider": "bedrock", "model_id": "us.amazon.nova-micro-v1:0", {{setting}} }
            """, endpoint: false);
        var error = Assert.ThrowsAsync<ModelRegistryException>(() => services.GetRequiredKeyedService<IChatClient>("broken").GetResponseAsync("Hi"));
        Assert.That(error!.Message, Does.Contain("'broken'").And.Contain($"'{name}'"));
    }

    [Test]
    public async Task A_missing_api_key_reference_names_the_variable()
    {
        using var env = new EnvironmentScope();
        await using var server = await ReplayServer.StartAsync();
        await using var services = Services(server, """
            "nova": { "provider": "bedrock", "model_id": "us.amazon.nova-micro-v1:0", "api_key": "env:MISSING_BEDROCK_KEY" }
            """);
        var error = Assert.ThrowsAsync<ModelRegistryException>(() => services.GetRequiredKeyedService<IChatClient>("nova").GetResponseAsync("Hi"));
        Assert.That(error!.Message, Does.Contain("MISSING_BEDROCK_KEY"));
        Assert.That(server.Requests, Is.Empty);
    }

    [Test]
    public async Task The_health_check_of_an_entry_asks_the_control_plane()
    {
        using var env = new EnvironmentScope(("TEST_BEDROCK_KEY", "fake-bedrock-key"));
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""
            {"modelId":"anthropic.claude-haiku-4-5-20251001-v1:0","agreementAvailability":{"status":"AVAILABLE"},
             "authorizationStatus":"AUTHORIZED","entitlementAvailability":"AVAILABLE","regionAvailability":"AVAILABLE"}
            """));
        await using var services = Services(server, """
            "haiku": { "provider": "bedrock", "model_id": "eu.anthropic.claude-haiku-4-5-20251001-v1:0", "api_key": "env:TEST_BEDROCK_KEY" }
            """);
        var entry = await services.GetRequiredService<IModelRegistry>().GetEntryAsync("haiku");
        var health = await BedrockClients.CheckHealthAsync(entry, services);
        Assert.That(health.IsHealthy, health.Description);
        Assert.That(server.Requests.Single().PathAndQuery, Is.EqualTo("/foundation-model-availability/anthropic.claude-haiku-4-5-20251001-v1%3A0"));
        Assert.That(server.Requests[0].Method, Is.EqualTo("GET"));
    }

    private static ServiceProvider Services(ReplayServer server, string entries, bool endpoint = true)
    {
        var registry = JsonNode.Parse("{" + entries + "}")!.AsObject();
        foreach (var (_, entry) in registry)
        {
            if (endpoint)
            {
                entry!["endpoint"] = server.BaseAddress.AbsoluteUri;
                entry["control_plane_endpoint"] = server.BaseAddress.AbsoluteUri;
            }

            entry!["region"] ??= "us-east-1";
        }

        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(TestClients.Clock());
        services.AddModelRegistry().FromJson(registry.ToJsonString()).AddBedrock();
        return services.BuildServiceProvider();
    }
}
