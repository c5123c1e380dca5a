using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelRegistry.Testing;
using static ModelRegistry.OpenAI.Tests.OpenAITestKit;

namespace ModelRegistry.OpenAI.Tests;

/// <summary>The token-free probe: <c>GET {base}/models</c>, the model listed for flavour openai, the status only for generic servers.</summary>
public sealed class ProbeTests
{
    private const string List = """{"object":"list","data":[{"id":"gpt-4o","object":"model","owned_by":"system"},{"id":"gpt-4.1-mini","object":"model","owned_by":"system"}]}""";

    private static async Task<(HealthCheckResult Result, ReplayServer Server)> ProbeAsync(ScriptedResponse answer, string model, OpenAIFlavour flavour = OpenAIFlavour.OpenAI)
    {
        var server = await ReplayServer.StartAsync();
        server.Enqueue(answer);
        var options = Options(server);
        options.Flavour = flavour;
        return (await new OpenAIClient(options).CheckHealthAsync(model), server);
    }

    [Test]
    public async Task A_listed_model_is_healthy_and_the_probe_spends_no_tokens()
    {
        var (result, server) = await ProbeAsync(ScriptedResponse.Json(List), "gpt-4.1-mini");
        await using var _ = server;
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(HealthStatus.Healthy), result.Description);
            Assert.That(result.Data["owned_by"], Is.EqualTo("system"));
            Assert.That(server.Requests.Single().Method, Is.EqualTo("GET"));
            Assert.That(server.Requests.Single().PathAndQuery, Is.EqualTo("/v1/models"));
            Assert.That(server.Requests.Single().Header("authorization"), Is.EqualTo("Bearer " + ApiKey));
        });
    }

    [Test]
    public async Task A_model_not_listed_is_unhealthy_saying_so()
    {
        var (result, server) = await ProbeAsync(ScriptedResponse.Json(List), "gpt-9");
        await using var _ = server;
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(result.Description, Does.Contain("'gpt-9' is not among the 2 models"));
        });
    }

    [Test]
    public async Task A_list_that_is_not_openai_shaped_is_unhealthy_for_flavour_openai_and_healthy_for_generic()
    {
        var (strict, first) = await ProbeAsync(ScriptedResponse.Json("""{"models":[{"name":"llama3"}]}"""), "llama3");
        await using var _ = first;
        var (generic, second) = await ProbeAsync(ScriptedResponse.Json("""{"models":[{"name":"llama3"}]}"""), "llama3", OpenAIFlavour.Generic);
        await using var __ = second;
        Assert.Multiple(() =>
        {
            Assert.That(strict.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(strict.Description, Does.Contain("flavour").And.Contain("generic"));
            Assert.That(generic.Status, Is.EqualTo(HealthStatus.Healthy), generic.Description);
            Assert.That(generic.Description, Does.Contain("not checked (flavour generic)"));
        });
    }

    [Test]
    public async Task A_refused_key_or_a_failing_generic_server_is_unhealthy_without_the_key()
    {
        var (refused, first) = await ProbeAsync(ScriptedResponse.Json("""{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","code":"invalid_api_key"}}""", 401), "gpt-4o");
        await using var _ = first;
        var (down, second) = await ProbeAsync(new ScriptedResponse { Status = 404 }, "llama3", OpenAIFlavour.Generic);
        await using var __ = second;
        Assert.Multiple(() =>
        {
            Assert.That(refused.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(refused.Description, Does.Contain("invalid_api_key").Or.Contain("Incorrect API key"));
            Assert.That(refused.Description, Does.Not.Contain(ApiKey));
            Assert.That(down.Status, Is.EqualTo(HealthStatus.Unhealthy));
        });
    }

    [Test]
    public async Task A_model_id_that_cannot_name_a_model_is_unhealthy_without_a_call()
    {
        var (result, server) = await ProbeAsync(ScriptedResponse.Json(List), "..");
        await using var _ = server;
        Assert.That(result.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(server.Requests, Is.Empty);
    }
}
