using System.ComponentModel;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Benchmarks.Infrastructure;

namespace ModelRegistry.Benchmarks.Registry;

/// <summary>
/// The cold path, once per operation: build a service provider, resolve a client and make its first call, which for
/// the registry means parsing the registry JSON, finding the provider and building the entry's pipeline; against
/// the same container with the provider client registered directly. JIT is warmed by BenchmarkDotNet, so this is
/// the steady cost of a first call (a new container, or an entry built after a registry refresh), not a process start.
/// </summary>
[Description("First call on a new container (build the ServiceProvider, resolve, first call): the registry parsing a 3-entry JSON registry and building the entry's client, against a container with the same client registered directly. The inner client answers at once.")]
[MemoryDiagnoser]
public class RegistryFirstCallBenchmarks
{
    private static readonly ChatMessage[] Messages = [new(ChatRole.User, "hi")];

    [GlobalSetup]
    public async Task Setup()
    {
        Check.Equal("hello", await Direct(), "direct container's first answer");
        Check.Equal("hello", await Registry(), "registry's first answer");
    }

    [Benchmark(Baseline = true, Description = "container with the client registered directly")]
    public async Task<string> Direct()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IChatClient>(new AnsweringChatClient());
        await using var provider = services.BuildServiceProvider();
        return (await provider.GetRequiredService<IChatClient>().GetResponseAsync(Messages)).Text;
    }

    [Benchmark(Description = "registry: load, build entry, first call")]
    public async Task<string> Registry()
    {
        var services = new ServiceCollection();
        services.AddModelRegistry().FromJson(AnsweringProvider.RegistryJson).AddProvider<AnsweringProvider>();
        await using var provider = services.BuildServiceProvider();
        return (await provider.GetRequiredKeyedService<IChatClient>("smart").GetResponseAsync(Messages)).Text;
    }
}
