using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ModelRegistry.Emf.Tests.TestSupport;
using ModelRegistry.Testing;
using static ModelRegistry.Emf.Tests.TestSupport.JsonText;

namespace ModelRegistry.Emf.Tests;

/// <summary>UseEmfMetrics on the registry: each provider client is wrapped, so the Model dimension is the registry name.</summary>
public sealed class EmfRegistryTests
{
    private const string Registry = """
        {
          "fast":  { "provider": "fake", "model_id": "fake-fast-v1",
                     "pricing": { "input": 3, "output": 15, "cache_read": 0.3, "cache_write": 3.75 } },
          "smart": { "provider": "fake", "model_id": "fake-smart-v2" }
        }
        """;

    [Test]
    public async Task The_model_dimension_is_the_registry_name_and_cost_uses_the_entry_prices()
    {
        var time = new FakeClock(DateTimeOffset.FromUnixTimeMilliseconds(EmfHarness.StartMilliseconds));
        var sink = new RecordingSink();
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(time)
            .AddSingleton<IChatClientProvider>(new FakeProvider(time));
        services.AddSingleton<ModelRegistry.Providers.EnvironmentProvider>(TestEnvironment.With()); // immune to the caller's POWERTOOLS_* variables
        services.AddModelRegistry()
            .FromJson(Registry)
            .UseEmfMetrics(o =>
            {
                o.Namespace = "Tests/GenAI";
                o.DefaultDimensions.Clear();
                o.DimensionSets = [["Model"], ["Provider", "Model"]];
                o.Sink = sink;
            });
        await using var provider = services.BuildServiceProvider();

        var response = await provider.GetRequiredKeyedService<IChatClient>("fast").GetResponseAsync("hi");

        Assert.That(response.Text, Is.EqualTo("fast answered"));
        // 2000 input tokens of which 1000 read from and 500 written to the cache, 100 output tokens:
        // (500 × 3 + 100 × 15 + 1000 × 0.3 + 500 × 3.75) / 1e6 = 0.005175.
        Assert.That(sink.Single(), Is.EqualTo(
            J("{'_aws':{'Timestamp':1767225600120,'CloudWatchMetrics':[{'Namespace':'Tests/GenAI','Dimensions':[['Model'],['Provider','Model']],'Metrics':[") +
            J("{'Name':'InputTokens','Unit':'Count'},{'Name':'OutputTokens','Unit':'Count'},{'Name':'CacheReadTokens','Unit':'Count'},") +
            J("{'Name':'CacheWriteTokens','Unit':'Count'},{'Name':'Latency','Unit':'Milliseconds'},{'Name':'Invocations','Unit':'Count'},") +
            J("{'Name':'Errors','Unit':'Count'},{'Name':'Throttles','Unit':'Count'},{'Name':'Cost','Unit':'None'}]}]},") +
            J("'Model':'fast','Provider':'fake','ProviderModelId':'fake-fast-v1','Outcome':'Success','FinishReason':'stop',") +
            J("'InputTokens':2000,'OutputTokens':100,'CacheReadTokens':1000,'CacheWriteTokens':500,'Latency':120,'Invocations':1,'Errors':0,'Throttles':0,'Cost':0.005175}")));
    }

