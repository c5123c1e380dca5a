using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelRegistry.Providers;
using ModelRegistry.Testing;
using static ModelRegistry.Mistral.Tests.MistralTestKit;

namespace ModelRegistry.Mistral.Tests;

/// <summary>The token-free health probe over GET /v1/models/{id} (and /v1/agents/{id} for agent entries).</summary>
public sealed class ModelProbeTests
{
    private const string Card = """
        {"id":"mistral-large-2411","object":"model","created":1731888000,"owned_by":"mistralai","capabilities":{"completion_chat":true,"function_calling":true},
         "name":"mistral-large-2411","max_context_length":131072,"aliases":["mistral-large-latest"],"deprecation":null,"type":"base"}
        """;

    private static Task<HealthCheckResult> ProbeAsync(ReplayServer server, string modelId) =>
        new MistralClient(Options(server)).CheckHealthAsync(modelId);

    [Test]
    public async Task A_current_model_is_healthy()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(Card));

        var result = await ProbeAsync(server, "mistral-large-latest");

        Assert.Multiple(() =>
        {
            Assert.That(server.Requests[0].Method, Is.EqualTo("GET"));
            Assert.That(server.Requests[0].PathAndQuery, Is.EqualTo("/v1/models/mistral-large-latest"));
            Assert.That(server.Requests[0].Header("authorization"), Is.EqualTo("Bearer " + ApiKey));
            Assert.That(result.Status, Is.EqualTo(HealthStatus.Healthy));
            Assert.That(result.Data["model_id"], Is.EqualTo("mistral-large-2411"));
            Assert.That(result.Data["max_context_length"], Is.EqualTo(131072));
        });
    }

    [Test]
    public async Task A_deprecated_model_is_degraded_with_its_retirement_date_and_replacement()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(
            Card.Replace("\"deprecation\":null", "\"deprecation\":\"2026-11-30T12:00:00Z\",\"deprecation_replacement_model\":\"mistral-large-latest\"", StringComparison.Ordinal),
            200, ("x-model-deprecation-timestamp", "2026-11-30T12:00:00Z")));

        var result = await ProbeAsync(server, "mistral-large-2411");

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(HealthStatus.Degraded));
            Assert.That(result.Data["deprecation_date"], Is.EqualTo(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero)));
            Assert.That(result.Data["replacement_model"], Is.EqualTo("mistral-large-latest"));
            Assert.That(result.Data["max_context_length"], Is.EqualTo(131072));
            Assert.That(result.Description, Does.Contain("deprecated").And.Contain("mistral-large-latest"));
        });
    }

    [Test]
    public async Task An_unknown_model_is_unhealthy_and_its_id_is_sent_as_one_encoded_segment()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"detail":"Not Found"}""", 404));

        var result = await ProbeAsync(server, "no/such model");

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(result.Description, Does.Contain("404").And.Contain("Not Found"));
            Assert.That(server.Requests[0].PathAndQuery, Is.EqualTo("/v1/models/no%2Fsuch%20model"));
        });
    }

    [Test]
    public async Task A_refused_key_is_unhealthy_with_the_key_scrubbed_from_the_message()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json($$"""{"message":"Unauthorized: key {{ApiKey}} is revoked"}""", 401));

        var result = await ProbeAsync(server, "mistral-large-latest");

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(result.Description, Does.Contain("401").And.Contain("key *** is revoked").And.Contain("MISTRAL_API_KEY"));
            Assert.That(result.Description, Does.Not.Contain(ApiKey));
        });
    }

    [TestCase("..")]
    [TestCase(".")]
    public async Task A_dot_segment_model_id_is_unhealthy_without_any_request(string modelId)
    {
        // Before the kit, ".." was escaped as itself and the URI resolved it away: the probe requested GET /v1/.
        await using var server = await ReplayServer.StartAsync();

        var result = await ProbeAsync(server, modelId);

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(result.Description, Does.Contain("'..'"));
            Assert.That(server.Requests, Is.Empty);
        });
    }

    [Test]
    public async Task A_missing_key_is_unhealthy_not_an_exception()
    {
        await using var server = await ReplayServer.StartAsync();
        var options = Options(server);
        options.ApiKey = null;

        var result = await new MistralClient(options).CheckHealthAsync("mistral-large-latest");

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(result.Description, Does.Contain("MISTRAL_API_KEY"));
            Assert.That(server.Requests, Is.Empty);
        });
    }

    [Test]
    public async Task The_registry_health_check_probes_model_and_agent_entries_with_their_own_settings()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(
            ScriptedResponse.Json(Card),
            ScriptedResponse.Json("""{"id":"ag:3996db2b:20250101:support:1","object":"agent","model":"mistral-medium-latest","name":"support"}"""));
        var services = new ServiceCollection();
        services.AddSingleton(EnvironmentProvider.FromVariables(new Dictionary<string, string?> { ["MISTRAL_API_KEY"] = "sk-test-probe" }));
        services.AddModelRegistry().FromJson($$"""
            {"large":{"provider":"mistral","model_id":"mistral-large-latest","endpoint":"{{server.BaseAddress}}"},
             "support":{"provider":"mistral","model_id":"agent","agent_id":"ag:3996db2b:20250101:support:1","endpoint":"{{server.BaseAddress}}"} }
            """).AddMistral();
        services.AddHealthChecks().AddModelRegistry();
        await using var provider = services.BuildServiceProvider();

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Multiple(() =>
        {
            Assert.That(report.Status, Is.EqualTo(HealthStatus.Healthy), string.Join("; ", report.Entries.Select(e => $"{e.Key}: {e.Value.Description}")));
            Assert.That(server.Requests.Select(r => r.PathAndQuery), Is.EquivalentTo(new[] { "/v1/models/mistral-large-latest", "/v1/agents/ag%3A3996db2b%3A20250101%3Asupport%3A1" }));
            Assert.That(server.Requests.Select(r => r.Header("authorization")), Is.All.EqualTo("Bearer sk-test-probe"));
        });
    }
}
