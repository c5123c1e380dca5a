using System.Net;
using Microsoft.Extensions.Time.Testing;
using ModelRegistry.Testing;
using Polly;

namespace ModelRegistry.Tests;

public sealed class ProviderResilienceTests
{
    private static readonly ModelEntry Entry = new("m", "fake", "model");

    private static async Task<(HttpResponseMessage Response, TimeSpan Waited)> RunAsync(
        ReplayServer server, ProviderResilienceOptions options, FakeTimeProvider time, Func<HttpResponseMessage, bool>? isRetryable = null)
    {
        var pipeline = ProviderResilience.CreatePipeline(options, time, isRetryable);
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        var start = time.GetUtcNow();
        var call = pipeline.ExecuteAsync(
            async ct => await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "call"), HttpCompletionOption.ResponseHeadersRead, ct),
            CancellationToken.None).AsTask();

        // Move the fake clock along until the call ends: backoff and Retry-After waits elapse only on it.
        while (!call.IsCompleted)
        {
            time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(5);
        }

        return (await call, time.GetUtcNow() - start);
    }

    [Test]
    public async Task A_429_with_Retry_After_is_retried_after_the_wait_the_provider_asked_for()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"message":"slow down"}""", 429, ("Retry-After", "3")), ScriptedResponse.Json("{}"));
        var time = new FakeTimeProvider();

        var (response, waited) = await RunAsync(server, new ProviderResilienceOptions { UseJitter = false, BaseDelay = TimeSpan.FromMilliseconds(10) }, time);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(server.Requests, Has.Count.EqualTo(2));
            Assert.That(waited, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(3)), "Retry-After wins over the 10 ms backoff");
        });
    }

    [Test]
    public async Task Transient_statuses_and_connection_resets_are_retried_with_exponential_backoff_up_to_the_limit()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(
            new ScriptedResponse { ResetConnection = true },
            ScriptedResponse.Json("{}", 503),
            ScriptedResponse.Json("{}", 502),
            ScriptedResponse.Json("{}", 500));
        var time = new FakeTimeProvider();

        var (response, waited) = await RunAsync(server, new ProviderResilienceOptions { MaxRetries = 3, UseJitter = false, BaseDelay = TimeSpan.FromSeconds(1) }, time);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError), "the last answer surfaces once retries run out");
            Assert.That(server.Requests, Has.Count.EqualTo(4));
            Assert.That(waited, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1 + 2 + 4)));
        });
    }

    [TestCase(400)]
    [TestCase(401)]
    [TestCase(422)]
    public async Task Client_errors_are_not_retried(int status)
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("{}", status), ScriptedResponse.Json("{}"));

        var (response, _) = await RunAsync(server, new ProviderResilienceOptions(), new FakeTimeProvider());

        Assert.That((int)response.StatusCode, Is.EqualTo(status));
        Assert.That(server.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_Retry_After_longer_than_the_limit_is_not_waited_out()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("{}", 429, ("Retry-After", "600")), ScriptedResponse.Json("{}"));

        var (response, _) = await RunAsync(server, new ProviderResilienceOptions { MaxRetryAfter = TimeSpan.FromSeconds(60) }, new FakeTimeProvider());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(server.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_provider_predicate_can_refuse_to_retry_a_transient_status()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("{}", 429, ("x-ratelimit-remaining-tokens-month", "0")), ScriptedResponse.Json("{}"));

        var (response, _) = await RunAsync(server, new ProviderResilienceOptions(), new FakeTimeProvider(),
            r => ProviderResilience.IsTransient(r) && !r.Headers.Contains("x-ratelimit-remaining-tokens-month"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(server.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task An_attempt_that_gets_no_headers_in_time_is_abandoned_and_retried()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(new ScriptedResponse { DelayBeforeHeaders = TimeSpan.FromSeconds(30) }, ScriptedResponse.Json("{}"));

        var (response, _) = await RunAsync(server, new ProviderResilienceOptions { AttemptTimeout = TimeSpan.FromSeconds(2), UseJitter = false }, new FakeTimeProvider());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(server.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public void Retry_After_reads_milliseconds_seconds_and_dates()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        using var ms = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        ms.Headers.Add("retry-after-ms", "1500");
        ms.Headers.Add("Retry-After", "9");
        using var seconds = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        seconds.Headers.Add("Retry-After", "9");
        using var date = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        date.Headers.Add("Retry-After", "Wed, 25 Nov 2026 12:00:42 GMT");
        using var none = new HttpResponseMessage(HttpStatusCode.TooManyRequests);

        Assert.Multiple(() =>
        {
            Assert.That(ProviderResilience.GetRetryAfter(ms, time), Is.EqualTo(TimeSpan.FromMilliseconds(1500)));
            Assert.That(ProviderResilience.GetRetryAfter(seconds, time), Is.EqualTo(TimeSpan.FromSeconds(9)));
            Assert.That(ProviderResilience.GetRetryAfter(date, time), Is.EqualTo(TimeSpan.FromSeconds(42)));
            Assert.That(ProviderResilience.GetRetryAfter(none, time), Is.Null);
        });
    }

    [Test]
    public void Entry_settings_override_the_defaults()
    {
        var entry = new ModelEntry("m", "fake", "model", new Dictionary<string, string>
        {
            ["resilience:max_retries"] = "1",
            ["resilience:base_delay_ms"] = "200",
            ["resilience:attempt_timeout_ms"] = "5000",
        });

        var options = new ProviderResilienceOptions().ForEntry(entry);

        Assert.Multiple(() =>
        {
            Assert.That(options.MaxRetries, Is.EqualTo(1));
            Assert.That(options.BaseDelay, Is.EqualTo(TimeSpan.FromMilliseconds(200)));
            Assert.That(options.AttemptTimeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(options.MaxDelay, Is.EqualTo(TimeSpan.FromSeconds(30)), "unset keys keep the default");
            Assert.That(new ProviderResilienceOptions().ForEntry(Entry).MaxRetries, Is.EqualTo(3));
        });
    }

    [Test]
    public void A_bad_entry_setting_names_the_entry_and_the_key()
    {
        var entry = new ModelEntry("haiku", "bedrock", "model", new Dictionary<string, string> { ["resilience:max_retries"] = "lots" });

        var ex = Assert.Throws<ModelRegistryException>(() => new ProviderResilienceOptions().ForEntry(entry));
        Assert.That(ex!.Message, Is.EqualTo("Model registry entry 'haiku': setting 'resilience:max_retries' must be a whole number from 0 to 20, but is 'lots'. Fix the entry's value in the registry."));
    }
}
