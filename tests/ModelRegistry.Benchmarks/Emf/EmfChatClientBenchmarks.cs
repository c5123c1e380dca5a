using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.AI;
using ModelRegistry.Emf;

namespace ModelRegistry.Benchmarks;

/// <summary>
/// What the EMF middleware costs per call, in time and allocation, as a ratio to a pass-through
/// <see cref="DelegatingChatClient"/> around the same inner client (the baseline of each category). The inner client
/// answers at once with a fresh response carrying usage, as a provider would, so the numbers are the middleware's
/// own: measuring, building the line with Utf8JsonWriter, and handing it to a sink that discards it.
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project tests/ModelRegistry.Benchmarks -- --filter *EmfChatClientBenchmarks* --job short</c></remarks>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class EmfChatClientBenchmarks
{
    private static readonly ChatMessage[] Messages = [new(ChatRole.User, "hi")];
    private IChatClient _passThrough = null!;
    private IChatClient _emf = null!;

    [GlobalSetup]
    public void Setup()
    {
        var inner = new AnsweringChatClient();
        _passThrough = new PassThroughChatClient(inner);
        var options = new EmfMetricsOptions { Namespace = "Bench/GenAI", Model = "haiku", Sink = new DiscardingSink() };
        options.DefaultDimensions.Clear();
        _emf = new EmfChatClient(inner, options);
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

    private sealed class DiscardingSink : EmfSink
    {
        public override void Write(ReadOnlySpan<byte> utf8Line)
        {
        }
    }

    /// <summary>Answers synchronously: a fresh response with usage, or three updates of which the last carries usage.</summary>
    private sealed class AnsweringChatClient : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "hello"))
            {
                ResponseId = "resp-1",
                ModelId = "model-v1",
                FinishReason = ChatFinishReason.Stop,
                Usage = new UsageDetails { InputTokenCount = 1200, OutputTokenCount = 34, CachedInputTokenCount = 1000 },
            });

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.CompletedTask;
            yield return new ChatResponseUpdate(ChatRole.Assistant, "Hel") { ResponseId = "resp-1", ModelId = "model-v1" };
            yield return new ChatResponseUpdate(ChatRole.Assistant, "lo");
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails { InputTokenCount = 1200, OutputTokenCount = 34 })])
            {
                FinishReason = ChatFinishReason.Stop,
            };
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