    [Test]
    public async Task Each_entry_is_counted_under_its_own_name_and_entries_without_prices_report_no_cost()
    {
        var time = new FakeClock();
        var sink = new RecordingSink();
        var services = new ServiceCollection().AddSingleton<IChatClientProvider>(new FakeProvider(time));
        services.AddSingleton<ModelRegistry.Providers.EnvironmentProvider>(TestEnvironment.With()); // immune to the caller's POWERTOOLS_* variables
        services.AddModelRegistry()
            .FromJson(Registry)
            .ConfigurePipeline(b => b.ConfigureOptions(o => o.Temperature = 0.5f))
            .UseEmfMetrics(o => o.Sink = sink);
        await using var provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<IModelRegistry>();

        await registry.GetChatClient("smart").GetResponseAsync("hi");
        await foreach (var _ in registry.GetChatClient("fast").GetStreamingResponseAsync("hi"))
        {
        }

        var lines = sink.Lines;
        Assert.That(lines, Has.Count.EqualTo(2));
        var smart = CloudWatchReader.Read(lines[0]);
        var fast = CloudWatchReader.Read(lines[1]);
        Assert.Multiple(() =>
        {
            Assert.That(smart.Select(d => d.DimensionText).Distinct(), Is.EqualTo(new[] { "Model=smart" }));
            Assert.That(smart.Select(d => d.Name), Does.Not.Contain("Cost"));
            Assert.That(fast.Select(d => d.DimensionText).Distinct(), Is.EqualTo(new[] { "Model=fast" }));
            Assert.That(CloudWatchReader.Value(fast, "Cost", "Model=fast"), Is.EqualTo(0.005175));
            Assert.That(CloudWatchReader.Value(fast, "CacheWriteTokens", "Model=fast"), Is.EqualTo(500));
        });
    }

    [Test]
    public async Task A_registry_name_CloudWatch_rejects_as_a_dimension_value_drops_the_sets_naming_it_with_a_warning()
    {
        var sink = new RecordingSink();
        var logs = new FakeLogCollector();
        var services = new ServiceCollection()
            .AddSingleton<IChatClientProvider>(new FakeProvider(new FakeClock()))
            .AddSingleton<ILoggerFactory>(new LoggerFactory([new FakeLoggerProvider(logs)]));
        services.AddSingleton<ModelRegistry.Providers.EnvironmentProvider>(TestEnvironment.With()); // immune to the caller's POWERTOOLS_* variables
        services.AddModelRegistry()
            .FromJson(J("{'modèle':{'provider':'fake','model_id':'m'}}"))
            .UseEmfMetrics(o =>
            {
                o.DefaultDimensions.Clear();
                o.DimensionSets = [["Model"], ["Provider"]];
                o.Sink = sink;
            });
        await using var provider = services.BuildServiceProvider();

        var response = await provider.GetRequiredKeyedService<IChatClient>("modèle").GetResponseAsync("hi");

        Assert.That(response.Text, Is.EqualTo("modèle answered"), "the call is unaffected");
        var line = sink.Single();
        Assert.That(CloudWatchReader.Read(line).Select(d => d.DimensionText).Distinct(), Is.EqualTo(new[] { "Provider=fake" }));
        Assert.That(line, Does.Contain(J("'Model':'modèle',")), "the name is still searchable as a property");
        Assert.That(logs.Messages(LogLevel.Warning).Single(), Does.Contain("Model dimension value 'modèle' is invalid").And.Contain("U+00E8"));
    }

    /// <summary>A provider named "fake" answering "{name} answered" with fixed usage, 120 ms after the call.</summary>
    private sealed class FakeProvider(FakeClock time) : ChatOnlyProvider
    {
        public override IChatClient CreateChatClient(ModelEntry entry, IServiceProvider services)
        {
            var client = new ScriptedChatClient(new ChatClientMetadata("fake", null, entry.ModelId));
            client.Respond = (_, _, _) =>
            {
                time.Advance(TimeSpan.FromMilliseconds(120));
                return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, $"{entry.Name} answered"))
                {
                    FinishReason = ChatFinishReason.Stop,
                    Usage = Usage(),
                });
            };
            client.Stream = (_, _) => Stream(entry);
            return client;
        }

        private static UsageDetails Usage() => new()
        {
            InputTokenCount = 2000,
            OutputTokenCount = 100,
            CachedInputTokenCount = 1000,
            AdditionalCounts = new() { ["CacheWriteInputTokens"] = 500 },
        };

        private static async IAsyncEnumerable<ChatResponseUpdate> Stream(ModelEntry entry)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, entry.Name);
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(Usage())]);
        }
    }
}
