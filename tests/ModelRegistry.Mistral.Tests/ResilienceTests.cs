using System.Text;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;
using ModelRegistry.Testing;
using static ModelRegistry.Mistral.Tests.MistralTestKit;

namespace ModelRegistry.Mistral.Tests;

/// <summary>
/// Retries go through the kit's policy on a fake clock: each test waits until the code has armed the exact timer it
/// expects, then advances the clock by exactly that much, so a wrong wait fails every run. Retry-After is honoured, a
/// spent quota and a started stream are not retried, and the attempt timeout covers a non-streaming body.
/// </summary>
public sealed class ResilienceTests
{
    /// <summary>Signals when the response headers of the first request have arrived (the body may still be on its way).</summary>
    private sealed class HeadersArrived() : DelegatingHandler(new SocketsHttpHandler())
    {
        public TaskCompletionSource First { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            First.TrySetResult();
            return response;
        }
    }

    private static (IChatClient Client, FakeClock Clock) Create(ReplayServer server, int retries = 3)
    {
        var clock = new FakeClock();
        return (ChatClient(server, options: Options(server, retries, clock)), clock);
    }

    [Test]
    public async Task A_429_is_retried_after_exactly_the_retry_after_it_asked_for()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(
            ScriptedResponse.Json("""{"object":"error","message":"Rate limit exceeded","type":"rate_limited","code":"1300"}""", 429, ("Retry-After", "2")),
            Completion(content: "\"second time lucky\""));
        var (client, clock) = Create(server);
        using var _ = client;

