using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelRegistry.Providers;
using ModelRegistry.Testing;
using Polly.CircuitBreaker;

namespace ModelRegistry.Tests;

/// <summary>Fallback, breakers and limits through the registry, against scripted faults from loopback servers speaking testwire.</summary>
public sealed class ResilienceAcrossModelsTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(15);

    private static ScriptedResponse Answer(string text) => TestWireAnswers.Text(text);

    private static ScriptedResponse Failure(int status, params (string Name, string Value)[] headers) => TestWireAnswers.Error(status, $"failed with {status}", headers);

    private static ServiceProvider Registry(string json, FakeClock time, Action<ModelRegistryOptions>? options = null)
    {
        var services = new ServiceCollection().AddSingleton<TimeProvider>(time);
        services.AddModelRegistry(o =>
        {
            o.Resilience.MaxRetries = 0;
            o.Resilience.UseJitter = false;
            options?.Invoke(o);
        }).FromJson(json).AddTestWire();
        return services.BuildServiceProvider();
    }

    private static string Entry(string name, ReplayServer server, string extra = "", string fallbacks = "") =>
        $$"""
        "{{name}}":{"provider":"testwire","model_id":"{{name}}-1","endpoint":"{{server.BaseAddress}}"{{(fallbacks.Length > 0 ? $",\"fallbacks\":[{fallbacks}]" : "")}}{{extra}}}
        """;

    /// <summary>Waits until the call armed a timer of exactly <paramref name="wait"/>, advances the clock by exactly that (checking the call waits the whole time), and awaits the call.</summary>
    private static async Task<T> AfterWait<T>(FakeClock time, TimeSpan wait, Task<T> call)
    {
        await time.AdvanceWhenArmedAsync(wait, call);
        return await call.WaitAsync(Guard);
    }

    [Test]
    public async Task A_429_with_Retry_After_is_retried_on_the_same_entry_after_exactly_that_wait_then_answers()
    {
        await using var primary = await ReplayServer.StartAsync();
        primary.Enqueue(Failure(429, ("Retry-After", "2")), Answer("primary"));
        var time = new FakeClock();
        await using var services = Registry($"{{{Entry("a", primary)}}}", time, o => o.Resilience.MaxRetries = 2);

        var response = await AfterWait(time, TimeSpan.FromSeconds(2), services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("hi"));

        Assert.That(response.Text, Is.EqualTo("primary"));
        Assert.That(primary.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task An_entrys_resilience_settings_apply_to_its_calls()
    {
        await using var primary = await ReplayServer.StartAsync();
        primary.Enqueue(Failure(503), Failure(503), Answer("third"));
        var time = new FakeClock();
        await using var services = Registry($"{{{Entry("a", primary, extra: ",\"resilience\":{\"max_retries\":2,\"base_delay_ms\":250}")}}}", time);
        var call = services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("hi");

        await time.AdvanceWhenArmedAsync(TimeSpan.FromMilliseconds(250), call);
        await time.AdvanceWhenArmedAsync(TimeSpan.FromMilliseconds(500), call);

        Assert.That((await call.WaitAsync(Guard)).Text, Is.EqualTo("third"));
        Assert.That(primary.Requests, Has.Count.EqualTo(3), "the registry default of no retries is overridden by the entry");
    }

    [Test]
    public async Task A_primary_that_is_down_falls_back_and_the_answer_names_the_entry_that_served_it()
    {
        await using var primary = await ReplayServer.StartAsync();
        await using var backup = await ReplayServer.StartAsync();
        primary.Enqueue(Failure(503));
        backup.Enqueue(Answer("backup"));
        var time = new FakeClock();
        await using var services = Registry($"{{{Entry("a", primary, fallbacks: "\"b\"")},{Entry("b", backup)}}}", time);

        var response = await services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("hi", new ChatOptions { ModelId = "a-override" });

        Assert.Multiple(() =>
        {
            Assert.That(response.Text, Is.EqualTo("backup"));
            Assert.That(response.AdditionalProperties![RegistryProperties.ServedBy], Is.EqualTo("b"));
            Assert.That(primary.Requests, Has.Count.EqualTo(1));
            Assert.That(backup.Requests.Single().PathAndQuery, Is.EqualTo("/v1/models/b-1/chat"), "the fallback uses its own model id");
        });
    }

    [Test]
    public async Task A_stream_falls_back_before_its_first_update()
    {
        await using var primary = await ReplayServer.StartAsync();
        await using var backup = await ReplayServer.StartAsync();
        primary.Enqueue(new ScriptedResponse { ResetConnection = true });
        backup.Enqueue(TestWireAnswers.Stream("from ", "backup").Complete());
        var time = new FakeClock();
        await using var services = Registry($"{{{Entry("a", primary, fallbacks: "\"b\"")},{Entry("b", backup)}}}", time);

        var updates = await services.GetRequiredKeyedService<IChatClient>("a").GetStreamingResponseAsync("hi").ToListAsync();

        Assert.That(string.Concat(updates.Select(u => u.Text)), Is.EqualTo("from backup"));
        Assert.That(updates[0].AdditionalProperties![RegistryProperties.ServedBy], Is.EqualTo("b"));
    }

    [Test]
    public async Task A_stream_that_fails_after_its_first_update_is_neither_retried_nor_falls_back()
    {
        await using var primary = await ReplayServer.StartAsync();
        await using var backup = await ReplayServer.StartAsync();
        primary.Enqueue(TestWireAnswers.Stream("partial", "more").ResetEarly());
        backup.Enqueue(TestWireAnswers.Stream("backup").Complete());
        var time = new FakeClock();
        await using var services = Registry($"{{{Entry("a", primary, fallbacks: "\"b\"")},{Entry("b", backup)}}}", time, o => o.Resilience.MaxRetries = 3);

        var received = new List<string>();
        var ex = Assert.ThrowsAsync<ModelProviderException>(async () =>
        {
            await foreach (var update in services.GetRequiredKeyedService<IChatClient>("a").GetStreamingResponseAsync("hi"))
            {
                received.Add(update.Text);
            }
        });

        Assert.Multiple(() =>
        {
            Assert.That(ex!.ErrorCode, Is.EqualTo(ProviderErrorCodes.ConnectionFailed));
            Assert.That(ex.ModelName, Is.EqualTo("a"));
            Assert.That(received, Is.EqualTo(new[] { "partial" }));
            Assert.That(primary.Requests, Has.Count.EqualTo(1), "not retried");
            Assert.That(backup.Requests, Is.Empty, "no fallback after the caller saw an update");
        });
    }

    [Test]
    public async Task Validation_errors_do_not_fall_back()
    {
        await using var primary = await ReplayServer.StartAsync();
        await using var backup = await ReplayServer.StartAsync();
        primary.Enqueue(Failure(400));
        var time = new FakeClock();
        await using var services = Registry($"{{{Entry("a", primary, fallbacks: "\"b\"")},{Entry("b", backup)}}}", time);

        var ex = Assert.ThrowsAsync<ModelProviderException>(() => services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("hi"));
        Assert.That(ex!.StatusCode, Is.EqualTo(400));
        Assert.That(backup.Requests, Is.Empty);
    }

    [Test]
    public async Task The_breaker_opens_after_repeated_failures_half_opens_after_the_break_and_closes_on_success()
    {
        await using var primary = await ReplayServer.StartAsync();
        primary.Enqueue(
            Failure(500), Failure(500), Failure(500),
            TestWireAnswers.Available("a-1"), // the health probe: the model is available
            Answer("recovered"));
        var time = new FakeClock();
        await using var services = Registry(
            $"{{{Entry("a", primary, extra: ",\"circuit_breaker\":{\"failure_ratio\":1,\"minimum_throughput\":3,\"break_duration_ms\":10000}")}}}", time);
        var client = services.GetRequiredKeyedService<IChatClient>("a");
        var health = new ModelRegistryHealthCheck(services.GetRequiredService<IModelRegistry>(), services, time);

        for (var i = 0; i < 3; i++)
        {
            Assert.That(Assert.CatchAsync<ModelProviderException>(() => client.GetResponseAsync("hi"))!.StatusCode, Is.EqualTo(500));
        }

        var open = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("hi"));
        Assert.Multiple(() =>
        {
            Assert.That(open!.ErrorCode, Is.EqualTo(ProviderErrorCodes.CircuitOpen));
            Assert.That(open.IsRetryable, Is.True);
            Assert.That(open.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(10)));
            Assert.That(primary.Requests, Has.Count.EqualTo(3), "an open breaker does not call the model");
        });

        var report = await health.CheckHealthAsync(new HealthCheckContext());
        Assert.Multiple(() =>
        {
            Assert.That(report.Status, Is.EqualTo(HealthStatus.Degraded));
            Assert.That(report.Description, Is.EqualTo("1 models; circuit breaker open: a."));
            Assert.That(report.Data["a"], Is.EqualTo("Healthy; circuit breaker Open; testwire model 'a-1' is available."));
        });

        time.Advance(TimeSpan.FromSeconds(10));
        Assert.That((await client.GetResponseAsync("hi")).Text, Is.EqualTo("recovered"), "half-open lets one call test the model");
        var after = await health.CheckHealthAsync(new HealthCheckContext());
        Assert.Multiple(() =>
        {
            Assert.That(after.Status, Is.EqualTo(HealthStatus.Healthy));
            Assert.That(after.Data["a"], Is.EqualTo($"Healthy; circuit breaker {nameof(CircuitState.Closed)}; testwire model 'a-1' is available."));
            Assert.That(primary.Requests.Count(r => r.Method == "GET"), Is.EqualTo(1), "the probe's result is reused within a minute");
        });
    }

    [Test]
    public async Task An_open_breaker_moves_calls_to_the_fallback()
    {
        await using var primary = await ReplayServer.StartAsync();
        await using var backup = await ReplayServer.StartAsync();
        primary.Enqueue(Failure(500), Failure(500));
        backup.Enqueue(Answer("b1"), Answer("b2"), Answer("b3"));
        var time = new FakeClock();
        await using var services = Registry(
            $"{{{Entry("a", primary, extra: ",\"circuit_breaker\":{\"failure_ratio\":1,\"minimum_throughput\":2}", fallbacks: "\"b\"")},{Entry("b", backup)}}}", time);
        var client = services.GetRequiredKeyedService<IChatClient>("a");

        var answers = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add((await client.GetResponseAsync("hi")).Text);
        }

        Assert.That(answers, Is.EqualTo(new[] { "b1", "b2", "b3" }));
        Assert.That(primary.Requests, Has.Count.EqualTo(2), "once open, the primary is skipped");
    }

    [Test]
    public async Task Requests_per_minute_reject_with_a_retry_after_and_refill_with_time()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Answer("1"), Answer("2"), Answer("3"));
        var time = new FakeClock();
        await using var services = Registry($"{{{Entry("a", server, extra: ",\"limits\":{\"requests_per_minute\":2}")}}}", time);
        var client = services.GetRequiredKeyedService<IChatClient>("a");

        await client.GetResponseAsync("hi");
        await client.GetResponseAsync("hi");
        var ex = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("hi"));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.ErrorCode, Is.EqualTo("ClientRateLimit"));
            Assert.That(ex.IsRetryable, Is.True);
            Assert.That(ex.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(30)), "one request refills in 60 s / 2");
            Assert.That(ex.Message, Does.Contain("limits:requests_per_minute = 2"));
            Assert.That(server.Requests, Has.Count.EqualTo(2));
        });

        time.Advance(TimeSpan.FromSeconds(30));
        Assert.That((await client.GetResponseAsync("hi")).Text, Is.EqualTo("3"));
    }

    [Test]
    public async Task Tokens_per_minute_settle_the_estimate_against_reported_usage()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(TestWireAnswers.Text("big", inputTokens: 900, outputTokens: 100), Answer("never"));
        var time = new FakeClock();
        await using var services = Registry($"{{{Entry("a", server, extra: ",\"limits\":{\"tokens_per_minute\":1000}")}}}", time);
        var client = services.GetRequiredKeyedService<IChatClient>("a");

        await client.GetResponseAsync("hi");
        var ex = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("hi"));

        Assert.That(ex!.Message, Does.Contain("limits:tokens_per_minute = 1000"));
        Assert.That(ex.RetryAfter, Is.GreaterThan(TimeSpan.Zero));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That((await client.GetResponseAsync("hi")).Text, Is.EqualTo("never"), "a second refills ~16 tokens, enough for a short prompt");
    }

    [Test]
    public async Task Max_concurrency_rejects_calls_beyond_the_limit_with_a_retry_after()
    {
        await using var server = await ReplayServer.StartAsync();
        // The first answer stalls until the test has seen the second call refused: no real-time window decides it.
        var slow = Answer("slow").Body;
        server.Enqueue(
            new ScriptedResponse { Chunks = [(slow[..(slow.Length / 2)], TimeSpan.Zero), (slow[(slow.Length / 2)..], TimeSpan.FromHours(1))] },
            Answer("after"));
        var time = new FakeClock();
        await using var services = Registry($"{{{Entry("a", server, extra: ",\"limits\":{\"max_concurrency\":1}")}}}", time);
        var client = services.GetRequiredKeyedService<IChatClient>("a");
        using var cancelFirst = new CancellationTokenSource();

        var first = client.GetResponseAsync("one", cancellationToken: cancelFirst.Token);
        using (var guard = new CancellationTokenSource(Guard))
        {
            while (server.Requests.Count == 0)
            {
                await Task.Delay(5, guard.Token); // a hang guard polling for an event, not a timing window
            }
        }

        var ex = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("two"));
        Assert.That(ex!.ErrorCode, Is.EqualTo(ProviderErrorCodes.ClientConcurrencyLimit));
        Assert.That(ex.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(1)));
        Assert.That(server.Requests, Has.Count.EqualTo(1), "the refused call was not sent");

        await cancelFirst.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(() => first.WaitAsync(Guard));
        Assert.That((await client.GetResponseAsync("three").WaitAsync(Guard)).Text, Is.EqualTo("after"), "the slot is free again");
    }

    [Test]
    public async Task A_limit_rejection_falls_back_to_the_next_entry()
    {
        await using var primary = await ReplayServer.StartAsync();
        await using var backup = await ReplayServer.StartAsync();
        primary.Enqueue(Answer("p"));
        backup.Enqueue(Answer("b"));
        var time = new FakeClock();
        await using var services = Registry(
            $"{{{Entry("a", primary, extra: ",\"limits\":{\"requests_per_minute\":1}", fallbacks: "\"b\"")},{Entry("b", backup)}}}", time);
        var client = services.GetRequiredKeyedService<IChatClient>("a");

        Assert.That((await client.GetResponseAsync("hi")).Text, Is.EqualTo("p"));
        Assert.That((await client.GetResponseAsync("hi")).Text, Is.EqualTo("b"));
    }

    [TestCase("\"limits\":{\"requests_per_minute\":0}", "setting 'limits:requests_per_minute' must be a whole number from 1 to 10000000, but is '0'")]
    [TestCase("\"circuit_breaker\":{\"failure_ratio\":2}", "setting 'circuit_breaker:failure_ratio' must be a number above 0 and at most 1, such as 0.5, but is '2'")]
    [TestCase("\"circuit_breaker\":{\"enabled\":\"sometimes\"}", "setting 'circuit_breaker:enabled' must be true or false")]
    public async Task Invalid_limit_and_breaker_settings_fail_the_load_naming_entry_and_field(string extra, string expected)
    {
        var time = new FakeClock();
        await using var services = Registry($$$"""{"a":{"provider":"testwire","model_id":"m","endpoint":"http://127.0.0.1:9/",{{{extra}}}}}""", time);

        var ex = Assert.ThrowsAsync<ModelRegistryException>(() => services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("hi"));
        Assert.That(ex!.Message, Does.StartWith("Model registry entry 'a' (inline JSON): ").And.Contain(expected).And.EndWith(". Fix the value in the registry."));
    }
}
