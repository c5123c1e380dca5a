using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ModelRegistry.Bedrock.Tests.Support;
using ModelRegistry.Providers;
using ModelRegistry.Testing;
using static ModelRegistry.Bedrock.Tests.Support.Fixtures;

namespace ModelRegistry.Bedrock.Tests;

/// <summary>
/// Bedrock error responses, broken connections and malformed answers all become <see cref="ModelProviderException"/>
/// with the kit's classification, and the retry policy retries the right ones on a fake clock, waiting exactly as long
/// as it should.
/// </summary>
public sealed class ErrorTests
{
    [TestCase(400, "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/", "ValidationException", false, false)]
    [TestCase(403, "AccessDeniedException", "AccessDeniedException", false, false)]
    [TestCase(404, "aws.protocols#ResourceNotFoundException", "ResourceNotFoundException", false, false)]
    [TestCase(408, "ModelTimeoutException", "ModelTimeoutException", true, false)]
    [TestCase(424, "ModelErrorException", "ModelErrorException", false, false)]
    [TestCase(429, "ThrottlingException", "ThrottlingException", true, true)]
    [TestCase(429, "ModelNotReadyException", "ModelNotReadyException", true, false)]
    [TestCase(500, "InternalServerException", "InternalServerException", true, false)]
    [TestCase(503, "ServiceUnavailableException", "ServiceUnavailableException", true, false)]
    [TestCase(503, "InternalFailure", "InternalFailure", true, false)]
    public async Task Error_types_are_classified(int status, string header, string code, bool retryable, bool throttling)
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"message":"It went wrong."}""", status, ("x-amzn-ErrorType", header)));
        using var client = TestClients.Chat(server, Claude);
        var error = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("Hi"));
        Assert.Multiple(() =>
        {
            Assert.That(error!.Provider, Is.EqualTo("bedrock"));
            Assert.That(error.StatusCode, Is.EqualTo(status));
            Assert.That(error.ErrorCode, Is.EqualTo(code));
            Assert.That(error.IsRetryable, Is.EqualTo(retryable));
            Assert.That(error.IsThrottling, Is.EqualTo(throttling), "ThrottlingException and ModelNotReadyException are both 429 and told apart");
            Assert.That(error.Message, Does.Contain("It went wrong.").And.Contain(code));
        });
    }

    [Test]
    public async Task The_error_type_and_message_also_come_from_the_body()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"__type":"com.amazon.coral#ThrottlingException","Message":"Slow down."}""", 429));
        using var client = TestClients.Chat(server, Claude);
        var error = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("Hi"));
        Assert.That((error!.ErrorCode, error.IsThrottling), Is.EqualTo(("ThrottlingException", true)));
        Assert.That(error.Message, Does.Contain("Slow down."));
    }

    [Test]
    public async Task Throttling_is_retried_after_exactly_the_Retry_After_it_asked_for()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"message":"Too many requests"}""", 429, ("x-amzn-ErrorType", "ThrottlingException"), ("Retry-After", "7")), Ok());
        var clock = TestClients.Clock();
        using var client = TestClients.Chat(server, Claude, clock, maxRetries: 3);

        var call = client.GetResponseAsync("Hi");
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(7));
        clock.Advance(TimeSpan.FromMilliseconds(6999));
        Assert.That((call.IsCompleted, server.Requests.Count), Is.EqualTo((false, 1)), "still waiting out Retry-After");
        clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.That((await call.WaitAsync(TimeSpan.FromSeconds(10))).Text, Is.EqualTo("Paris."));
        Assert.That(server.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task A_model_that_is_not_ready_is_retried_with_backoff()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"message":"Model is loading"}""", 429, ("x-amzn-ErrorType", "ModelNotReadyException")), Ok());
        var clock = TestClients.Clock();
        using var client = TestClients.Chat(server, Claude, clock, maxRetries: 3);

        var call = client.GetResponseAsync("Hi");
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(1));
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.That((await call.WaitAsync(TimeSpan.FromSeconds(10))).Text, Is.EqualTo("Paris."));
        Assert.That(server.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task When_retries_run_out_the_last_error_says_it_is_retryable()
    {
        await using var server = await ReplayServer.StartAsync();
        for (var i = 0; i < 3; i++)
        {
            server.Enqueue(ScriptedResponse.Json("""{"message":"Unavailable"}""", 503, ("x-amzn-ErrorType", "ServiceUnavailableException"), ("Retry-After", "2")));
        }

        var clock = TestClients.Clock();
        using var client = TestClients.Chat(server, Claude, clock, maxRetries: 2);
        var call = client.GetResponseAsync("Hi");
        for (var retry = 1; retry <= 2; retry++)
        {
            await clock.WaitForTimerAsync(TimeSpan.FromSeconds(2));
            clock.Advance(TimeSpan.FromSeconds(2));
        }

        var error = Assert.ThrowsAsync<ModelProviderException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.That((error!.StatusCode, error.IsRetryable, error.RetryAfter), Is.EqualTo(((int?)503, true, (TimeSpan?)TimeSpan.FromSeconds(2))));
        Assert.That(server.Requests, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task Validation_errors_are_not_retried()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"message":"A conversation must alternate between user and assistant roles."}""", 400, ("x-amzn-ErrorType", "ValidationException")));
        using var client = TestClients.Chat(server, Claude, maxRetries: 3);
        Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("Hi"));
        Assert.That(server.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_lost_connection_is_a_retryable_provider_error()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(new ScriptedResponse { ResetConnection = true });
        using var client = TestClients.Chat(server, Claude);
        var error = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("Hi"));
        Assert.That((error!.ErrorCode, error.IsRetryable, error.StatusCode), Is.EqualTo((ProviderErrorCodes.ConnectionFailed, true, (int?)null)));
    }

    [Test]
    public async Task A_body_that_stalls_after_the_headers_times_out_by_the_attempt_timeout_and_is_retried()
    {
        await using var server = await ReplayServer.StartAsync();
        var body = Encoding.UTF8.GetBytes(Converse());
        server.Enqueue(
            new ScriptedResponse { Headers = [new("Content-Type", "application/json")], Chunks = [(body[..10], TimeSpan.Zero), (body[10..], TimeSpan.FromHours(1))] },
            Ok());
        var clock = TestClients.Clock();
        using var headers = new HeadersSeen();
        using var http = new HttpClient(headers) { Timeout = Timeout.InfiniteTimeSpan };
        var options = TestClients.Options(server, clock, maxRetries: 1);
        options.HttpClient = http;
        options.Resilience!.AttemptTimeout = TimeSpan.FromSeconds(5);
        using var client = TestClients.Chat(options, Claude);

        var call = client.GetResponseAsync("Hi");
        await headers.NextAsync(); // the client is now reading the stalled body
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(5));
        clock.Advance(TimeSpan.FromSeconds(5));
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(1));
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.That((await call.WaitAsync(TimeSpan.FromSeconds(10))).Text, Is.EqualTo("Paris."));
        Assert.That(server.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task A_body_that_stalls_on_every_attempt_fails_with_timeout()
    {
        await using var server = await ReplayServer.StartAsync();
        var body = Encoding.UTF8.GetBytes(Converse());
        server.Enqueue(new ScriptedResponse { Headers = [new("Content-Type", "application/json")], Chunks = [(body[..10], TimeSpan.Zero), (body[10..], TimeSpan.FromHours(1))] });
        var clock = TestClients.Clock();
        using var headers = new HeadersSeen();
        using var http = new HttpClient(headers) { Timeout = Timeout.InfiniteTimeSpan };
        var options = TestClients.Options(server, clock);
        options.HttpClient = http;
        options.Resilience!.AttemptTimeout = TimeSpan.FromSeconds(5);
        using var client = TestClients.Chat(options, Claude);

        var call = client.GetResponseAsync("Hi");
        await headers.NextAsync();
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(5));
        clock.Advance(TimeSpan.FromSeconds(5));

        var error = Assert.ThrowsAsync<ModelProviderException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.That((error!.ErrorCode, error.IsRetryable), Is.EqualTo((ProviderErrorCodes.Timeout, true)));
        Assert.That(error.Message, Does.Contain("attempt_timeout_ms"));
    }

    [Test]
    public async Task A_connection_reset_in_the_middle_of_the_body_is_retried()
    {
        await using var server = await ReplayServer.StartAsync();
        var first = Ok();
        server.Enqueue(new ScriptedResponse { Headers = first.Headers, Body = first.Body, TruncateAfter = 20 }, Ok());
        var clock = TestClients.Clock();
        using var client = TestClients.Chat(server, Claude, clock, maxRetries: 1);

        var call = client.GetResponseAsync("Hi");
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(1));
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.That((await call.WaitAsync(TimeSpan.FromSeconds(10))).Text, Is.EqualTo("Paris."));
        Assert.That(server.Requests, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task A_body_cut_short_is_a_retryable_truncated_response()
    {
        var error = await FailureAsync(Encoding.UTF8.GetBytes("""{"output":{"message":{"role":"assistant","content":[{"text":"Par"""));
        Assert.That((error.ErrorCode, error.IsRetryable), Is.EqualTo((ProviderErrorCodes.ResponseTruncated, true)));
    }

    [TestCase("""{"output":{"message":{"role":"assistant","content":[{"text":"Hi"}]}},"stopReason":5,"usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2}}""", TestName = "stopReason a number")]
    [TestCase("""{"output":{"message":{"role":"assistant","content":[{"text":"Hi"}]}},"stopReason":"end_turn","stopReason":"max_tokens","usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2}}""", TestName = "duplicate key")]
    [TestCase("""{"output":{"message":{"role":"assistant","content":[{"text":"Hi","text":"Bye"}]}},"stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2}}""", TestName = "duplicate key in a block")]
    [TestCase("""{"output":[],"stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2}}""", TestName = "output an array")]
    [TestCase("""{"output":{"message":{"role":"assistant","content":[{"image":{"format":"png","source":{"bytes":"not*base64!"}}}]}},"stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2}}""", TestName = "invalid base64 in an image")]
    [TestCase("""[1,2,3]""", TestName = "not an object")]
    public async Task A_malformed_answer_is_a_retryable_invalid_response(string body)
    {
        var error = await FailureAsync(Encoding.UTF8.GetBytes(body));
        Assert.That((error.ErrorCode, error.IsRetryable, error.Provider), Is.EqualTo((ProviderErrorCodes.InvalidResponse, true, "bedrock")));
    }

    [Test]
    public async Task An_invalid_utf8_byte_is_a_retryable_invalid_response()
    {
        var body = Encoding.UTF8.GetBytes(Converse("""[{"text":"Par#s."}]"""));
        body[Array.IndexOf(body, (byte)'#')] = 0xFF;
        var error = await FailureAsync(body);
        Assert.That((error.ErrorCode, error.IsRetryable), Is.EqualTo((ProviderErrorCodes.InvalidResponse, true)));
    }

    [TestCase("Infinity")]
    [TestCase("NaN")]
    [TestCase("-5")]
    public async Task A_retry_after_ms_that_is_no_finite_wait_is_ignored_for_the_backoff(string value)
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"message":"Slow down"}""", 429, ("x-amzn-ErrorType", "ThrottlingException"), ("retry-after-ms", value)), Ok());
        var clock = TestClients.Clock();
        using var client = TestClients.Chat(server, Claude, clock, maxRetries: 1);

        var call = client.GetResponseAsync("Hi");
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(1));
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.That((await call.WaitAsync(TimeSpan.FromSeconds(10))).Text, Is.EqualTo("Paris."));
    }

    [Test]
    public async Task A_huge_retry_after_ms_is_clamped_and_fails_at_once_for_a_fallback()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"message":"Slow down"}""", 429, ("x-amzn-ErrorType", "ThrottlingException"), ("retry-after-ms", "1e16")));
        using var client = TestClients.Chat(server, Claude, maxRetries: 3);
        var error = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("Hi"));
        Assert.That((error!.RetryAfter, error.IsRetryable), Is.EqualTo(((TimeSpan?)TimeSpan.FromDays(1), true)));
        Assert.That(error.Message, Does.Contain("max_retry_after_ms"));
        Assert.That(server.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task An_api_key_never_appears_in_errors_or_logs_even_when_the_server_echoes_it()
    {
        const string key = "ABSKsecret-bedrock-key-value-1234567890";
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json($$"""{"message":"The key {{key}} (Bearer {{key}}) is not valid."}""", 403, ("x-amzn-ErrorType", "AccessDeniedException")));
        var logs = new FakeLogCollector();
        using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs)));
        var options = TestClients.Options(server);
        options.ApiKey = key;
        options.LoggerFactory = loggers;
        using var client = TestClients.Chat(options, Claude);

        var error = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("Hi"));

        Assert.Multiple(() =>
        {
            Assert.That(error!.ToString(), Does.Not.Contain(key));
            Assert.That(error.Message, Does.Contain("is not valid").And.Contain("***"));
            Assert.That(server.Requests[0].Header("authorization"), Is.EqualTo($"Bearer {key}"));
            Assert.That(server.Requests[0].Header("x-amz-date"), Is.Null, "a bearer request is not signed");
            Assert.That(client.ToString(), Does.Not.Contain(key));
            Assert.That(logs.GetSnapshot(), Is.Not.Empty, "the failure is logged");
            Assert.That(logs.GetSnapshot().Select(r => r.Message + r.Exception), Has.None.Contains(key));
        });
    }

    // Found by the fuzz runner: a message was cut to 2000 characters before it was scrubbed (by the kit for an error
    // answer, by the stream's exception event reader for itself), so an echoed key the cut went through kept its first
    // characters.
    [TestCase(false)]
    [TestCase(true)]
    public async Task An_echoed_api_key_where_a_long_message_would_be_cut_leaves_no_part_of_it(bool inStream)
    {
        const string key = "ABSKsecret-bedrock-key-value-1234567890";
        var message = new string('m', 1984) + key + " tail";
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(inStream
            ? new ScriptedResponse { Body = EventStreamEncoder.Body(EventStreamEncoder.Exception("throttlingException", message)) }
            : ScriptedResponse.Json(new System.Text.Json.Nodes.JsonObject { ["message"] = message }.ToJsonString(), 400, ("x-amzn-ErrorType", "ValidationException")));
        var options = TestClients.Options(server);
        options.ApiKey = key;
        using var client = TestClients.Chat(options, Claude);

        var error = Assert.ThrowsAsync<ModelProviderException>(async () =>
        {
            if (inStream)
            {
                await foreach (var update in client.GetStreamingResponseAsync("Hi"))
                {
                    _ = update;
                }
            }
            else
            {
                await client.GetResponseAsync("Hi");
            }
        });
        Assert.That(error!.Message, Does.Not.Contain(key[..12]).And.Contain("m*** tail"), "scrubbed, then bounded");
    }

    [Test]
    public async Task AWS_credentials_never_appear_in_errors_even_when_the_server_echoes_them()
    {
        const string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        const string token = "session-token-FAKE-0123456789abcdef";
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json($$"""{"message":"Signature for {{secret}} with token {{token}} does not match."}""", 403, ("x-amzn-ErrorType", "InvalidSignatureException")));
        var options = TestClients.Options(server);
        options.Credentials = null;
        options.Environment = TestClients.Environment(("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"), ("AWS_SECRET_ACCESS_KEY", secret), ("AWS_SESSION_TOKEN", token));
        using var client = TestClients.Chat(options, Claude);

        var error = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("Hi"));
        Assert.That(error!.Message, Does.Not.Contain(secret).And.Not.Contain(token).And.Contain("does not match"));
        Assert.That(server.Requests[0].Header("x-amz-security-token"), Is.EqualTo(token));
    }

    [TestCase("..")]
    [TestCase(".")]
    [TestCase(" .. ")]
    public async Task A_per_call_model_id_that_is_a_dot_segment_is_refused_before_anything_is_sent(string modelId)
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Ok(), Ok());
        using var client = TestClients.Chat(server, Claude);
        var options = new ChatOptions { ModelId = modelId };
        Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync("Hi", options));
        Assert.ThrowsAsync<ArgumentException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync("Hi", options))
            {
                _ = update;
            }
        });
        Assert.That(server.Requests, Is.Empty, "no POST /converse or /model/converse");
    }

    private static async Task<ModelProviderException> FailureAsync(byte[] body)
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(new ScriptedResponse { Body = body, Headers = [new("Content-Type", "application/json")] });
        using var client = TestClients.Chat(server, Claude);
        var error = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("Hi"));
        return error!;
    }
}
