using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ModelRegistry.Providers;
using ModelRegistry.Testing;
using static ModelRegistry.Mistral.Tests.MistralTestKit;

namespace ModelRegistry.Mistral.Tests;

/// <summary>A deprecated model is reported in the logs on every call that tells us, and the key never reaches a log.</summary>
public sealed class DeprecationLoggingTests
{
    [Test]
    public async Task A_deprecation_header_logs_a_warning_naming_the_model_and_failures_are_logged_without_the_key()
    {
        await using var server = await ReplayServer.StartAsync();
        var deprecated = Completion(model: "mistral-medium-2312");
        server.Enqueue(new ScriptedResponse { Body = deprecated.Body, Headers = [.. deprecated.Headers, new("x-model-deprecation-timestamp", "2026-11-30T00:00:00Z")] });
        server.Enqueue(ScriptedResponse.Json($$"""{"detail":"Unauthorized {{ApiKey}}"}""", 401));
        var logs = new FakeLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        services.AddSingleton(EnvironmentProvider.FromVariables(new Dictionary<string, string?> { ["MISTRAL_API_KEY"] = ApiKey }));
        services.AddModelRegistry(o => o.Resilience.MaxRetries = 0)
            .FromJson($$"""{"medium":{"provider":"mistral","model_id":"mistral-medium-2312","endpoint":"{{server.BaseAddress}}"} }""")
            .AddMistral();
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredKeyedService<IChatClient>("medium");

        await client.GetResponseAsync("hi");
        Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("hi"));

        var all = logs.Collector.GetSnapshot();
        var mistral = all.Where(r => r.Category == "ModelRegistry.Mistral").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(mistral.Any(r => r.Level == LogLevel.Warning && r.Message.Contains("mistral-medium-2312", StringComparison.Ordinal) && r.Message.Contains("2026-11-30", StringComparison.Ordinal)),
                Is.True, string.Join("\n", mistral.Select(r => r.Message)));
            Assert.That(mistral.Any(r => r.Level == LogLevel.Warning && r.Message.Contains("HTTP 401", StringComparison.Ordinal)), Is.True, "the kit logs each failed call");
            Assert.That(all.Select(r => r.Message + r.Exception), Has.None.Contains(ApiKey));
        });
    }
}
