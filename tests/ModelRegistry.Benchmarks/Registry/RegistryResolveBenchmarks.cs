using System.ComponentModel;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Benchmarks.Infrastructure;

namespace ModelRegistry.Benchmarks.Registry;

/// <summary>
/// What a call costs when its client comes from the registry by name, once that client is built: resolving it
/// (registry, keyed DI, or held) and the call through the registry's client, against calling the provider client
/// held in a field. The provider answers at once, so the numbers are the registry's own. The stream category does the
/// same for a three-update stream drained to its end, held clients only.
/// </summary>
[Description("A call through an already-built registry client, with an inner client that answers at once: resolved by name from IModelRegistry or keyed DI on every call, or resolved once and held (with the default circuit breaker, and with it off); against calling the provider client from a field. Stream: the same held clients draining a three-update stream.")]
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class RegistryResolveBenchmarks
{
    private static readonly ChatMessage[] Messages = [new(ChatRole.User, "hi")];
    private readonly IChatClient _direct = new AnsweringChatClient();
    private ServiceProvider _services = null!;
    private IModelRegistry _registry = null!;
    private IChatClient _held = null!;
    private IChatClient _heldUnguarded = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        var services = new ServiceCollection();
        services.AddModelRegistry().FromJson(AnsweringProvider.RegistryJson).AddProvider<AnsweringProvider>();
        _services = services.BuildServiceProvider();
        _registry = _services.GetRequiredService<IModelRegistry>();
        _held = _registry.GetChatClient("fast");
        _heldUnguarded = _registry.GetChatClient("unguarded");
        Check.Equal("hello", (await _heldUnguarded.GetResponseAsync(Messages)).Text, "the unguarded registry client's first answer");
        Check.Equal("hello", (await _held.GetResponseAsync(Messages)).Text, "the registry client's first answer");
        Check.Equal("hello", (await ByName()).Text, "answer by name");
        Check.Equal("hello", (await KeyedService()).Text, "answer through keyed DI");
        Check.Equal(3, await DirectStream(), "updates from the field");
        Check.Equal(3, await HeldStream(), "updates through the held registry client");
        Check.Equal(3, await HeldStreamWithoutBreaker(), "updates through the held registry client without breaker");
    }

    [GlobalCleanup]
    public ValueTask Cleanup() => _services.DisposeAsync();

    [Benchmark(Baseline = true, Description = "provider client from a field")]
    [BenchmarkCategory("Response")]
    public Task<ChatResponse> Direct() => _direct.GetResponseAsync(Messages);

    [Benchmark(Description = "registry client, held")]
    [BenchmarkCategory("Response")]
    public Task<ChatResponse> Held() => _held.GetResponseAsync(Messages);

    [Benchmark(Description = "registry client, held, circuit breaker off")]
    [BenchmarkCategory("Response")]
    public Task<ChatResponse> HeldWithoutBreaker() => _heldUnguarded.GetResponseAsync(Messages);

    [Benchmark(Description = "IModelRegistry.GetChatClient(name) per call")]
    [BenchmarkCategory("Response")]
    public Task<ChatResponse> ByName() => _registry.GetChatClient("fast").GetResponseAsync(Messages);

    [Benchmark(Description = "keyed DI IChatClient(name) per call")]
    [BenchmarkCategory("Response")]
    public Task<ChatResponse> KeyedService() => _services.GetRequiredKeyedService<IChatClient>("fast").GetResponseAsync(Messages);

    [Benchmark(Baseline = true, Description = "provider client from a field")]
    [BenchmarkCategory("Stream")]
    public Task<int> DirectStream() => Drain(_direct);

    [Benchmark(Description = "registry client, held")]
    [BenchmarkCategory("Stream")]
    public Task<int> HeldStream() => Drain(_held);

    [Benchmark(Description = "registry client, held, circuit breaker off")]
    [BenchmarkCategory("Stream")]
    public Task<int> HeldStreamWithoutBreaker() => Drain(_heldUnguarded);

    private static async Task<int> Drain(IChatClient client)
    {
        var count = 0;
        await foreach (var _ in client.GetStreamingResponseAsync(Messages))
        {
            count++;
        }

        return count;
    }
}
