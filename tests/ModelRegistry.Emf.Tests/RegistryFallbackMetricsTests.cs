using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Emf.Tests.TestSupport;

namespace ModelRegistry.Emf.Tests;

public sealed class RegistryFallbackMetricsTests
{
    [Test]
    public async Task A_fallback_is_counted_under_each_entry_that_made_an_attempt()
    {
        var sink = new RecordingSink();
        var services = new ServiceCollection().AddSingleton<IChatClientProvider>(new Failing());
        services.AddSingleton<ModelRegistry.Providers.EnvironmentProvider>(TestEnvironment.With()); // immune to the caller's POWERTOOLS_* variables
        services.AddModelRegistry()
            .FromJson("""{"primary":{"provider":"fake","model_id":"p","fallbacks":["backup"]},"backup":{"provider":"fake","model_id":"b"}}""")
            .UseEmfMetrics(o => { o.Sink = sink; o.DefaultDimensions.Clear(); });
        await using var provider = services.BuildServiceProvider();

        var response = await provider.GetRequiredKeyedService<IChatClient>("primary").GetResponseAsync("hi");

        Assert.That(response.Text, Is.EqualTo("backup"));
        var lines = sink.Lines;
        Assert.That(lines, Has.Count.EqualTo(2));
        Assert.That(CloudWatchReader.Value(CloudWatchReader.Read(lines[0]), "Errors", "Model=primary"), Is.EqualTo(1));
        Assert.That(CloudWatchReader.Value(CloudWatchReader.Read(lines[1]), "Errors", "Model=backup"), Is.Zero);
    }

    [Test]
    public async Task The_highest_price_the_registry_accepts_with_the_largest_usage_still_writes_its_line()
    {
        var sink = new RecordingSink();
        var services = new ServiceCollection().AddSingleton<IChatClientProvider>(new Huge());
        services.AddSingleton<ModelRegistry.Providers.EnvironmentProvider>(TestEnvironment.With());
        services.AddModelRegistry()
            .FromJson("""{"dear":{"provider":"fake","model_id":"d","pricing":{"input":1000000,"output":1000000,"cache_read":1000000,"cache_write":1000000}}}""")
            .UseEmfMetrics(o => o.Sink = sink);
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredKeyedService<IChatClient>("dear").GetResponseAsync("hi");

        var cost = CloudWatchReader.Value(CloudWatchReader.Read(sink.Single()), "Cost", "Model=dear");
        Assert.That(cost, Is.EqualTo((double)(3m * long.MaxValue)).Within(1e-6).Percent, "cost of long.MaxValue tokens of each kind at 1,000,000 per million");
    }

    private sealed class Huge : ChatOnlyProvider
    {
        public override IChatClient CreateChatClient(ModelEntry entry, IServiceProvider services) => new ScriptedChatClient(new ChatClientMetadata("fake", null, entry.ModelId))
        {
            Respond = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))
            {
                Usage = new UsageDetails
                {
                    InputTokenCount = long.MaxValue,
                    OutputTokenCount = long.MaxValue,
                    CachedInputTokenCount = long.MaxValue,
                    AdditionalCounts = new() { ["CacheWriteInputTokens"] = long.MaxValue },
                },
            }),
        };
    }

    private sealed class Failing : ChatOnlyProvider
    {
        public override IChatClient CreateChatClient(ModelEntry entry, IServiceProvider services) => new ScriptedChatClient(new ChatClientMetadata("fake", null, entry.ModelId))
        {
            Respond = (_, _, _) => entry.Name == "primary"
                ? Task.FromException<ChatResponse>(new ModelProviderException("overloaded", "fake") { StatusCode = 503, IsRetryable = true })
                : Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "backup"))),
        };
    }
}