        var call = client.GetResponseAsync("hi");
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(2));
        Assert.Multiple(() =>
        {
            Assert.That(server.Requests, Has.Count.EqualTo(1));
            Assert.That(call.IsCompleted, Is.False, "waiting out Retry-After");
        });

        clock.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.That(call.IsCompleted, Is.False);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var response = await call.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Multiple(() =>
        {
            Assert.That(response.Text, Is.EqualTo("second time lucky"));
            Assert.That(server.Requests, Has.Count.EqualTo(2));
            Assert.That(server.Requests[1].BodyText, Is.EqualTo(server.Requests[0].BodyText), "the same request is sent again");
            Assert.That(server.Requests[1].Header("authorization"), Is.EqualTo("Bearer " + ApiKey));
        });
    }

    [Test]
    public async Task A_503_without_retry_after_backs_off_exponentially()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(
            new ScriptedResponse { Status = 503 },
            new ScriptedResponse { Status = 503 },
            Completion());
        var (client, clock) = Create(server);
        using var _ = client;

        var call = client.GetResponseAsync("hi");
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(1));
        clock.Advance(TimeSpan.FromSeconds(1));
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(2));
        clock.Advance(TimeSpan.FromSeconds(2));
        await call.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(server.Requests, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task A_quota_exhausted_429_fails_at_once()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"message":"Requests rate limit exceeded"}""", 429, ("x-ratelimit-remaining-tokens-month", "0"), ("Retry-After", "1")));
        var (client, _) = Create(server);
        using var __ = client;

        var error = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("hi"));
        Assert.Multiple(() =>
        {
            Assert.That(error!.IsRetryable, Is.False);
            Assert.That(server.Requests, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task A_retry_after_longer_than_the_policy_allows_fails_at_once_reporting_the_wait()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"message":"Requests rate limit exceeded"}""", 429, ("Retry-After", "600")));
        var (client, _) = Create(server);
        using var __ = client;

        var error = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("hi"));
        Assert.Multiple(() =>
        {
            Assert.That(error!.RetryAfter, Is.EqualTo(TimeSpan.FromMinutes(10)));
            Assert.That(error.IsRetryable, Is.True, "a fallback or a later call may succeed");
            Assert.That(server.Requests, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task A_stream_is_retried_before_its_headers_but_never_after()
    {
        await using var server = await ReplayServer.StartAsync();
        var first = "data: " + Chunk("""{"role":"assistant","content":"Hel"}""") + "\n\n";
        var body = Encoding.UTF8.GetBytes(first + "data: " + Chunk("""{"content":"lo"}""", finish: "stop") + "\n\ndata: [DONE]\n\n");
        server.Enqueue(
            new ScriptedResponse { Status = 502 },
            new ScriptedResponse { Headers = [new("Content-Type", "text/event-stream")], Body = body, TruncateAfter = first.Length + 5 },
            Completion());
        var (client, clock) = Create(server);
        using var _ = client;

        var received = new List<ChatResponseUpdate>();
        var call = Task.Run(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("hi"))
            {
                received.Add(update);
            }
        });
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(1));
        clock.Advance(TimeSpan.FromSeconds(1));

        var error = Assert.ThrowsAsync<ModelProviderException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Multiple(() =>
        {
            Assert.That(error!.ErrorCode, Is.EqualTo(ProviderErrorCodes.ConnectionFailed));
            Assert.That(received.ToChatResponse().Text, Is.EqualTo("Hel"), "what reached the caller stays delivered");
            Assert.That(server.Requests, Has.Count.EqualTo(2), "the 502 was retried; the broken stream was not");
            Assert.That(server.Pending, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task An_attempt_that_exceeds_its_timeout_is_retried()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(new ScriptedResponse { DelayBeforeHeaders = TimeSpan.FromHours(1) }, Completion(content: "\"late but fine\""));
        var clock = new FakeClock();
        var options = Options(server, 1, clock);
        options.Resilience!.AttemptTimeout = TimeSpan.FromSeconds(5);
        using var client = ChatClient(server, options: options);

        var call = client.GetResponseAsync("hi");
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(5));
        await WaitForRequestsAsync(server, 1); // the slow attempt must have reached the server before its timeout fires
        clock.Advance(TimeSpan.FromSeconds(5));
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(1));
        clock.Advance(TimeSpan.FromSeconds(1));
        var response = await call.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Multiple(() =>
        {
            Assert.That(response.Text, Is.EqualTo("late but fine"));
            Assert.That(server.Requests, Has.Count.EqualTo(2));
        });
    }

    [Test]
    public async Task A_body_that_stalls_after_the_headers_times_out_by_the_attempt_timeout_and_is_retried()
    {
        await using var server = await ReplayServer.StartAsync();
        var body = Completion().Body;
        server.Enqueue(
            new ScriptedResponse
            {
                Headers = [new("Content-Type", "application/json")],
                Chunks = [(body[..20], TimeSpan.Zero), (body[20..], TimeSpan.FromHours(1))],
            },
            Completion(content: "\"second attempt\""));
        var clock = new FakeClock();
        var headers = new HeadersArrived();
        var options = Options(server, 1, clock);
        options.HttpClient = new HttpClient(headers) { Timeout = Timeout.InfiniteTimeSpan };
        options.Resilience!.AttemptTimeout = TimeSpan.FromSeconds(5);
        using var client = ChatClient(server, options: options);

        var call = client.GetResponseAsync("hi");
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(5));
        await headers.First.Task.WaitAsync(TimeSpan.FromSeconds(10)); // the stall is in the body, under the same attempt timeout
        clock.Advance(TimeSpan.FromMilliseconds(4999));
        Assert.That(call.IsCompleted, Is.False, "still within the attempt timeout");
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(1));
        clock.Advance(TimeSpan.FromSeconds(1));
        var response = await call.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Multiple(() =>
        {
            Assert.That(response.Text, Is.EqualTo("second attempt"));
            Assert.That(server.Requests, Has.Count.EqualTo(2));
        });
    }

    [Test]
    public async Task A_body_that_stalls_on_every_attempt_fails_as_a_retryable_timeout()
    {
        await using var server = await ReplayServer.StartAsync();
        var body = Completion().Body;
        server.Enqueue(new ScriptedResponse
        {
            Headers = [new("Content-Type", "application/json")],
            Chunks = [(body[..20], TimeSpan.Zero), (body[20..], TimeSpan.FromHours(1))],
        });
        var clock = new FakeClock();
        var headers = new HeadersArrived();
        var options = Options(server, 0, clock);
        options.HttpClient = new HttpClient(headers) { Timeout = Timeout.InfiniteTimeSpan };
        options.Resilience!.AttemptTimeout = TimeSpan.FromSeconds(5);
        using var client = ChatClient(server, options: options);

        var call = client.GetResponseAsync("hi");
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(5));
        await headers.First.Task.WaitAsync(TimeSpan.FromSeconds(10));
        clock.Advance(TimeSpan.FromSeconds(5));

        var error = Assert.ThrowsAsync<ModelProviderException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Multiple(() =>
        {
            Assert.That(error!.ErrorCode, Is.EqualTo(ProviderErrorCodes.Timeout));
            Assert.That(error.IsRetryable, Is.True);
            Assert.That(error.Message, Does.Contain("resilience:attempt_timeout_ms"));
        });
    }

    [Test]
    public async Task A_connection_reset_mid_body_is_retried()
    {
        await using var server = await ReplayServer.StartAsync();
        var first = Completion();
        server.Enqueue(
            new ScriptedResponse { Headers = first.Headers, Body = first.Body, TruncateAfter = 20 },
            Completion(content: "\"after the reset\""));
        var (client, clock) = Create(server, retries: 1);
        using var _ = client;

        var call = client.GetResponseAsync("hi");
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(1));
        Assert.That(call.IsCompleted, Is.False, "waiting out the backoff");
        clock.Advance(TimeSpan.FromSeconds(1));
        var response = await call.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Multiple(() =>
        {
            Assert.That(response.Text, Is.EqualTo("after the reset"));
            Assert.That(server.Requests, Has.Count.EqualTo(2));
        });
    }

    [Test]
    public async Task A_retry_after_ms_is_waited_out_to_the_millisecond()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(
            ScriptedResponse.Json("""{"message":"Requests rate limit exceeded"}""", 429, ("retry-after-ms", "1500"), ("Retry-After", "9")),
            Completion());
        var (client, clock) = Create(server);
        using var _ = client;

        var call = client.GetResponseAsync("hi");
        await clock.WaitForTimerAsync(TimeSpan.FromMilliseconds(1500));
        clock.Advance(TimeSpan.FromMilliseconds(1499));
        Assert.That(call.IsCompleted, Is.False);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await call.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(server.Requests, Has.Count.EqualTo(2));
    }
}
