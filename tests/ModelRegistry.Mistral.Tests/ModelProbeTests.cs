using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Testing;
using static ModelRegistry.Mistral.Tests.MistralTestKit;

namespace ModelRegistry.Mistral.Tests;

/// <summary>The token-free model probe over GET /v1/models/{id}.</summary>
public sealed class ModelProbeTests
{
    private const string Card = """
        {"id":"mistral-large-2411","object":"model","created":1731888000,"owned_by":"mistralai","capabilities":{"completion_chat":true,"function_calling":true},
         "name":"mistral-large-2411","max_context_length":131072,"aliases":["mistral-large-latest"],"deprecation":null,"type":"base"}
        """;

    [Test]
    public async Task A_current_model_is_reported_without_deprecation()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(Card));

        var status = await MistralAI.CheckModelAsync(new HttpClient(), "mistral-large-latest", Options(server));

        Assert.Multiple(() =>
        {
            Assert.That(server.Requests[0].Method, Is.EqualTo("GET"));
            Assert.That(server.Requests[0].PathAndQuery, Is.EqualTo("/v1/models/mistral-large-latest"));
            Assert.That(server.Requests[0].Header("authorization"), Is.EqualTo("Bearer " + ApiKey));
            Assert.That(status.ModelId, Is.EqualTo("mistral-large-2411"));
            Assert.That(status.IsDeprecated, Is.False);
            Assert.That(status.MaxContextLength, Is.EqualTo(131072));
        });
    }

    [Test]
    public async Task The_deprecation_header_marks_the_model_deprecated()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(
            Card.Replace("\"deprecation\":null", "\"deprecation\":\"2026-11-30T12:00:00Z\",\"deprecation_replacement_model\":\"mistral-large-latest\"", StringComparison.Ordinal),
            200, ("x-model-deprecation-timestamp", "2026-11-30T12:00:00Z")));

        var status = await MistralAI.CheckModelAsync(new HttpClient(), "mistral-large-2411", Options(server));

        Assert.Multiple(() =>
        {
            Assert.That(status.IsDeprecated, Is.True);
            Assert.That(status.DeprecationDate, Is.EqualTo(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero)));
            Assert.That(status.ReplacementModelId, Is.EqualTo("mistral-large-latest"));
        });
    }

    [Test]
    public async Task An_unknown_model_throws_the_typed_exception()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"detail":"Not Found"}""", 404));
        var error = Assert.ThrowsAsync<ModelProviderException>(() => MistralAI.CheckModelAsync(new HttpClient(), "no/such model", Options(server)));
        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(404));
            Assert.That(server.Requests[0].PathAndQuery, Is.EqualTo("/v1/models/no%2Fsuch%20model"));
        });
    }

    [Test]
    public async Task A_registry_entry_is_probed_with_its_own_settings()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(Card));
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["MISTRAL_API_KEY"] = "sk-fake-probe" }).Build());
        services.AddModelRegistry().FromJson($$"""
            {"large":{"provider":"mistral","model_id":"mistral-large-latest","endpoint":"{{server.BaseAddress}}"},
             "haiku":{"provider":"bedrock","model_id":"anthropic.claude-haiku"} }
            """).AddMistral();
        await using var provider = services.BuildServiceProvider();

        var status = await MistralAI.CheckModelAsync(provider, "large");
        var wrongProvider = Assert.ThrowsAsync<ModelRegistryException>(() => MistralAI.CheckModelAsync(provider, "haiku"));

        Assert.Multiple(() =>
        {
            Assert.That(status.ModelId, Is.EqualTo("mistral-large-2411"));
            Assert.That(server.Requests[0].Header("authorization"), Is.EqualTo("Bearer sk-fake-probe"));
            Assert.That(wrongProvider!.Message, Does.Contain("'haiku'").And.Contain("bedrock"));
        });
    }
}
