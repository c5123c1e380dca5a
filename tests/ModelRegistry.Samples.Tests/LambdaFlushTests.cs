using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using ModelRegistry.Samples.Lambda;
using ModelRegistry.Samples.Lambda.Runtime;
using ModelRegistry.Testing;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Trace;

namespace ModelRegistry.Samples.Tests;

/// <summary>
/// The per-invocation flush through the real OTLP exporter to a loopback collector: each invocation's span is posted
/// before the next event is asked for. It also measures what the flush adds per invocation (printed, and appended to
/// build/out/lambda-flush.tsv), against the same loop whose spans wait for the exporter's timer.
/// </summary>
[NonParallelizable]
public sealed class LambdaFlushTests
{
    private const int Invocations = 100;

    [Test]
    public async Task With_the_flush_each_invocation_posts_its_span_to_the_collector_before_the_next_event()
    {
        var (withoutFlush, _, _) = await RunAsync(flush: false);
        var (withFlush, collectorPostsAtNext, collector) = await RunAsync(flush: true);

        Assert.That(collectorPostsAtNext.Take(Invocations), Is.EqualTo(Enumerable.Range(0, Invocations)), "OTLP posts the collector had when each next request arrived");
        Assert.That(collector, Is.EqualTo(Invocations));

        var ratio = withFlush.TotalMilliseconds / withoutFlush.TotalMilliseconds;
        var line = $"lambda loop, {Invocations} invocations, loopback OTLP/HTTP: {withoutFlush.TotalMilliseconds / Invocations:0.000} ms per invocation without the flush, " +
            $"{withFlush.TotalMilliseconds / Invocations:0.000} ms with it (with/without = {ratio:0.00})";
        TestContext.Progress.WriteLine(line);
        var directory = Path.Combine(CassetteCorpus.RepositoryRoot!, "build", "out");
        Directory.CreateDirectory(directory);
        await File.AppendAllTextAsync(Path.Combine(directory, "lambda-flush.tsv"), $"{withoutFlush.TotalMilliseconds / Invocations:0.000}\t{withFlush.TotalMilliseconds / Invocations:0.000}\t{ratio:0.00}\n");
    }

    private static async Task<(TimeSpan Elapsed, IReadOnlyList<int> PostsAtNext, int Posts)> RunAsync(bool flush)
    {
        await using var collector = await ReplayServer.StartAsync();
        for (var i = 0; i < Invocations + 2; i++)
        {
            collector.Enqueue(ScriptedResponse.Json("{}"));
        }

        using var source = new ActivitySource("flush-cost-" + flush);
        var tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(source.Name)
            .AddOtlpExporter(o => (o.Endpoint, o.Protocol) = (new Uri(collector.BaseAddress, "v1/traces"), OtlpExportProtocol.HttpProtobuf))
            .Build()!;
        await using var api = await FakeLambdaRuntimeApi.StartAsync();
        var postsAtNext = new List<int>();
        api.OnNextRequested = () => { lock (postsAtNext) { postsAtNext.Add(collector.Requests.Count); } };
        using var stop = new CancellationTokenSource();
        var bootstrap = new LambdaBootstrap(
            LambdaRuntimeClient.Create(api.Address),
            (_, _) =>
            {
                using (source.StartActivity("chat mistral-large"))
                {
                    return Task.FromResult("{}"u8.ToArray());
                }
            },
            NullLogger.Instance,
            TimeProvider.System,
            afterInvocation: flush ? Telemetry.FlushAfterInvocation(tracing, TimeSpan.FromSeconds(30)) : null);
        var loop = Task.Run(() => bootstrap.RunAsync(stop.Token));

        await api.InvokeAsync("{}"); // warm-up: connections, JIT
        var clock = Stopwatch.StartNew();
        for (var i = 1; i < Invocations; i++)
        {
            await api.InvokeAsync("{}");
        }

        var elapsed = clock.Elapsed * Invocations / (Invocations - 1);
        await stop.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(() => loop);
        tracing.Dispose(); // the spans still waiting for the timer leave now
        lock (postsAtNext)
        {
            return (elapsed, [.. postsAtNext], collector.Requests.Count);
        }
    }
}
