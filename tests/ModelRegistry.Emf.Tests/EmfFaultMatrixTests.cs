using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Emf.Tests.TestSupport;
using ModelRegistry.Providers;
using ModelRegistry.Testing;

namespace ModelRegistry.Emf.Tests;

/// <summary>
/// One EMF line per attempted entry, whatever the outcome, across a chain with a fallback: through AddModelRegistry(),
/// testwire over loopback HTTP, and UseEmfMetrics(). The refusals the entry's guard makes before any HTTP (open
/// breaker, client limits, access) are lines too, counted as Errors or Throttles with their ErrorCode.
/// </summary>
public sealed class EmfFaultMatrixTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(15);

    private static string Success(string model) => $"{model} Success Errors=0 Throttles=0 -";

    /// <summary>What a line says about its attempt: model, outcome, Errors, Throttles and ErrorCode (- when absent).</summary>
    private static string Summary(string line)
    {
        EmfAssert.IsValidLine(line);
        CloudWatchReader.Read(line); // CloudWatch would take it
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        string Read(string name) => root.TryGetProperty(name, out var value) ? value.ToString() : "-";
        return $"{Read("Model")} {Read("Outcome")} Errors={Read("Errors")} Throttles={Read("Throttles")} {Read("ErrorCode")}";
    }

    private sealed class Chain : IAsyncDisposable
    {
        private readonly ServiceProvider _services;

        private Chain(ReplayServer primary, ReplayServer backup, RecordingSink sink, ServiceProvider services)
        {
            Sink = sink;
            Primary = primary;
            Backup = backup;
            _services = services;
            Client = services.GetRequiredKeyedService<IChatClient>("primary");
        }

        public ReplayServer Primary { get; }

        public ReplayServer Backup { get; }

        public IChatClient Client { get; }

        public RecordingSink Sink { get; }

        public IReadOnlyList<string> Lines => [.. Sink.Lines.Select(Summary)];

        /// <summary>Entries "primary" (with <paramref name="primaryExtra"/>, falling back to "backup") and "backup", each on its own server.</summary>
        public static async Task<Chain> StartAsync(string primaryExtra = "", string backupExtra = "")
        {
            var primary = await ReplayServer.StartAsync();
            var backup = await ReplayServer.StartAsync();
            var sink = new RecordingSink();
            var services = new ServiceCollection()
                .AddSingleton<TimeProvider>(new FakeClock())
                .AddSingleton<EnvironmentProvider>(TestEnvironment.With());
            services.AddModelRegistry(o =>
                {
                    o.Resilience.MaxRetries = 0;
                    o.Resilience.UseJitter = false;
                })
                .FromJson($$"""
                    {
                      "primary": {"provider":"testwire","model_id":"p-1","endpoint":"{{primary.BaseAddress}}","fallbacks":["backup"]{{primaryExtra}}},
                      "backup": {"provider":"testwire","model_id":"b-1","endpoint":"{{backup.BaseAddress}}"{{backupExtra}}}
                    }
                    """)
                .AddTestWire()
                .UseEmfMetrics(o =>
                {
                    o.Sink = sink;
                    o.DefaultDimensions.Clear();
                });
            return new Chain(primary, backup, sink, services.BuildServiceProvider());
        }

        public async ValueTask DisposeAsync()
        {
            await _services.DisposeAsync();
            await Primary.DisposeAsync();
            await Backup.DisposeAsync();
        }
    }

    [Test]
    public async Task A_success_writes_one_line()
    {
        await using var chain = await Chain.StartAsync();
        chain.Primary.Enqueue(TestWireAnswers.Text("p"));

        await chain.Client.GetResponseAsync("hi");

        Assert.That(chain.Lines, Is.EqualTo(new[] { Success("primary") }));
    }

    [Test]
    public async Task A_provider_error_writes_the_failed_attempt_and_the_fallbacks()
    {
        await using var chain = await Chain.StartAsync();
        chain.Primary.Enqueue(TestWireAnswers.Error(500, "down"));
        chain.Backup.Enqueue(TestWireAnswers.Text("b"));

        await chain.Client.GetResponseAsync("hi");

        Assert.That(chain.Lines, Is.EqualTo(new[] { "primary Error Errors=1 Throttles=0 status_500", Success("backup") }));
    }

    [Test]
    public async Task A_429_is_a_throttle_and_falls_back()
    {
        await using var chain = await Chain.StartAsync();
        chain.Primary.Enqueue(TestWireAnswers.Error(429, "slow down"));
        chain.Backup.Enqueue(TestWireAnswers.Text("b"));

        await chain.Client.GetResponseAsync("hi");

        Assert.That(chain.Lines, Is.EqualTo(new[] { "primary Error Errors=1 Throttles=1 status_429", Success("backup") }));
    }

    [Test]
    public async Task Every_call_refused_by_an_open_breaker_writes_its_error_line()
    {
        await using var chain = await Chain.StartAsync(",\"circuit_breaker\":{\"failure_ratio\":1,\"minimum_throughput\":2}");
        chain.Primary.Enqueue(TestWireAnswers.Error(500, "down"), TestWireAnswers.Error(500, "down"));
        chain.Backup.Enqueue(TestWireAnswers.Text("b1"), TestWireAnswers.Text("b2"), TestWireAnswers.Text("b3"), TestWireAnswers.Text("b4"));

        for (var i = 0; i < 4; i++)
        {
            await chain.Client.GetResponseAsync("hi");
        }

        Assert.That(chain.Primary.Requests, Has.Count.EqualTo(2), "the breaker opened after two failures");
        Assert.That(chain.Lines, Is.EqualTo(new[]
        {
            "primary Error Errors=1 Throttles=0 status_500", Success("backup"),
            "primary Error Errors=1 Throttles=0 status_500", Success("backup"),
            $"primary Error Errors=1 Throttles=0 {ProviderErrorCodes.CircuitOpen}", Success("backup"),
            $"primary Error Errors=1 Throttles=0 {ProviderErrorCodes.CircuitOpen}", Success("backup"),
        }));
    }

    [Test]
    public async Task Every_call_refused_by_requests_per_minute_writes_its_throttle_line()
    {
        await using var chain = await Chain.StartAsync(",\"limits\":{\"requests_per_minute\":1}");
        chain.Primary.Enqueue(TestWireAnswers.Text("p"));
        chain.Backup.Enqueue(TestWireAnswers.Text("b1"), TestWireAnswers.Text("b2"));

        for (var i = 0; i < 3; i++)
        {
            await chain.Client.GetResponseAsync("hi");
        }

        Assert.That(chain.Lines, Is.EqualTo(new[]
        {
            Success("primary"),
            $"primary Error Errors=1 Throttles=1 {ProviderErrorCodes.ClientRateLimit}", Success("backup"),
            $"primary Error Errors=1 Throttles=1 {ProviderErrorCodes.ClientRateLimit}", Success("backup"),
        }));
    }

    [Test]
    public async Task A_call_refused_by_max_concurrency_writes_its_throttle_line_and_the_held_call_writes_its_own()
    {
        await using var chain = await Chain.StartAsync(",\"limits\":{\"max_concurrency\":1}");
        var release = new TaskCompletionSource();
        var held = TestWireAnswers.Text("held");
        chain.Primary.Enqueue(new ScriptedResponse { Status = held.Status, Headers = held.Headers, Body = held.Body, HoldUntil = release.Task });
        chain.Backup.Enqueue(TestWireAnswers.Text("b"));

        var first = chain.Client.GetResponseAsync("one");
        await WaitUntil(() => chain.Primary.InFlight == 1);
        var second = await chain.Client.GetResponseAsync("two");
        var refusal = chain.Lines;
        release.SetResult();
        await first.WaitAsync(Guard);

        Assert.That(second.Text, Is.EqualTo("b"));
        Assert.That(refusal, Is.EqualTo(new[] { $"primary Error Errors=1 Throttles=1 {ProviderErrorCodes.ClientConcurrencyLimit}", Success("backup") }), "written when refused, before the held call ends");
        Assert.That(chain.Lines, Has.Count.EqualTo(3));
        Assert.That(chain.Lines[2], Is.EqualTo(Success("primary")));
    }

    [Test]
    public async Task A_cancelled_call_writes_one_cancelled_line_and_does_not_fall_back()
    {
        await using var chain = await Chain.StartAsync();
        var never = new TaskCompletionSource();
        chain.Primary.Enqueue(new ScriptedResponse { HoldUntil = never.Task });
        using var cancel = new CancellationTokenSource();

        var call = chain.Client.GetResponseAsync("hi", cancellationToken: cancel.Token);
        await WaitUntil(() => chain.Primary.InFlight == 1);
        await cancel.CancelAsync();

        Assert.CatchAsync<OperationCanceledException>(() => call.WaitAsync(Guard));
        Assert.That(chain.Lines, Is.EqualTo(new[] { "primary Cancelled Errors=0 Throttles=0 -" }));
        Assert.That(chain.Backup.Requests, Is.Empty);
    }

    [Test]
    public async Task A_caller_refused_by_allowed_roles_writes_its_error_line_and_does_not_fall_back()
    {
        await using var chain = await Chain.StartAsync(",\"allowed_roles\":[\"admin\"]");

        using (ModelRegistryCaller.Use(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, "user")], "test"))))
        {
            var ex = Assert.ThrowsAsync<ModelProviderException>(() => chain.Client.GetResponseAsync("hi"));
            Assert.That(ex!.ErrorCode, Is.EqualTo(ProviderErrorCodes.AccessDenied));
        }

        Assert.That(chain.Lines, Is.EqualTo(new[] { $"primary Error Errors=1 Throttles=0 {ProviderErrorCodes.AccessDenied}" }));
        Assert.That(chain.Primary.Requests.Concat(chain.Backup.Requests), Is.Empty);
    }

    [Test]
    public async Task A_request_the_entry_cannot_take_writes_its_error_line_and_the_fallbacks()
    {
        await using var chain = await Chain.StartAsync(",\"capabilities\":{\"tools\":false}");
        chain.Backup.Enqueue(TestWireAnswers.Text("b"));

        var options = new ChatOptions { Tools = [AIFunctionFactory.Create(() => "sunny", "weather")] };
        await chain.Client.GetResponseAsync("hi", options);

        Assert.That(chain.Lines, Is.EqualTo(new[] { $"primary Error Errors=1 Throttles=0 {ProviderErrorCodes.CapabilityMismatch}", Success("backup") }));
        Assert.That(chain.Primary.Requests, Is.Empty, "refused before any HTTP");
    }

    [Test]
    public async Task A_stream_refused_by_an_open_breaker_writes_its_line_and_falls_back()
    {
        await using var chain = await Chain.StartAsync(",\"circuit_breaker\":{\"failure_ratio\":1,\"minimum_throughput\":2}");
        chain.Primary.Enqueue(TestWireAnswers.Error(503, "down"), TestWireAnswers.Error(503, "down"));
        chain.Backup.Enqueue(TestWireAnswers.Stream("b1").Complete(), TestWireAnswers.Stream("b2").Complete(), TestWireAnswers.Stream("b3").Complete());

        for (var i = 0; i < 3; i++)
        {
            await chain.Client.GetStreamingResponseAsync("hi").ToListAsync();
        }

        Assert.That(chain.Lines, Is.EqualTo(new[]
        {
            "primary Error Errors=1 Throttles=0 status_503", Success("backup"),
            "primary Error Errors=1 Throttles=0 status_503", Success("backup"),
            $"primary Error Errors=1 Throttles=0 {ProviderErrorCodes.CircuitOpen}", Success("backup"),
        }));
    }

    /// <summary>Polls for an event the test caused; the bound is a hang guard, not a timing window.</summary>
    private static async Task WaitUntil(Func<bool> condition)
    {
        using var guard = new CancellationTokenSource(Guard);
        while (!condition())
        {
            await Task.Delay(5, guard.Token);
        }
    }
}
