using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ModelRegistry.Providers;
using NUnit.Framework;

namespace ModelRegistry.Testing;

/// <summary>
/// The provider conformance suite: every provider's tests subclass it, and the provider passes the same cases as every
/// other one. Each case drives the provider through the registry (<c>AddModelRegistry().FromJson(...)</c>, the
/// provider's <c>AddXxx()</c>, EMF metrics, MEAI's OpenTelemetry and logging in the pipeline) over HTTP to a loopback
/// <see cref="ReplayServer"/> answering with the provider's own wire fixtures, on a <see cref="FakeClock"/> and
/// an <see cref="EnvironmentProvider.FromVariables"/> environment (never the process's).
/// </summary>
/// <remarks>
/// <para><b>How a provider subclasses it.</b> In the provider's test project (which references
/// <c>ModelRegistry.Emf</c>):</para>
/// <code>
/// [TestFixture] // NUnit skips an assembly that does not reference it itself
/// public sealed class MistralConformanceTests : ProviderConformanceTests
/// {
///     protected override void AddProvider(ModelRegistryBuilder builder) =&gt; builder.AddMistral();
///     protected override ConformanceEntry CreateEntry(Uri endpoint) =&gt;
///         new("mistral", "mistral-large-latest") { Settings = new Dictionary&lt;string, string&gt; { ["endpoint"] = endpoint.ToString() } };
///     protected override ProviderWireFixtures CreateWireFixtures() =&gt; new MistralWireFixtures();
///     protected override void UseEmfMetrics(ModelRegistryBuilder builder, ILogger lines) =&gt;
///         builder.UseEmfMetrics(o =&gt; o.Sink = EmfSink.ToLogger(lines));
/// }
/// </code>
/// <para><c>MistralWireFixtures : ProviderWireFixtures</c> holds the provider's answers and request checks (see
/// <see cref="ProviderWireFixtures"/>; <c>TestWireFixtures</c> is a complete example).</para>
/// <para><b>Declared differences.</b> The cases of a <see cref="ProviderFeatures"/> feature run when the provider
/// declares it in <see cref="IChatClientProvider.Features"/>; otherwise NUnit reports them ignored, naming the feature
/// ("Not run: the provider does not declare ProviderFeatures.Reasoning"). A declared feature whose case fails, fails:
/// there is no other skip. Without <c>Embeddings</c> the suite checks instead that the registry refuses embeddings for
/// the entry; without <c>TokenCounting</c>, that the client offers no <see cref="IChatTokenCounter"/>. Finer
/// differences are explicit overrides: <see cref="ReportsCacheWrites"/> (cache reads only), <see cref="ApiKeySetting"/>
/// (another key name, or none), and <see cref="Features"/> to leave out a declared feature (reported as not run).</para>
/// <para><b>What else a subclass may need:</b> <see cref="ConfigureServices"/> (credentials, options) and
/// <see cref="EnvironmentVariables"/> (read through <see cref="EnvironmentProvider"/>); the fixtures'
/// <see cref="ProviderWireFixtures.AlternateModelId"/> when the provider's mapping depends on the model id. The
/// provider must send through the kit's transport for registry entries (its named HttpClient from
/// <c>IHttpClientFactory</c>): the stall cases watch responses arrive there.</para>
/// <para><b>EMF.</b> The test kit does not reference <c>ModelRegistry.Emf</c>; the subclass wires it in
/// <see cref="UseEmfMetrics"/> (one line, above), so the suite can check after every case that each chat call wrote
/// exactly one EMF line, and that no line holds a secret.</para>
/// <para><b>Settings the suite adds</b> to the entry: <c>resilience</c> (2 retries, 1 s base delay without jitter,
/// 30 s attempt timeout, 45 s stream idle timeout, 60 s longest Retry-After) and <c>circuit_breaker:enabled</c> false.</para>
/// </remarks>
[TestFixture]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public abstract partial class ProviderConformanceTests
{
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StreamIdleTimeout = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SecondBackoff = TimeSpan.FromSeconds(2);
    private const int Attempts = 3;

    /// <summary>The real time a case waits for something that should happen at once, before it fails instead of hanging.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(20);

    private readonly List<ConformanceHost> _hosts = [];
    private ProviderWireFixtures? _wire;
    private ProviderFeatures? _declared;

    /// <summary>Registers the provider on the registry builder, e.g. <c>builder.AddMistral()</c>.</summary>
    /// <param name="builder">The builder <c>AddModelRegistry()</c> returned.</param>
    protected abstract void AddProvider(ModelRegistryBuilder builder);

    /// <summary>The entry the suite calls: provider name, model id, and the settings that point it at the replay server.</summary>
    /// <param name="endpoint">The replay server's base address, e.g. <c>http://127.0.0.1:40123/</c>.</param>
    protected abstract ConformanceEntry CreateEntry(Uri endpoint);

    /// <summary>The provider's wire fixtures.</summary>
    protected abstract ProviderWireFixtures CreateWireFixtures();

    /// <summary>Adds the EMF middleware with a sink that writes each line to <paramref name="lines"/>: <c>builder.UseEmfMetrics(o =&gt; o.Sink = EmfSink.ToLogger(lines))</c>.</summary>
    /// <param name="builder">The registry builder.</param>
    /// <param name="lines">Where each EMF line must go, as one log entry's message.</param>
    protected abstract void UseEmfMetrics(ModelRegistryBuilder builder, ILogger lines);

    /// <summary>
    /// The features whose cases run. Default: what the provider declares. Override only to state a difference the
    /// provider's declaration cannot (and say why in a comment); the report names every feature not run.
    /// </summary>
    protected virtual ProviderFeatures Features => DeclaredFeatures;

    /// <summary>Whether usage reports tokens written to the prompt cache, besides those read (with <c>PromptCacheUsage</c>). Default true.</summary>
    protected virtual bool ReportsCacheWrites => true;

    /// <summary>The entry key of the API key's secret reference, for the secrets canary; <see langword="null"/> when the provider takes no key. Default <c>api_key</c>.</summary>
    protected virtual string? ApiKeySetting => "api_key";

    /// <summary>Environment variables the provider needs (read through <see cref="EnvironmentProvider"/>); none by default.</summary>
    protected virtual IReadOnlyDictionary<string, string?> EnvironmentVariables { get; } = new Dictionary<string, string?>();

    /// <summary>Registers more services the provider needs (credentials, options); nothing by default.</summary>
    /// <param name="services">The application's services.</param>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    /// <summary>What the provider declares in <see cref="IChatClientProvider.Features"/>.</summary>
    protected ProviderFeatures DeclaredFeatures => _declared ??= ReadDeclaredFeatures();

    /// <summary>The provider's wire fixtures, created once per case.</summary>
    protected ProviderWireFixtures Wire => _wire ??= CreateWireFixtures();

    /// <summary>Every chat call of the case wrote exactly one EMF line.</summary>
    [TearDown]
    public void EveryCallWroteOneEmfLine()
    {
        foreach (var host in _hosts)
        {
            Assert.That(host.EmfLines, Has.Count.EqualTo(host.Calls), $"exactly one EMF line per chat call: {host.Calls} call(s), {host.EmfLines.Count} line(s)");
        }
    }

    private ProviderFeatures ReadDeclaredFeatures()
    {
        var services = new ServiceCollection();
        AddProvider(services.AddModelRegistry());
        ConfigureServices(services);
        using var provider = services.BuildServiceProvider();
        var name = CreateEntry(new Uri("http://127.0.0.1/")).Provider;
        return provider.GetServices<IChatClientProvider>().Single(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Features;
    }

    /// <summary>Ignores the case, saying which declared difference is the reason, unless the feature runs.</summary>
    private void Require(ProviderFeatures feature)
    {
        if (!DeclaredFeatures.HasFlag(feature))
        {
            Assert.Ignore($"Not run: the provider does not declare ProviderFeatures.{feature}.");
        }

        if (!Features.HasFlag(feature))
        {
            Assert.Ignore($"Not run: the provider declares ProviderFeatures.{feature}, but {GetType().Name}.Features leaves it out.");
        }
    }

    private async Task<ConformanceHost> StartAsync(IReadOnlyDictionary<string, string>? settings = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var server = await ReplayServer.StartAsync();
        var clock = new FakeClock { HangGuard = HangGuard };
        var entry = CreateEntry(server.BaseAddress);
        var observer = new ResponseObserver { HangGuard = HangGuard };
        var emf = new FakeLogCollector();
        var source = "ModelRegistry.Conformance." + Guid.NewGuid().ToString("N");
        var activities = new ConcurrentQueue<Activity>();
        var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        services.AddSingleton(EnvironmentProvider.FromVariables(new Dictionary<string, string?>([.. EnvironmentVariables, .. environment ?? new Dictionary<string, string?>()])));
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        services.ConfigureAll<HttpClientFactoryOptions>(o => o.HttpMessageHandlerBuilderActions.Add(b => b.AdditionalHandlers.Add(observer.CreateHandler())));
        var builder = services.AddModelRegistry(o => o.Resilience.UseJitter = false)
            .FromJson(RegistryJson(entry, settings))
            .ConfigurePipeline(pipeline => pipeline
                .UseOpenTelemetry(sourceName: source, configure: telemetry => telemetry.EnableSensitiveData = true)
                .UseLogging());
        AddProvider(builder);
        UseEmfMetrics(builder, new FakeLogger(emf, "EMF"));
        ConfigureServices(services);

        var host = new ConformanceHost(server, clock, services.BuildServiceProvider(), observer, emf, listener, activities, entry);
        _hosts.Add(host);
        return host;
    }

    private string RegistryJson(ConformanceEntry template, IReadOnlyDictionary<string, string>? settings)
    {
        JsonObject Entry(string modelId)
        {
            var entry = new JsonObject { ["provider"] = template.Provider, ["model_id"] = modelId };
            foreach (var (key, value) in template.Settings.Concat(settings ?? new Dictionary<string, string>()))
            {
                entry[key] = value;
            }

            entry["resilience"] = new JsonObject
            {
                ["max_retries"] = Attempts - 1,
                ["base_delay_ms"] = FirstBackoff.TotalMilliseconds,
                ["max_delay_ms"] = 30_000,
                ["attempt_timeout_ms"] = AttemptTimeout.TotalMilliseconds,
                ["stream_idle_timeout_ms"] = StreamIdleTimeout.TotalMilliseconds,
                ["max_retry_after_ms"] = 60_000,
            };
            entry["circuit_breaker"] = new JsonObject { ["enabled"] = false };
            return entry;
        }

        var registry = new JsonObject { [ConformanceData.EntryName] = Entry(template.ModelId) };
        if (Features.HasFlag(ProviderFeatures.Embeddings))
        {
            registry[ConformanceData.EmbeddingEntryName] = Entry(template.EmbeddingModelId ?? template.ModelId);
        }

        return registry.ToJsonString();
    }

    private static ChatOptions TextOptions() => new()
    {
        Instructions = ConformanceData.Instructions,
        Temperature = ConformanceData.Temperature,
        MaxOutputTokens = ConformanceData.MaxOutputTokens,
    };

    private static List<ChatMessage> Question() => [new(ChatRole.User, ConformanceData.Question)];

    /// <summary>A chat call through the registry, counted for the EMF check; fails instead of hanging.</summary>
    private static Task<ChatResponse> ChatAsync(ConformanceHost host, IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        host.CountCall();
        return host.Chat.GetResponseAsync(messages, options, cancellationToken).WaitAsync(HangGuard);
    }

    /// <summary>A streaming call through the registry, read to its end in the background.</summary>
    private static StreamRun Stream(ConformanceHost host, IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        host.CountCall();
        return new StreamRun(host.Chat.GetStreamingResponseAsync(messages, options, cancellationToken));
    }

    /// <summary>Awaits a call that must fail with <typeparamref name="T"/> (or a subclass), at most <see cref="HangGuard"/>.</summary>
    private static async Task<T> FailsAsync<T>(Task call)
        where T : Exception
    {
        try
        {
            await call.WaitAsync(HangGuard);
        }
        catch (T expected)
        {
            return expected;
        }
        catch (Exception other)
        {
            Assert.Fail($"Expected {typeof(T).Name}, but the call threw {other.GetType().Name}: {other.Message}");
        }

        Assert.Fail($"Expected {typeof(T).Name}, but the call succeeded.");
        return null!;
    }

    private static async Task WaitForRequestsAsync(ReplayServer server, int count)
    {
        using var guard = new CancellationTokenSource(HangGuard);
        while (server.Requests.Count < count)
        {
            await Task.Delay(10, guard.Token);
        }
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    /// <summary>A stream being read to its end in the background, with a signal when its first text arrives.</summary>
    private sealed class StreamRun
    {
        private readonly List<ChatResponseUpdate> _updates = [];
        private readonly TaskCompletionSource _firstText = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public StreamRun(IAsyncEnumerable<ChatResponseUpdate> updates)
        {
            Completion = Task.Run(async () =>
            {
                await foreach (var update in updates)
                {
                    lock (_updates)
                    {
                        _updates.Add(update);
                    }

                    if (!string.IsNullOrEmpty(update.Text))
                    {
                        _firstText.TrySetResult();
                    }
                }
            });
        }

        /// <summary>Completes when the stream ended; faults as the stream did.</summary>
        public Task Completion { get; }

        public IReadOnlyList<ChatResponseUpdate> Updates
        {
            get
            {
                lock (_updates)
                {
                    return [.. _updates];
                }
            }
        }

        /// <summary>Waits until an update with text has arrived (or the stream ended without one), at most <see cref="HangGuard"/>.</summary>
        public Task FirstTextAsync() => Task.WhenAny(_firstText.Task, Completion).WaitAsync(HangGuard);

        /// <summary>The updates once the stream ended successfully.</summary>
        public async Task<IReadOnlyList<ChatResponseUpdate>> ToEndAsync()
        {
            await Completion.WaitAsync(HangGuard);
            return Updates;
        }
    }
}
