using ModelRegistry.Providers;
using ModelRegistry.Testing;
using ModelRegistry.Tests.Support;

namespace ModelRegistry.Tests;

/// <summary>
/// The kit's retry policy over real loopback HTTP on a fake clock: what is retried, after exactly which wait, and what
/// fails at once. Each wait is proven by waiting until the transport armed a timer of exactly that length, then
/// advancing the clock by exactly that much.
/// </summary>
public sealed class ProviderResilienceTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(15);

    private static ScriptedResponse Ok(string text = "ok") => ScriptedResponse.Json(TinyWire.Answer(text));

    [Test]
    public async Task Each_attempt_sends_a_fresh_request_authorised_anew_with_exponential_backoff_without_jitter()
    {
        await using var tiny = await TinyHarness.StartAsync(r => r.MaxDelay = TimeSpan.FromSeconds(3));
        tiny.Server.Enqueue(new ScriptedResponse { Status = 503 }, new ScriptedResponse { Status = 503 }, new ScriptedResponse { Status = 503 }, Ok("fourth time"));
        var authorised = 0;
        var request = TinyWire.Chat(tiny.Server.BaseAddress, "tiny-1", "hi", "sk-test-fresh-key");
        request = new ProviderRequest
        {
            Method = request.Method,
            Uri = request.Uri,
            Body = request.Body,
            Headers = request.Headers,
            Authorize = (message, _) =>
            {
                message.Headers.Add("x-attempt", Interlocked.Increment(ref authorised).ToString(System.Globalization.CultureInfo.InvariantCulture));
                return ValueTask.CompletedTask;
            },
        };

        var call = tiny.Transport.SendAsync(request, TinyWire.ReadAnswer);

        // 1 s, 2 s, then 4 s capped by MaxDelay to 3 s: Polly's exponential backoff with UseJitter = false, exactly.
        foreach (var wait in new[] { 1000, 2000, 3000 })
        {
            await tiny.Time.AdvanceWhenArmedAsync(TimeSpan.FromMilliseconds(wait), call);
        }

        var answer = await call.WaitAsync(Guard);
        Assert.Multiple(() =>
        {
            Assert.That(answer.Text, Is.EqualTo("fourth time"));
            Assert.That(tiny.Server.Requests.Select(r => r.Header("x-attempt")), Is.EqualTo(new[] { "1", "2", "3", "4" }), "Authorize runs on a fresh request per attempt");
            Assert.That(tiny.Server.Requests.Select(r => r.BodyText).Distinct().Count(), Is.EqualTo(1), "the same body every time");
            Assert.That(tiny.Server.Requests.Select(r => r.Header("x-tiny-key")), Has.All.EqualTo("sk-test-fresh-key"));
        });
    }

    [TestCase(408)]
    [TestCase(429)]
    [TestCase(500)]
    [TestCase(502)]
    [TestCase(503)]
    [TestCase(504)]
    public async Task Transient_statuses_are_retried_after_the_backoff(int status)
    {
        await using var tiny = await TinyHarness.StartAsync();
        tiny.Server.Enqueue(ScriptedResponse.Json("""{"message":"try later"}""", status), Ok());

        var call = tiny.ChatAsync();
        await tiny.Time.WaitUntilArmedAsync(TimeSpan.FromSeconds(1));
        Assert.That(tiny.Server.Requests, Has.Count.EqualTo(1));
        await tiny.Time.AdvanceWhenArmedAsync(TimeSpan.FromSeconds(1), call);

        Assert.That((await call.WaitAsync(Guard)).Text, Is.EqualTo("ok"));
        Assert.That(tiny.Server.Requests, Has.Count.EqualTo(2));
    }

    [TestCase(400)]
    [TestCase(401)]
    [TestCase(403)]
    [TestCase(404)]
    [TestCase(422)]
    public async Task Client_errors_fail_at_once_without_waiting(int status)
    {
        await using var tiny = await TinyHarness.StartAsync();
        tiny.Server.Enqueue(ScriptedResponse.Json("""{"message":"bad request","type":"invalid_request"}""", status), Ok());

        // The clock never moves: a call that waited for a retry would not end.
        var ex = Assert.ThrowsAsync<ModelProviderException>(() => tiny.ChatAsync().WaitAsync(Guard));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.StatusCode, Is.EqualTo(status));
            Assert.That(ex.IsRetryable, Is.False);
            Assert.That(ex.ErrorCode, Is.EqualTo("invalid_request"));
            Assert.That(ex.Provider, Is.EqualTo("tiny"));
            Assert.That(ex.Message, Does.StartWith($"Tiny answered HTTP {status} (").And.EndWith("[invalid_request]: bad request"));
            Assert.That(tiny.Server.Requests, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task A_provider_error_parser_decides_what_is_retried()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(
            ScriptedResponse.Json("""{"quota":"month"}""", 429),
            ScriptedResponse.Json("""{"busy":true}""", 400),
            Ok());
        var time = new FakeClock();
        var protocol = new ProviderTransportOptions
        {
            ProviderName = "tiny",
            DisplayName = "Tiny",
            ParseError = r => r.StatusCode == 429
                ? new ProviderError("quota_exhausted", "monthly quota used up") { IsRetryable = false, IsThrottling = true }
                : new ProviderError("busy", "try again") { IsRetryable = true },
        };
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var transport = ProviderTransport.ForClient(protocol, new TinyOptions { HttpClient = http, TimeProvider = time, Resilience = new() { UseJitter = false } });

        var quota = Assert.ThrowsAsync<ModelProviderException>(() => transport.SendAsync(TinyWire.Chat(server.BaseAddress, "m", "hi"), TinyWire.ReadAnswer).WaitAsync(Guard));
        Assert.Multiple(() =>
        {
            Assert.That(quota!.ErrorCode, Is.EqualTo("quota_exhausted"));
            Assert.That(quota.IsRetryable, Is.False);
            Assert.That(quota.IsThrottling, Is.True);
            Assert.That(server.Requests, Has.Count.EqualTo(1));
        });

        var call = transport.SendAsync(TinyWire.Chat(server.BaseAddress, "m", "hi"), TinyWire.ReadAnswer);
        await time.AdvanceWhenArmedAsync(TimeSpan.FromSeconds(1), call);
        Assert.That((await call.WaitAsync(Guard)).Text, Is.EqualTo("ok"), "a 400 the provider calls retryable is retried");
    }

    [Test]
    public async Task A_reset_before_the_headers_is_retried()
    {
        await using var tiny = await TinyHarness.StartAsync();
        tiny.Server.Enqueue(new ScriptedResponse { ResetConnection = true }, Ok());

        var call = tiny.ChatAsync();
        await tiny.Time.AdvanceWhenArmedAsync(TimeSpan.FromSeconds(1), call);

        Assert.That((await call.WaitAsync(Guard)).Text, Is.EqualTo("ok"));
        Assert.That(tiny.Server.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task A_reset_mid_body_is_retried_as_the_body_is_read_inside_the_attempt()
    {
        await using var tiny = await TinyHarness.StartAsync();
        var body = TinyWire.Answer("first");
        tiny.Server.Enqueue(new ScriptedResponse { Body = System.Text.Encoding.UTF8.GetBytes(body), TruncateAfter = body.Length / 2 }, Ok("second"));

        var call = tiny.ChatAsync();
        await tiny.Time.WaitUntilArmedAsync(TimeSpan.FromSeconds(1));
        await tiny.HeadersArrived(1); // the reset came after the headers, in the body
        await tiny.Time.AdvanceWhenArmedAsync(TimeSpan.FromSeconds(1), call);

        Assert.That((await call.WaitAsync(Guard)).Text, Is.EqualTo("second"));
        Assert.That(tiny.Server.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task A_reset_mid_body_on_every_attempt_is_connection_failed()
    {
        await using var tiny = await TinyHarness.StartAsync(r => r.MaxRetries = 0);
        var body = TinyWire.Answer("first");
        tiny.Server.Enqueue(new ScriptedResponse { Body = System.Text.Encoding.UTF8.GetBytes(body), TruncateAfter = 5 });

        var ex = Assert.ThrowsAsync<ModelProviderException>(() => tiny.ChatAsync().WaitAsync(Guard));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.ErrorCode, Is.EqualTo(ProviderErrorCodes.ConnectionFailed));
            Assert.That(ex.IsRetryable, Is.True);
            Assert.That(ex.StatusCode, Is.Null);
            Assert.That(ex.Message, Does.StartWith("Tiny could not be reached, or the connection broke: "));
        });
    }

    [Test]
    public async Task A_body_that_stalls_after_the_headers_is_cut_by_the_attempt_timeout_and_retried()
    {
        await using var tiny = await TinyHarness.StartAsync(r => r.AttemptTimeout = TimeSpan.FromSeconds(5));
        tiny.Server.Enqueue(
            new ScriptedResponse { Chunks = [("{\"text\":"u8.ToArray(), TimeSpan.Zero), ("\"late\"}"u8.ToArray(), TimeSpan.FromHours(1))] },
            Ok("second"));

        var call = tiny.ChatAsync();
        await tiny.HeadersArrived(1);

        // The headers are in and the body is being read: only an attempt timeout that covers the body ends this attempt.
        await tiny.Time.AdvanceWhenArmedAsync(TimeSpan.FromSeconds(5), call);
        await tiny.Time.AdvanceWhenArmedAsync(TimeSpan.FromSeconds(1), call);

        Assert.That((await call.WaitAsync(Guard)).Text, Is.EqualTo("second"));
        Assert.That(tiny.Server.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task A_body_that_stalls_on_every_attempt_fails_with_timeout_naming_the_setting()
    {
        await using var tiny = await TinyHarness.StartAsync(r => (r.AttemptTimeout, r.MaxRetries) = (TimeSpan.FromSeconds(5), 0));
        tiny.Server.Enqueue(new ScriptedResponse { Chunks = [("{\"text\":"u8.ToArray(), TimeSpan.Zero), ("\"late\"}"u8.ToArray(), TimeSpan.FromHours(1))] });

        var call = tiny.ChatAsync();
        await tiny.HeadersArrived(1);
        await tiny.Time.AdvanceWhenArmedAsync(TimeSpan.FromSeconds(5), call);

        var ex = Assert.ThrowsAsync<ModelProviderException>(() => call.WaitAsync(Guard));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.ErrorCode, Is.EqualTo(ProviderErrorCodes.Timeout));
            Assert.That(ex.IsRetryable, Is.True);
            Assert.That(ex.Message, Is.EqualTo("Tiny did not answer within the attempt timeout of 5000 ms (resilience:attempt_timeout_ms), after 1 attempt(s)."));
        });
    }

    [TestCase("retry-after-ms", "1500", 1500)]
    [TestCase("Retry-After", "3", 3000)]
    [TestCase("Retry-After", "45", 45000)]
    [TestCase("Retry-After", "Wed, 25 Nov 2026 12:00:42 GMT", 42000)]
    public async Task Retry_After_is_waited_out_exactly_whatever_the_backoff_says(string header, string value, double expectedMs)
    {
        // Jitter on and a 30 s MaxDelay: only an honoured Retry-After arms exactly this timer (45 s passes MaxDelay, as
        // Polly applies no MaxDelay to a DelayGenerator's wait).
        await using var tiny = await TinyHarness.StartAsync(r => r.UseJitter = true);
        tiny.Server.Enqueue(ScriptedResponse.Json("""{"message":"slow down"}""", 429, (header, value)), Ok("after the wait"));
        var expected = TimeSpan.FromMilliseconds(expectedMs);

        var call = tiny.ChatAsync();
        await tiny.Time.WaitUntilArmedAsync(expected);
        Assert.That(tiny.Server.Requests, Has.Count.EqualTo(1));
        await tiny.Time.AdvanceWhenArmedAsync(expected, call);

        Assert.That((await call.WaitAsync(Guard)).Text, Is.EqualTo("after the wait"));
        Assert.That(tiny.Server.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Retry_after_ms_wins_over_Retry_After()
    {
        await using var tiny = await TinyHarness.StartAsync();
        tiny.Server.Enqueue(ScriptedResponse.Json("{}", 503, ("retry-after-ms", "700"), ("Retry-After", "9")), Ok());

        var call = tiny.ChatAsync();
        await tiny.Time.AdvanceWhenArmedAsync(TimeSpan.FromMilliseconds(700), call);
        Assert.That((await call.WaitAsync(Guard)).Text, Is.EqualTo("ok"));
    }

    [TestCase("retry-after-ms", "Infinity")]
    [TestCase("retry-after-ms", "-Infinity")]
    [TestCase("retry-after-ms", "NaN")]
    [TestCase("retry-after-ms", "-5")]
    [TestCase("retry-after-ms", "soon")]
    [TestCase("Retry-After", "soon")]
    [TestCase("Retry-After", "-3")]
    [TestCase("Retry-After", "1.5")]
    [TestCase("Retry-After", "Thu, 99 Foo 2026 25:61:61 GMT")]
    public async Task An_unusable_retry_after_is_ignored_and_the_backoff_applies(string header, string value)
    {
        await using var tiny = await TinyHarness.StartAsync();
        tiny.Server.Enqueue(ScriptedResponse.Json("{}", 429, (header, value)), Ok());

        var call = tiny.ChatAsync();
        await tiny.Time.AdvanceWhenArmedAsync(TimeSpan.FromSeconds(1), call);

        Assert.That((await call.WaitAsync(Guard)).Text, Is.EqualTo("ok"));
    }

    [TestCase("retry-after-ms", "1e16", 86_400_000)]
    [TestCase("retry-after-ms", "1e308", 86_400_000)]
    [TestCase("retry-after-ms", "600000", 600_000)]
    [TestCase("Retry-After", "600", 600_000)]
    [TestCase("Retry-After", "99999999999", 86_400_000)]
    [TestCase("Retry-After", "999999999999999999999999999999", 86_400_000)]
    [TestCase("Retry-After", "Fri, 25 Dec 2026 12:00:00 GMT", 86_400_000)]
    public async Task A_retry_after_beyond_max_retry_after_fails_at_once_with_the_wait_and_says_so(string header, string value, double expectedMs)
    {
        await using var tiny = await TinyHarness.StartAsync();
        tiny.Server.Enqueue(ScriptedResponse.Json("""{"message":"slow down"}""", 429, (header, value)), Ok());

        var ex = Assert.ThrowsAsync<ModelProviderException>(() => tiny.ChatAsync().WaitAsync(Guard));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.RetryAfter, Is.EqualTo(TimeSpan.FromMilliseconds(expectedMs)), "clamped to a day at most");
            Assert.That(ex.IsRetryable, Is.True, "a fallback or a later call may succeed");
            Assert.That(ex.IsThrottling, Is.True);
            Assert.That(ex.StatusCode, Is.EqualTo(429));
            Assert.That(ex.Message, Does.EndWith(
                $"It asked to wait {expectedMs} ms, longer than resilience:max_retry_after_ms (60000 ms), so the call was not retried."));
            Assert.That(tiny.Server.Requests, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task The_callers_cancellation_during_a_retry_wait_is_an_OperationCanceledException()
    {
        await using var tiny = await TinyHarness.StartAsync();
        tiny.Server.Enqueue(ScriptedResponse.Json("{}", 503, ("Retry-After", "10")), Ok());
        using var cancel = new CancellationTokenSource();

        var call = tiny.ChatAsync(cancel.Token);
        await tiny.Time.WaitUntilArmedAsync(TimeSpan.FromSeconds(10));
        await cancel.CancelAsync();

        Assert.CatchAsync<OperationCanceledException>(() => call.WaitAsync(Guard));
        Assert.That(tiny.Server.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task The_callers_cancellation_during_a_stalled_body_is_an_OperationCanceledException_not_a_timeout()
    {
        await using var tiny = await TinyHarness.StartAsync();
        tiny.Server.Enqueue(new ScriptedResponse { Chunks = [("{\"te"u8.ToArray(), TimeSpan.Zero), ("xt\":\"x\"}"u8.ToArray(), TimeSpan.FromHours(1))] });
        using var cancel = new CancellationTokenSource();

        var call = tiny.ChatAsync(cancel.Token);
        await tiny.HeadersArrived(1);
        await cancel.CancelAsync();

        var ex = Assert.CatchAsync<OperationCanceledException>(() => call.WaitAsync(Guard));
        Assert.That(ex, Is.Not.InstanceOf<ModelProviderException>());
    }

    [Test]
    public void Entry_settings_override_the_defaults_and_unset_keys_keep_them()
    {
        var entry = new ModelEntry("m", "fake", "model", new Dictionary<string, string>
        {
            ["resilience:max_retries"] = "1",
            ["resilience:base_delay_ms"] = "200",
            ["resilience:attempt_timeout_ms"] = "5000",
            ["resilience:stream_idle_timeout_ms"] = "2500",
            ["resilience:max_response_bytes"] = "2048",
            ["resilience:max_event_bytes"] = "4096",
            ["resilience:max_retry_after_ms"] = "0",
        });
        var defaults = new ProviderResilienceOptions { UseJitter = false, MaxDelay = TimeSpan.FromSeconds(7) };

        var options = defaults.ForEntry(entry);

        Assert.Multiple(() =>
        {
            Assert.That(options.MaxRetries, Is.EqualTo(1));
            Assert.That(options.BaseDelay, Is.EqualTo(TimeSpan.FromMilliseconds(200)));
            Assert.That(options.AttemptTimeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(options.StreamIdleTimeout, Is.EqualTo(TimeSpan.FromMilliseconds(2500)));
            Assert.That(options.MaxResponseBytes, Is.EqualTo(2048));
            Assert.That(options.MaxEventBytes, Is.EqualTo(4096));
            Assert.That(options.MaxRetryAfter, Is.EqualTo(TimeSpan.Zero));
            Assert.That(options.MaxDelay, Is.EqualTo(TimeSpan.FromSeconds(7)), "unset keys keep the registry's default");
            Assert.That(options.UseJitter, Is.False);
            Assert.That(new ProviderResilienceOptions().ForEntry(new ModelEntry("n", "fake", "model")).MaxRetries, Is.EqualTo(3));
        });
    }

    [Test]
    public void A_bad_entry_setting_read_at_run_time_names_the_entry_the_key_and_the_range()
    {
        var entry = new ModelEntry("haiku", "bedrock", "model", new Dictionary<string, string> { ["resilience:max_retries"] = "lots" });

        var ex = Assert.Throws<ModelRegistryException>(() => new ProviderResilienceOptions().ForEntry(entry));
        Assert.That(ex!.Message, Is.EqualTo("Model registry entry 'haiku': setting 'resilience:max_retries' must be a whole number from 0 to 20, but is 'lots'."));
    }

    [TestCase(nameof(ProviderResilienceOptions.MaxRetries), "ProviderResilienceOptions.MaxRetries must be 0 to 20, but is 21.")]
    [TestCase(nameof(ProviderResilienceOptions.AttemptTimeout), "ProviderResilienceOptions.AttemptTimeout must be 10 ms to 1 day, or null, but is 00:00:00.0050000.")]
    [TestCase(nameof(ProviderResilienceOptions.StreamIdleTimeout), "ProviderResilienceOptions.StreamIdleTimeout must be 10 ms to 1 day, or null, but is 1.00:00:00.0010000.")]
    [TestCase(nameof(ProviderResilienceOptions.MaxResponseBytes), "ProviderResilienceOptions.MaxResponseBytes must be 1024 to 1073741824, but is 1023.")]
    [TestCase(nameof(ProviderResilienceOptions.MaxEventBytes), "ProviderResilienceOptions.MaxEventBytes must be 1024 to 1073741824, but is 1073741825.")]
    [TestCase(nameof(ProviderResilienceOptions.BaseDelay), "ProviderResilienceOptions.BaseDelay must be 0 to 1 day, but is -00:00:00.0010000.")]
    public void Direct_use_options_out_of_range_fail_when_the_transport_is_created(string property, string expected)
    {
        var options = new ProviderResilienceOptions();
        switch (property)
        {
            case nameof(options.MaxRetries): options.MaxRetries = 21; break;
            case nameof(options.AttemptTimeout): options.AttemptTimeout = TimeSpan.FromMilliseconds(5); break;
            case nameof(options.StreamIdleTimeout): options.StreamIdleTimeout = TimeSpan.FromDays(1) + TimeSpan.FromMilliseconds(1); break;
            case nameof(options.MaxResponseBytes): options.MaxResponseBytes = 1023; break;
            case nameof(options.MaxEventBytes): options.MaxEventBytes = (1L << 30) + 1; break;
            case nameof(options.BaseDelay): options.BaseDelay = TimeSpan.FromMilliseconds(-1); break;
        }

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ProviderTransport.ForClient(TinyWire.Protocol, new TinyOptions { Resilience = options }));
        Assert.That(ex!.Message, Does.StartWith(expected));
    }
}
