using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Logging;
using ModelRegistry.Providers;
using ModelRegistry.Testing;

namespace ModelRegistry.Tests.Support;

/// <summary>
/// A direct-use transport for the tiny wire against a loopback <see cref="ReplayServer"/>, on a <see cref="FakeClock"/>,
/// logging into a <see cref="FakeLogCollector"/>. Its HttpClient reports each response whose headers arrived to a
/// <see cref="ResponseObserver"/>, so a test knows when a body read has begun.
/// </summary>
internal sealed class TinyHarness : IAsyncDisposable
{
    private readonly ResponseObserver _responses;
    private readonly HttpClient _http;
    private readonly ILoggerFactory _loggers;

    /// <summary>Where the clock starts: the HTTP dates of the Retry-After cases are written against it.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private TinyHarness(ReplayServer server, FakeClock time, TinyOptions options, ResponseObserver responses, HttpClient http, ILoggerFactory loggers, FakeLogCollector logs)
    {
        Server = server;
        Time = time;
        Options = options;
        _responses = responses;
        _http = http;
        _loggers = loggers;
        Logs = logs;
        Transport = ProviderTransport.ForClient(TinyWire.Protocol, options);
    }

    public ReplayServer Server { get; }

    public FakeClock Time { get; }

    public TinyOptions Options { get; }

    public ProviderTransport Transport { get; }

    public FakeLogCollector Logs { get; }

    /// <summary>Every log message and exception message written so far, one per line.</summary>
    public string LogText => Logs.AllText();

    public static async Task<TinyHarness> StartAsync(Action<ProviderResilienceOptions>? resilience = null, string? apiKey = null)
    {
        var server = await ReplayServer.StartAsync();
        var time = new FakeClock(Start);
        var responses = new ResponseObserver();
        var handler = responses.CreateHandler();
        handler.InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = false };
        var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        var logs = new FakeLogCollector();
        var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs)));
        var options = new TinyOptions
        {
            HttpClient = http,
            TimeProvider = time,
            LoggerFactory = loggers,
            ApiKey = apiKey,
            Environment = EnvironmentProvider.FromVariables(new Dictionary<string, string?>()),
            Resilience = new ProviderResilienceOptions { UseJitter = false, BaseDelay = TimeSpan.FromSeconds(1), AttemptTimeout = TimeSpan.FromSeconds(30) },
        };
        resilience?.Invoke(options.Resilience);
        return new TinyHarness(server, time, options, responses, http, loggers, logs);
    }

    public Task<TinyAnswer> ChatAsync(CancellationToken cancellationToken = default) =>
        Transport.SendAsync(TinyWire.Chat(Server.BaseAddress, "tiny-1", "hi", Options.ApiKey), TinyWire.ReadAnswer, cancellationToken);

    public IAsyncEnumerable<string> StreamAsync(CancellationToken cancellationToken = default) =>
        Transport.StreamAsync(TinyWire.Chat(Server.BaseAddress, "tiny-1", "hi", Options.ApiKey, stream: true), TinyWire.ReadEvents, cancellationToken);

    /// <summary>Completes when the <paramref name="count"/>-th response's headers have arrived (a hang guard bounds the wait).</summary>
    public Task HeadersArrived(int count) => _responses.WaitForResponsesAsync(count);

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        _loggers.Dispose();
        await Server.DisposeAsync();
    }
}
