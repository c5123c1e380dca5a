using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using ModelRegistry.Audit.Internal;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace ModelRegistry.Audit.Tests.Support;

/// <summary>
/// An app's tracer provider with the audit exporter on its own ActivitySource, a fake clock, captured logs and the
/// exporter's metrics.
/// </summary>
internal sealed class AuditHarness : IDisposable
{
    /// <summary>A fixed start: 2026-11-29 19:42:05 UTC, so keys are known in advance.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 29, 19, 42, 5, TimeSpan.Zero);

    private readonly ILoggerFactory _loggerFactory;
    private int _advancedWaits;
    private readonly TracerProvider _provider;

    public AuditHarness(Action<S3AuditExporterOptions> configure)
    {
        Source = new ActivitySource($"audit-tests-{Guid.NewGuid():N}", "1.2.3");
        Logs = new FakeLogCollector();
        _loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(Logs)));
        var options = new S3AuditExporterOptions
        {
            Region = Moto.Region,
            Credentials = Moto.Credentials,
            TimeProvider = Time,
            Environment = Providers.EnvironmentProvider.FromVariables(new Dictionary<string, string?>()),
            RetryBaseDelay = TimeSpan.FromMilliseconds(200),
        };
        configure(options);
        Exporter = new S3AuditExporter(options, _loggerFactory);
        Dropped = new MetricCollector<long>(Exporter.Meter, S3AuditExporter.DroppedInstrument);
        Written = new MetricCollector<long>(Exporter.Meter, S3AuditExporter.WrittenInstrument);
        _provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(Source.Name)
            .AddProcessor(new SimpleActivityExportProcessor(Exporter))
            .Build();
    }

    public ActivitySource Source { get; }

    public FakeTimeProvider Time { get; } = new(Start);

    public FakeLogCollector Logs { get; }

    public S3AuditExporter Exporter { get; }

    public MetricCollector<long> Dropped { get; }

    public MetricCollector<long> Written { get; }

    /// <summary>Spans dropped so far for a reason.</summary>
    public long DroppedFor(string reason) =>
        Dropped.GetMeasurementSnapshot().Where(m => Equals(m.Tags["reason"], reason)).Sum(m => m.Value);

    /// <summary>Spans written so far.</summary>
    public long WrittenCount => Written.GetMeasurementSnapshot().Sum(m => m.Value);

    /// <summary>One finished span, as a traced call leaves it; returns its span id.</summary>
    public string Span(string name = "call", Action<Activity>? tag = null)
    {
        using var activity = Source.StartActivity(name, ActivityKind.Client)!;
        tag?.Invoke(activity);
        return activity.SpanId.ToHexString();
    }

    /// <summary>
    /// Flushes, driving the fake clock through each retry delay as soon as the exporter waits on it, with a real-time
    /// hang guard only. Returns the delays it advanced (those the exporter waited on), in order.
    /// </summary>
    public async Task<List<TimeSpan>> FlushAsync()
    {
        var flush = Exporter.FlushAsync();
        var advanced = new List<TimeSpan>();
        var guard = Stopwatch.StartNew();
        while (!flush.IsCompleted)
        {
            Assert.That(guard.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), "hang guard: the flush did not complete");
            if (Exporter.RetryWaits > _advancedWaits)
            {
                _advancedWaits++;
                var delay = Exporter.LastRetryDelay;
                Time.Advance(delay);
                advanced.Add(delay);
                continue;
            }

            await Task.WhenAny(flush, Task.Delay(5));
        }

        await flush;
        return advanced;
    }

    /// <summary>Waits (real time, as a hang guard only) until the condition holds.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var guard = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.That(guard.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), $"hang guard: {what}");
            await Task.Delay(5);
        }
    }

    public void Dispose()
    {
        _provider.Dispose();
        Dropped.Dispose();
        Written.Dispose();
        _loggerFactory.Dispose();
        Source.Dispose();
    }
}
