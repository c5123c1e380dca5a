#pragma warning disable MEAI001 // MEAI's routing types are experimental; the registry interoperates with them, it does not build on them.
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Testing;

namespace ModelRegistry.Tests;

/// <summary>
/// The registry's clients are plain <see cref="IChatClient"/>s, so MEAI's own routing types compose over them: a
/// <see cref="RoutingChatClient"/> that picks an entry per request, and an <see cref="OrderedFailoverChatClient"/> across
/// entries, each entry keeping its own guard and fallbacks.
/// </summary>
public sealed class MeaiRoutingInteropTests
{
    private static ServiceProvider Registry(ReplayServer a, ReplayServer b)
    {
        var services = new ServiceCollection().AddSingleton<TimeProvider>(new FakeClock());
        services.AddModelRegistry(o => o.Resilience.MaxRetries = 0).FromJson($$$"""
            {"a":{"provider":"testwire","model_id":"a-1","endpoint":"{{{a.BaseAddress}}}"},
             "b":{"provider":"testwire","model_id":"b-1","endpoint":"{{{b.BaseAddress}}}"}}
            """).AddTestWire();
        return services.BuildServiceProvider();
    }

    [Test]
    public async Task A_RoutingChatClient_picks_a_registry_entry_per_request()
    {
        await using var a = await ReplayServer.StartAsync();
        await using var b = await ReplayServer.StartAsync();
        a.Enqueue(TestWireAnswers.Text("short answer"));
        b.Enqueue(TestWireAnswers.Text("long answer"));
        await using var services = Registry(a, b);
        var registry = services.GetRequiredService<IModelRegistry>();
        using var router = RoutingChatClient.Create((context, _) =>
            ValueTask.FromResult(registry.GetChatClient(context.Messages.Sum(m => m.Text.Length) > 20 ? "b" : "a")));

        var quick = await router.GetResponseAsync("hi");
        var detailed = await router.GetResponseAsync("please explain this at some length");

        Assert.Multiple(() =>
        {
            Assert.That(quick.Text, Is.EqualTo("short answer"));
            Assert.That(detailed.Text, Is.EqualTo("long answer"));
            Assert.That(a.Requests.Single().PathAndQuery, Is.EqualTo("/v1/models/a-1/chat"));
            Assert.That(b.Requests.Single().PathAndQuery, Is.EqualTo("/v1/models/b-1/chat"));
        });
    }

    [Test]
    public async Task An_OrderedFailoverChatClient_moves_across_registry_entries()
    {
        await using var a = await ReplayServer.StartAsync();
        await using var b = await ReplayServer.StartAsync();
        a.Enqueue(TestWireAnswers.Error(503, "down"));
        b.Enqueue(TestWireAnswers.Text("from b"));
        await using var services = Registry(a, b);
        var registry = services.GetRequiredService<IModelRegistry>();
        using var failover = new OrderedFailoverChatClient([registry.GetChatClient("a"), registry.GetChatClient("b")], leaveOpen: true);

        var response = await failover.GetResponseAsync("hi");

        Assert.That(response.Text, Is.EqualTo("from b"));
        Assert.That(a.Requests, Has.Count.EqualTo(1));
    }
}
