using System.ComponentModel;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Benchmarks.Infrastructure;

namespace ModelRegistry.Benchmarks.Registry;

/// <summary>
/// What the registry's OpenTelemetry metrics (the <c>ModelRegistry</c> meter) add to a call: the same held registry
/// client with no listener on the meter (metrics off, the baseline) and with a listener enabling every instrument of
/// it (attempts, duration, tokens, cost), for a response and a stream. The listener only counts what it is given, so
/// the difference is the registry's own recording cost, not an exporter's. The last two cases isolate the attempt
/// layer with no listener: the provider client alone against it inside the layer, which is what metrics cost a call
/// when nobody listens.
/// </summary>
[Description("A call through a held registry client whose entry has prices, with no listener on the ModelRegistry meter (baseline) and with one listening to every instrument; a response and a three-update stream.")]
[MemoryDiagnoser]
public class RegistryMetricsBenchmarks
{
    private const string RegistryJson = """
        { "priced": { "provider": "answering", "model_id": "fast-v1", "pricing": { "input": 3, "output": 15, "cache_read": 0.3 } } }
        """;

    private static readonly ChatMessage[] Messages = [new(ChatRole.User, "hi")];
    private ServiceProvider _plainServices = null!;
    private ServiceProvider _meteredServices = null!;
    private MeterListener _listener = null!;
    private IChatClient _plain = null!;
    private IChatClient _metered = null!;
    private IChatClient _bare = null!;
    private IChatClient _layered = null!;
    private Internal.RegistryMetrics _unlistened = null!;
    private long _measurements;

    [GlobalSetup]
    public async Task Setup()
    {
        _plainServices = Build();
        _meteredServices = Build();
        var factory = _meteredServices.GetRequiredService<IMeterFactory>();
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Meter.Name == "ModelRegistry")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _measurements, 1));
        _listener.SetMeasurementEventCallback<double>((_, value, _, _) => Interlocked.Add(ref _measurements, 1));
        _listener.Start();
        _plain = _plainServices.GetRequiredService<IModelRegistry>().GetChatClient("priced");
        _metered = _meteredServices.GetRequiredService<IModelRegistry>().GetChatClient("priced");
        _bare = new AnsweringChatClient();
        _unlistened = new Internal.RegistryMetrics(null);
        var entry = await _plainServices.GetRequiredService<IModelRegistry>().GetEntryAsync("priced");
        _layered = new Internal.AttemptMetricsChatClient(new AnsweringChatClient(), entry, _unlistened, TimeProvider.System);
        Check.That(!_unlistened.ObservesAttempts, "no listener on the isolated layer's meter");

        Check.Equal("hello", (await _plain.GetResponseAsync(Messages)).Text, "the unmetered answer");
        Check.Equal(0L, Interlocked.Read(ref _measurements), "measurements with no listener on the meter");
        Check.Equal("hello", (await _metered.GetResponseAsync(Messages)).Text, "the metered answer");
        // attempts + duration + three token types + cost.
        Check.Equal(6L, Interlocked.Read(ref _measurements), "measurements of one metered call");
        Check.Equal("Hello", string.Concat((await _metered.GetStreamingResponseAsync(Messages).ToListAsync()).Select(u => u.Text)), "the metered stream");
        // attempts + duration + input and output tokens + cost.
        Check.Equal(11L, Interlocked.Read(ref _measurements), "measurements after one metered stream");
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _listener.Dispose();
        _unlistened.Dispose();
        await _plainServices.DisposeAsync();
        await _meteredServices.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "response, no listener")]
    public Task<ChatResponse> Plain() => _plain.GetResponseAsync(Messages);

    [Benchmark(Description = "response, every instrument listened to")]
    public Task<ChatResponse> Metered() => _metered.GetResponseAsync(Messages);

    [Benchmark(Description = "stream, no listener")]
    public Task<int> PlainStream() => Drain(_plain);

    [Benchmark(Description = "stream, every instrument listened to")]
    public Task<int> MeteredStream() => Drain(_metered);

    [Benchmark(Description = "provider client alone")]
    public Task<ChatResponse> Bare() => _bare.GetResponseAsync(Messages);

    [Benchmark(Description = "provider client in the attempt layer, no listener")]
    public Task<ChatResponse> Layered() => _layered.GetResponseAsync(Messages);

    private static async Task<int> Drain(IChatClient client)
    {
        var count = 0;
        await foreach (var _ in client.GetStreamingResponseAsync(Messages).ConfigureAwait(false))
        {
            count++;
        }

        return count;
    }

    private static ServiceProvider Build()
    {
        var services = new ServiceCollection().AddMetrics();
        services.AddModelRegistry().FromJson(RegistryJson).AddProvider<AnsweringProvider>();
        return services.BuildServiceProvider();
    }
}
