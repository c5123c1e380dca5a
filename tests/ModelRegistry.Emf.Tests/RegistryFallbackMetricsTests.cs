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

    private sealed class Failing : IChatClientProvider
    {
        public string Name => "fake";

        public IChatClient CreateChatClient(ModelEntry entry, IServiceProvider services) => new ScriptedChatClient(new ChatClientMetadata("fake", null, entry.ModelId))
        {
            Respond = (_, _, _) => entry.Name == "primary"
                ? Task.FromException<ChatResponse>(new ModelProviderException("overloaded", "fake") { StatusCode = 503, IsRetryable = true })
                : Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "backup"))),
        };
    }
}
