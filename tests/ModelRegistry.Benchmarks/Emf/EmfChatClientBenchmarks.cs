using System.ComponentModel;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.AI;
using ModelRegistry.Benchmarks.Infrastructure;
using ModelRegistry.Emf;

namespace ModelRegistry.Benchmarks;

/// <summary>
/// What the EMF middleware costs per call, in time and allocation, as a ratio to a pass-through
/// <see cref="DelegatingChatClient"/> around the same inner client (the baseline of each category). The inner client
/// answers at once with a fresh response carrying usage, as a provider would, so the numbers are the middleware's
/// own: measuring, building the line with Utf8JsonWriter, and handing it to a sink that discards it.
/// </summary>
/// <remarks>Run: <c>./build/bench.sh --filter '*EmfChatClientBenchmarks*'</c></remarks>
[Description("The EMF metrics middleware around a client that answers at once (response and stream), writing each line to a sink that discards it; against a pass-through DelegatingChatClient around the same client.")]
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class EmfChatClientBenchmarks
{
    private static readonly ChatMessage[] Messages = [new(ChatRole.User, "hi")];
    private IChatClient _passThrough = null!;
    private IChatClient _emf = null!;

    private readonly DiscardingEmfSink _sink = new();

    [GlobalSetup]
    public async Task Setup()
    {
        var inner = new AnsweringChatClient();
        _passThrough = new PassThroughChatClient(inner);
        var options = new EmfMetricsOptions { Namespace = "Bench/GenAI", Model = "haiku", Sink = _sink };
        options.DefaultDimensions.Clear();
        _emf = new EmfChatClient(inner, options);

        Check.Equal("hello", (await EmfResponse()).Text, "answer through EMF");
        Check.Equal(3, await EmfStream(), "updates through EMF");
        Check.Equal(2, _sink.Lines, "EMF lines written, one per call");
        Check.Equal("hello", (await PassThroughResponse()).Text, "answer through the pass-through");
    }

    [Benchmark(Baseline = true, Description = "pass-through")]
    [BenchmarkCategory("Response")]
    public Task<ChatResponse> PassThroughResponse() => _passThrough.GetResponseAsync(Messages);

    [Benchmark(Description = "EMF")]
    [BenchmarkCategory("Response")]
    public Task<ChatResponse> EmfResponse() => _emf.GetResponseAsync(Messages);

    [Benchmark(Baseline = true, Description = "pass-through")]
    [BenchmarkCategory("Stream")]
    public Task<int> PassThroughStream() => Drain(_passThrough);

    [Benchmark(Description = "EMF")]
    [BenchmarkCategory("Stream")]
    public Task<int> EmfStream() => Drain(_emf);

    private static async Task<int> Drain(IChatClient client)
    {
        var count = 0;
        await foreach (var _ in client.GetStreamingResponseAsync(Messages))
        {
            count++;
        }

        return count;
    }

    private sealed class PassThroughChatClient(IChatClient inner) : DelegatingChatClient(inner);
}
