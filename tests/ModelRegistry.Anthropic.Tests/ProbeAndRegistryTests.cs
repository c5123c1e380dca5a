using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelRegistry.Providers;
using ModelRegistry.Testing;
using static ModelRegistry.Anthropic.Tests.AnthropicTestKit;

namespace ModelRegistry.Anthropic.Tests;

/// <summary>The token-free probe on api.anthropic.com, and the entry settings the registry validates when it loads.</summary>
public sealed class ProbeAndRegistryTests
{
    [Test]
    public async Task The_probe_gets_the_model_card_with_the_key_and_version_and_spends_no_tokens()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"type":"model","id":"claude-sonnet-4-5-20250929","display_name":"Claude Sonnet 4.5","created_at":"2025-09-29T00:00:00Z"}"""));
        var health = await new AnthropicClient(Options(server)).CheckHealthAsync("claude-sonnet-4-5");
        var request = server.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(health.Status, Is.EqualTo(HealthStatus.Healthy));
            Assert.That(health.Data["display_name"], Is.EqualTo("Claude Sonnet 4.5"));
            Assert.That((request.Method, request.PathAndQuery), Is.EqualTo(("GET", "/v1/models/claude-sonnet-4-5")));
            Assert.That(request.Header("x-api-key"), Is.EqualTo(ApiKey));
            Assert.That(request.Header("anthropic-version"), Is.EqualTo("2023-06-01"));
        });
    }

    [Test]
    public async Task An_unknown_model_is_unhealthy_with_the_api_message_and_no_exception()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"type":"error","error":{"type":"not_found_error","message":"model: claude-nope"}}""", 404));
        var health = await new AnthropicClient(Options(server)).CheckHealthAsync("claude-nope");
        Assert.Multiple(() =>
        {
            Assert.That(health.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(health.Description, Does.Contain("model: claude-nope"));
        });
    }

    [Test]
    public async Task A_model_id_that_cannot_name_a_model_is_unhealthy_without_a_request()
    {
        await using var server = await ReplayServer.StartAsync();
        var health = await new AnthropicClient(Options(server)).CheckHealthAsync("..");
        Assert.That(health.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(server.Requests, Is.Empty);
    }

    [TestCase("region", "mars-1", "AWS region")]
    [TestCase("auth", "basic", "x-api-key, bearer")]
    [TestCase("max_tokens", "0", "1 to 1000000")]
    [TestCase("unavailable_features", "thinking, teleport", "task_budget")]
    [TestCase("unavailable_feature_action", "ignore", "refuse, omit")]
    public void An_invalid_setting_is_refused_when_the_registry_loads_naming_entry_key_and_range(string key, string value, string expected)
    {
        var services = new ServiceCollection();
        services.AddSingleton(NoEnvironment);
        services.AddModelRegistry().FromJson($$$"""{"claude":{"provider":"anthropic","model_id":"claude-sonnet-4-5","{{{key}}}":"{{{value}}}"}}""").AddAnthropic();
        using var provider = services.BuildServiceProvider();
        var error = Assert.ThrowsAsync<ModelRegistryException>(async () => await provider.GetRequiredService<IModelRegistry>().GetEntryAsync("claude"));
        Assert.That(error!.Message, Does.Contain("claude").And.Contain(key).And.Contain(expected));
    }

    [Test]
    public async Task An_entry_sets_endpoint_key_reference_auth_max_tokens_and_the_variable_key_reaches_the_wire()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Message());
        var services = new ServiceCollection();
        services.AddSingleton(EnvironmentProvider.FromVariables(new Dictionary<string, string?> { ["MY_CLAUDE_KEY"] = "sk-ant-test-from-env" }));
        services.AddModelRegistry()
            .FromJson($$$"""{"claude":{"provider":"anthropic","model_id":"claude-sonnet-4-5","endpoint":"{{{server.BaseAddress}}}","api_key":"env:MY_CLAUDE_KEY","auth":"bearer","max_tokens":"1234"}}""")
            .AddAnthropic();
        await using var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<IModelRegistry>().GetChatClient("claude").GetResponseAsync("Hi");
        var request = server.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(request.Header("authorization"), Is.EqualTo("Bearer sk-ant-test-from-env"));
            Assert.That(request.Json!["max_tokens"]!.GetValue<long>(), Is.EqualTo(1234));
        });
    }

    [Test]
    public void The_provider_generates_no_embeddings_and_says_so()
    {
        var services = new ServiceCollection();
        services.AddSingleton(NoEnvironment);
        services.AddModelRegistry().FromJson("""{"claude":{"provider":"anthropic","model_id":"claude-sonnet-4-5"}}""").AddAnthropic();
        using var provider = services.BuildServiceProvider();
        var error = Assert.CatchAsync<ModelRegistryException>(async () => await provider.GetRequiredService<IModelRegistry>().GetEmbeddingGenerator("claude").GenerateAsync(["text"]));
        Assert.That(error!.Message, Does.Contain("claude"));
    }

    [Test]
    public void Direct_options_are_checked_when_the_client_is_made()
    {
        Assert.Multiple(() =>
        {
            Assert.Throws<ArgumentException>(() => _ = new AnthropicClient(new AnthropicClientOptions { Region = "nowhere" }));
            Assert.Throws<ArgumentException>(() => _ = new AnthropicClient(new AnthropicClientOptions { UnavailableFeatures = "teleport" }));
            Assert.Throws<ArgumentOutOfRangeException>(() => _ = new AnthropicClient(new AnthropicClientOptions { MaxOutputTokens = 0 }));
        });
    }
}
