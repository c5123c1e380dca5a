using System.ComponentModel;
using System.Diagnostics;
using Amazon.Runtime;
using BenchmarkDotNet.Attributes;
using ModelRegistry.Audit;
using ModelRegistry.Audit.Internal;
using ModelRegistry.Benchmarks.Infrastructure;
using ModelRegistry.Providers;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace ModelRegistry.Benchmarks;

/// <summary>
/// What the S3 audit exporter costs per span, as a ratio to the same span recorded by a tracer provider whose only
/// processor does nothing (the baseline: what a traced call pays anyway). Each invocation ends 512 spans carrying the
/// attributes of a gen_ai chat span, then flushes: with the exporter, that is the enqueue on the caller's thread plus,
/// on the exporter's loop, the OTLP/JSON writing, gzip and one SSE-KMS PutObject through AWSSDK.S3 to a loopback
/// server answering 200. The third row is the OTLP/JSON writing and gzip alone, on 512 finished spans.
/// </summary>
/// <remarks>Run: <c>./build/bench.sh --filter '*S3AuditExporterBenchmarks*'</c></remarks>
[Description("The S3 audit exporter: 512 gen_ai-like spans per invocation, enqueued, written as gzip OTLP/JSON and PUT to a loopback S3 in one batch; against the same spans with a no-op processor. Reported per span.")]
[MemoryDiagnoser]
public class S3AuditExporterBenchmarks
{
    private const int Spans = 512;

    private readonly ActivitySource _baselineSource = new("bench.audit.baseline");
    private readonly ActivitySource _auditSource = new("bench.audit.s3");
    private readonly List<Activity> _finished = [];
    private LoopbackHttpServer _s3 = null!;
    private TracerProvider _baseline = null!;
    private TracerProvider _audit = null!;

    [GlobalSetup]
    public void Setup()
    {
        _s3 = new LoopbackHttpServer(path => path.StartsWith("/audit-bench/", StringComparison.Ordinal)
            ? CannedResponse.Status(200, "OK")
            : CannedResponse.Status(404, "NoSuchBucket"));
        _baseline = Sdk.CreateTracerProviderBuilder().AddSource(_baselineSource.Name).AddProcessor(new NoOpProcessor()).Build();
        _audit = Sdk.CreateTracerProviderBuilder()
            .AddSource(_auditSource.Name)
            .AddS3AuditExporter(o =>
            {
                o.BucketName = "audit-bench";
                o.KmsKeyId = "alias/audit";
                o.ServiceUrl = _s3.BaseAddress;
                o.Region = "eu-west-1";
                o.Credentials = new BasicAWSCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
                o.MaxBatchSpans = Spans;
                o.Environment = EnvironmentProvider.FromVariables(new Dictionary<string, string?>());
            })
            .Build();
        _finished.AddRange(Enumerable.Range(0, Spans).Select(_ => Chat(_baselineSource)!));

        Audit();
        Check.Equal(1, _s3.RequestCount, "one PutObject per 512 spans");
        Check.That(OtlpJson.Gzip(_finished, [], captureContent: false).Length > 0, "the batch serialises");
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _audit.Dispose();
        _baseline.Dispose();
        await _s3.DisposeAsync();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Spans, Description = "span, no-op processor")]
    public bool Baseline() => EndSpans(_baselineSource, _baseline);

    [Benchmark(OperationsPerInvoke = Spans, Description = "span, S3 audit (enqueue + JSON + gzip + PUT)")]
    public bool Audit() => EndSpans(_auditSource, _audit);

    [Benchmark(OperationsPerInvoke = Spans, Description = "OTLP/JSON + gzip only")]
    public int SerializeOnly() => OtlpJson.Gzip(_finished, [], captureContent: false).Length;

    private static bool EndSpans(ActivitySource source, TracerProvider provider)
    {
        for (var i = 0; i < Spans; i++)
        {
            Chat(source)?.Dispose();
        }

        return provider.ForceFlush();
    }

    /// <summary>A finished span shaped like MEAI's chat span.</summary>
    private static Activity? Chat(ActivitySource source)
    {
        var activity = source.StartActivity("chat mistral-large-latest", ActivityKind.Client);
        activity?.SetTag("gen_ai.operation.name", "chat")
            .SetTag("gen_ai.provider.name", "mistral_ai")
            .SetTag("gen_ai.request.model", "mistral-large-latest")
            .SetTag("gen_ai.response.model", "mistral-large-2411")
            .SetTag("gen_ai.usage.input_tokens", 1234)
            .SetTag("gen_ai.usage.output_tokens", 321)
            .SetTag("gen_ai.response.finish_reasons", new[] { "stop" })
            .SetTag("server.address", "api.mistral.ai");
        activity?.Stop();
        return activity;
    }

    private sealed class NoOpProcessor : BaseProcessor<Activity>;
}
