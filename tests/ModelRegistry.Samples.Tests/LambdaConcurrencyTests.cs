using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelRegistry.Emf;
using ModelRegistry.Mistral;
using ModelRegistry.Providers;
using ModelRegistry.Samples.Lambda;
using ModelRegistry.Samples.Lambda.Runtime;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace ModelRegistry.Samples.Tests;

/// <summary>
/// The runtime loop with the real handler, registry and EMF middleware: invocations handed out concurrently by the
/// loopback Runtime API, answered by a loopback provider that holds its answers until the test releases them.
/// </summary>
public sealed class LambdaConcurrencyTests
{
    private const string Model = "mistral-large";

    [Test]
    public async Task Eight_invocations_run_at_once_and_each_gets_its_own_response_trace_id_log_scope_and_EMF_line()
    {
        await using var provider = await GatedChatServer.StartAsync(held: true);
        await using var api = await FakeLambdaRuntimeApi.StartAsync();
        var emf = new StringWriter();
        var logs = new ScopeCollector();
        await using var services = Services(Registry(provider.BaseAddress), emf, logs);
        var (handler, logger) = Handler(services);
        var traces = Enumerable.Range(0, 8).Select(i => $"Root=1-5bef4de7-{i:x24};Parent=9a9197af755a64{i:x2};Sampled=1").ToArray();
        var outcomes = Enumerable.Range(0, 8).Select(i => api.InvokeAsync($$"""{"prompt":"q{{i}}","model":"{{Model}}"}""", traceId: traces[i])).ToArray();
        using var stop = new CancellationTokenSource();
        var bootstrap = new LambdaBootstrap(LambdaRuntimeClient.Create(api.Address), handler, logger, TimeProvider.System, maxConcurrency: 8);
        var loop = Task.Run(() => bootstrap.RunAsync(stop.Token));

        await provider.WaitForRequestsAsync(8); // only eight invocations in progress together get all eight calls there
        provider.Release();
        var results = await Task.WhenAll(outcomes);
        await stop.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(() => loop);

        var lines = emf.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        var entries = logs.Entries.Where(e => e.Message.StartsWith("serving", StringComparison.Ordinal)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(api.MostOutstanding, Is.EqualTo(8));
            Assert.That(lines, Has.Count.EqualTo(8), emf.ToString());
            for (var i = 0; i < 8; i++)
            {
                Assert.That((string?)JsonNode.Parse(results[i].ResponseText)?["text"], Is.EqualTo($"answer to q{i}"), results[i].ErrorText);
                var line = lines.SingleOrDefault(l => (string?)l["ResponseId"] == $"resp-q{i}");
                Assert.That((string?)line?["TraceId"], Is.EqualTo($"1-5bef4de7-{i:x24}"), $"the EMF line of q{i} carries its own invocation's trace id");
                var entry = entries.SingleOrDefault(e => e.Message.Contains($"\"q{i}\"", StringComparison.Ordinal));
                var scope = entry.Scopes?.OfType<IEnumerable<KeyValuePair<string, object?>>>().SingleOrDefault()?.ToDictionary(p => p.Key, p => p.Value);
                Assert.That(scope?["AwsRequestId"], Is.EqualTo(results[i].RequestId), $"the log scope of q{i} is its own invocation's");
                Assert.That(scope?["TraceId"], Is.EqualTo(traces[i]));
                Assert.That(entry.Scopes?.Single()?.ToString(), Does.StartWith($"AwsRequestId:{results[i].RequestId} "));
            }
        });
    }

    [Test]
    public async Task By_default_one_invocation_runs_at_a_time()
    {
        await using var provider = await GatedChatServer.StartAsync(held: false);
        await using var api = await FakeLambdaRuntimeApi.StartAsync();
        var emf = new StringWriter();
        await using var services = Services(Registry(provider.BaseAddress), emf, new ScopeCollector());
        var (handler, logger) = Handler(services);
        var outcomes = Enumerable.Range(0, 4).Select(i => api.InvokeAsync($$"""{"prompt":"q{{i}}","model":"{{Model}}"}""")).ToArray(); // all queued first
        using var stop = new CancellationTokenSource();
        var bootstrap = new LambdaBootstrap(LambdaRuntimeClient.Create(api.Address), handler, logger, TimeProvider.System);
        var loop = Task.Run(() => bootstrap.RunAsync(stop.Token));

        var results = await Task.WhenAll(outcomes);
        await stop.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(() => loop);

        Assert.Multiple(() =>
        {
            Assert.That(results.Select(r => (string?)JsonNode.Parse(r.ResponseText)?["text"]), Is.EqualTo(Enumerable.Range(0, 4).Select(i => $"answer to q{i}")));
            Assert.That(api.MostOutstanding, Is.EqualTo(1));
            Assert.That(provider.MostInFlight, Is.EqualTo(1));
        });
    }

    [TestCase("{ this is not JSON")]
    [TestCase("""{"mistral-large":{"provider":"mistral"}}""")]
    public async Task A_registry_that_cannot_be_read_is_a_registry_error_even_when_the_event_names_a_model(string registry)
    {
        await using var api = await FakeLambdaRuntimeApi.StartAsync();
        await using var services = Services(registry, new StringWriter(), new ScopeCollector());
        var (handler, logger) = Handler(services);
        using var stop = new CancellationTokenSource();
        var loop = Task.Run(() => new LambdaBootstrap(LambdaRuntimeClient.Create(api.Address), handler, logger, TimeProvider.System).RunAsync(stop.Token));

        var named = await api.InvokeAsync($$"""{"prompt":"hi","model":"{{Model}}"}""");
        var unnamed = await api.InvokeAsync("""{"prompt":"hi"}""");
        await stop.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(() => loop);

        Assert.Multiple(() =>
        {
            Assert.That(named.ErrorType, Is.EqualTo("Function.RegistryError"), named.ErrorText);
            Assert.That((string?)JsonNode.Parse(named.ErrorText)!["errorType"], Is.EqualTo("Function.RegistryError"));
            Assert.That((string?)JsonNode.Parse(named.ErrorText)!["errorMessage"], Does.Not.Contain("is not in the registry"));
            Assert.That(unnamed.ErrorType, Is.EqualTo("Function.RegistryError"));
        });
    }

    [Test]
    public async Task A_name_missing_from_a_readable_registry_is_an_unknown_model()
    {
        await using var api = await FakeLambdaRuntimeApi.StartAsync();
        await using var services = Services(Registry("http://127.0.0.1:9"), new StringWriter(), new ScopeCollector());
        var (handler, logger) = Handler(services);
        using var stop = new CancellationTokenSource();
        var loop = Task.Run(() => new LambdaBootstrap(LambdaRuntimeClient.Create(api.Address), handler, logger, TimeProvider.System).RunAsync(stop.Token));

        var unknown = await api.InvokeAsync("""{"prompt":"hi","model":"gpt-5"}""");
        await stop.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(() => loop);

        Assert.That(unknown.ErrorType, Is.EqualTo("Function.UnknownModel"));
        Assert.That((string?)JsonNode.Parse(unknown.ErrorText)!["errorMessage"], Does.Contain("Model 'gpt-5' is not in the registry"));
    }

    [Test]
    public async Task Spans_are_flushed_after_each_response_before_the_next_event_is_asked_for()
    {
        using var source = new System.Diagnostics.ActivitySource("flush-test");
        var exporter = new CollectingExporter();
        using var tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(source.Name)
            .AddProcessor(new BatchActivityExportProcessor(exporter, scheduledDelayMilliseconds: 3_600_000)) // its timer never fires here
            .Build();
        await using var api = await FakeLambdaRuntimeApi.StartAsync();
        var exportedAtNext = new List<int>();
        var thirdNext = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        api.OnNextRequested = () =>
        {
            lock (exportedAtNext)
            {
                exportedAtNext.Add(exporter.Exported.Count);
                if (exportedAtNext.Count == 3)
                {
                    thirdNext.TrySetResult();
                }
            }
        };
        using var stop = new CancellationTokenSource();
        var bootstrap = new LambdaBootstrap(
            LambdaRuntimeClient.Create(api.Address),
            (invocation, _) =>
            {
                using (source.StartActivity("invocation " + Encoding.UTF8.GetString(invocation.Event)))
                {
                    return Task.FromResult("{}"u8.ToArray());
                }
            },
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
            TimeProvider.System,
            afterInvocation: Telemetry.FlushAfterInvocation(tracing!, null, TimeSpan.FromSeconds(30)));
        var loop = Task.Run(() => bootstrap.RunAsync(stop.Token));

        await api.InvokeAsync("1");
        await api.InvokeAsync("2");
        await thirdNext.Task.WaitAsync(TimeSpan.FromMinutes(2)); // the loop asks for a third event after the second's flush
        await stop.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(() => loop);

        int[] seen;
        lock (exportedAtNext)
        {
            seen = [.. exportedAtNext];
        }

        Assert.That(seen.Take(3).ToArray(), Is.EqualTo(new[] { 0, 1, 2 }), "spans exported when each next request arrived");
        Assert.That(exporter.Exported, Is.EqualTo(new[] { "invocation 1", "invocation 2" }));
    }

    [Test]
    public async Task When_one_loop_fails_the_others_stop_and_its_failure_is_thrown()
    {
        await using var api = await FakeLambdaRuntimeApi.StartAsync();
        var outcome = api.InvokeAsync("{}");
        var bootstrap = new LambdaBootstrap(
            LambdaRuntimeClient.Create(api.Address),
            (_, _) =>
            {
                api.FailOneNextWith = 500; // the next loop to ask gets a broken answer; the others wait for events that never come
                return Task.FromResult("{}"u8.ToArray());
            },
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
            TimeProvider.System,
            maxConcurrency: 4);

        var run = bootstrap.RunAsync(CancellationToken.None);
        await outcome;

        var error = Assert.ThrowsAsync<InvalidOperationException>(() => run.WaitAsync(TimeSpan.FromMinutes(2)));
        Assert.That(error!.Message, Does.StartWith("Runtime API next answered 500"));
    }

    [TestCase(null, 1)]
    [TestCase("", 1)]
    [TestCase("1", 1)]
    [TestCase(" 8 ", 8)]
    [TestCase("1024", 1024)]
    public void The_concurrency_setting_is_read(string? value, int expected) =>
        Assert.That(LambdaBootstrap.ParseMaxConcurrency(value), Is.EqualTo(expected));

    [TestCase("0")]
    [TestCase("-2")]
    [TestCase("eight")]
    [TestCase("1.5")]
    [TestCase("1025")]
    public void A_bad_concurrency_setting_is_an_error_naming_the_variable_and_the_range(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => LambdaBootstrap.ParseMaxConcurrency(value));
        Assert.That(error!.Message, Does.StartWith($"AWS_LAMBDA_MAX_CONCURRENCY is '{value}'").And.Contain("from 1 to 1024"));
    }

    private static string Registry(string endpoint) =>
        $$$"""{"{{{Model}}}":{"provider":"mistral","model_id":"mistral-large-latest","endpoint":"{{{endpoint}}}"}}""";

    private static ServiceProvider Services(string registry, StringWriter emf, ScopeCollector logs)
    {
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build())
            .AddSingleton<EnvironmentProvider>(new InvocationEnvironment(EnvironmentProvider.FromVariables(new Dictionary<string, string?>
            {
                ["AWS_LAMBDA_FUNCTION_NAME"] = "model-registry-chat",
                ["MISTRAL_API_KEY"] = "sk-test-concurrency",
            })))
            .AddLogging(b => b.AddProvider(logs));
        services.AddModelRegistry().FromJson(registry).AddMistral().UseEmfMetrics(o => o.Sink = EmfSink.ToTextWriter(emf));
        services.AddSingleton<ChatHandler>();
        return services.BuildServiceProvider();
    }

    private static (Func<LambdaInvocation, CancellationToken, Task<byte[]>> Handler, ILogger Logger) Handler(ServiceProvider services)
    {
        var chat = services.GetRequiredService<ChatHandler>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("ModelRegistry.Samples.Lambda");
        return ((invocation, ct) =>
        {
            logger.LogInformation("serving {Event}", Encoding.UTF8.GetString(invocation.Event));
            return chat.HandleAsync(invocation, ct);
        }, logger);
    }
}
