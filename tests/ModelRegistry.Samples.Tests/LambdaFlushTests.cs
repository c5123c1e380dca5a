using System.Diagnostics;
using Amazon.Runtime;
using Microsoft.Extensions.Logging.Abstractions;
using ModelRegistry.Audit;
using ModelRegistry.Samples.Lambda;
using ModelRegistry.Samples.Lambda.Runtime;
using ModelRegistry.Testing;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Trace;

namespace ModelRegistry.Samples.Tests;

/// <summary>
/// The per-invocation flush through the real OTLP exporter to a loopback collector, and through the S3 audit exporter to
/// moto: each invocation's span is posted before the next event is asked for. It also measures what the flush adds per
/// invocation (printed, and appended to build/out/lambda-flush.tsv), against the same loop whose spans wait for the
/// exporter's timer.
/// </summary>
[NonParallelizable]
public sealed class LambdaFlushTests
{
    private const int Invocations = 100;

    [Test]
    public async Task With_the_flush_each_invocation_posts_its_span_to_the_collector_before_the_next_event()
    {
        await using var collector = await ReplayServer.StartAsync();
        for (var i = 0; i < 2 * (Invocations + 2); i++)
        {
            collector.Enqueue(ScriptedResponse.Json("{}"));
        }

        TracerProviderBuilder Otlp(TracerProviderBuilder traces) =>
            traces.AddOtlpExporter(o => (o.Endpoint, o.Protocol) = (new Uri(collector.BaseAddress, "v1/traces"), OtlpExportProtocol.HttpProtobuf));
        var before = 0;
        var (withoutFlush, _) = await RunAsync(Otlp, flush: false, () => collector.Requests.Count);
        before = collector.Requests.Count;
        var (withFlush, collectorPostsAtNext) = await RunAsync(Otlp, flush: true, () => collector.Requests.Count - before);

        Assert.That(collectorPostsAtNext.Take(Invocations), Is.EqualTo(Enumerable.Range(0, Invocations)), "OTLP posts the collector had when each next request arrived");
        Assert.That(collector.Requests.Count - before, Is.EqualTo(Invocations));
        await ReportAsync("loopback OTLP/HTTP", withoutFlush, withFlush);
    }

    [Test]
    public async Task With_the_audit_copy_each_invocation_s_span_is_in_S3_before_the_next_event_and_every_span_lands_once()
    {
        var audit = await AuditBucket.CreateAsync(MotoEndpoint);
        TracerProviderBuilder S3(TracerProviderBuilder traces) => traces.AddS3AuditExporter(o =>
        {
            o.BucketName = audit.Name;
            o.KmsKeyId = audit.KmsKeyId;
            o.ServiceUrl = new Uri(MotoEndpoint);
            o.Region = "eu-west-1";
            o.Credentials = new BasicAWSCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
            o.Environment = Providers.EnvironmentProvider.FromVariables(new Dictionary<string, string?>());
        });

        // Timed without looking at the bucket; then once more, counting the bucket's objects at each next request (each
        // flush writes the one span it has as one object).
        var (withoutFlush, _) = await RunAsync(S3, flush: false, posts: null);
        var (withFlush, _) = await RunAsync(S3, flush: true, posts: null);
        var before = await audit.CountObjectsAsync();
        var (_, objectsAtNext) = await RunAsync(S3, flush: true, () => audit.CountObjectsAsync().GetAwaiter().GetResult() - before);
        var spans = (await audit.ReadAsync()).Spans;

        Assert.Multiple(() =>
        {
            Assert.That(objectsAtNext.Take(Invocations), Is.EqualTo(Enumerable.Range(0, Invocations)), "audit objects in S3 when each next request arrived");
            Assert.That(spans, Has.Count.EqualTo(3 * Invocations), "every span of the three runs, those that waited for the batch age included");
            Assert.That(spans.Select(s => s.SpanId).Distinct().Count(), Is.EqualTo(3 * Invocations), "every span once");
        });
        await ReportAsync("S3 audit copy to moto (gzip OTLP/JSON, SSE-KMS)", withoutFlush, withFlush);
    }

    private static string MotoEndpoint => Environment.GetEnvironmentVariable("MODELREGISTRY_MOTO_ENDPOINT")
        ?? throw new InvalidOperationException("MODELREGISTRY_MOTO_ENDPOINT is not set: run ./build/test.sh, which starts moto (S3, KMS) and sets it.");

    private static async Task ReportAsync(string exporter, TimeSpan withoutFlush, TimeSpan withFlush)
    {
        var ratio = withFlush.TotalMilliseconds / withoutFlush.TotalMilliseconds;
        var line = $"lambda loop, {Invocations} invocations, {exporter}: {withoutFlush.TotalMilliseconds / Invocations:0.000} ms per invocation without the flush, " +
            $"{withFlush.TotalMilliseconds / Invocations:0.000} ms with it (with/without = {ratio:0.00})";
        TestContext.Progress.WriteLine(line);
        var directory = Path.Combine(CassetteCorpus.RepositoryRoot!, "build", "out");
        Directory.CreateDirectory(directory);
        await File.AppendAllTextAsync(
            Path.Combine(directory, "lambda-flush.tsv"), $"{exporter}\t{withoutFlush.TotalMilliseconds / Invocations:0.000}\t{withFlush.TotalMilliseconds / Invocations:0.000}\t{ratio:0.00}\n");
    }

    private static async Task<(TimeSpan Elapsed, IReadOnlyList<int> PostsAtNext)> RunAsync(
        Func<TracerProviderBuilder, TracerProviderBuilder> export, bool flush, Func<int>? posts)
    {
        using var source = new ActivitySource("flush-cost-" + flush);
        var tracing = export(Sdk.CreateTracerProviderBuilder().AddSource(source.Name)).Build()!;
        await using var api = await FakeLambdaRuntimeApi.StartAsync();
        var postsAtNext = new List<int>();
        api.OnNextRequested = posts is null ? null : () => { var count = posts(); lock (postsAtNext) { postsAtNext.Add(count); } };
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
            afterInvocation: flush ? Telemetry.FlushAfterInvocation(tracing, null, TimeSpan.FromSeconds(30)) : null);
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
            return (elapsed, [.. postsAtNext]);
        }
    }
}
