using Microsoft.Extensions.AI;
using ModelRegistry.Providers;
using ModelRegistry.Testing;
using static ModelRegistry.Mistral.Tests.MistralTestKit;

namespace ModelRegistry.Mistral.Tests;

/// <summary>Every error body shape Mistral is known to send becomes a <see cref="ModelProviderException"/> with the facts filled in.</summary>
public sealed class ErrorTests
{
    private static async Task<ModelProviderException> FailAsync(ScriptedResponse response)
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(response);
        using var client = ChatClient(server);
        var error = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("hi"));
        Assert.Multiple(() =>
        {
            Assert.That(error!.Provider, Is.EqualTo("mistral"));
            Assert.That(error.Message, Does.Not.Contain(ApiKey));
            Assert.That(server.Requests, Has.Count.EqualTo(1), "retries are off in these tests");
        });
        return error!;
    }

    public static IEnumerable<TestCaseData> Shapes()
    {
        // Application error, string code (2026, with raw_status_code).
        yield return new TestCaseData(400,
            """{"object":"error","message":"Tool call id was call_abc but must be a-z, A-Z, 0-9, with a length of 9.","type":"invalid_function_call","param":null,"code":"3280","raw_status_code":400}""",
            "3280", "with a length of 9", false).SetName("Application error with string code");
        // Application error, code null: the type stands in.
        yield return new TestCaseData(400,
            """{"object":"error","message":"Unexpected role 'user' after role 'tool'","type":"invalid_request_message_order","param":null,"code":null}""",
            "invalid_request_message_order", "Unexpected role 'user' after role 'tool'", false).SetName("Application error with null code");
        // 422 of 2024: message is an object holding pydantic's detail list.
        yield return new TestCaseData(422,
            """{"object":"error","message":{"detail":[{"type":"extra_forbidden","loc":["body","messages",0,"user","name"],"msg":"Extra inputs are not permitted","input":null,"url":"https://errors.pydantic.dev/2.6/v/extra_forbidden"}]},"type":"invalid_request_error","param":null,"code":null}""",
            "invalid_request_error", "body.messages.0.user.name: Extra inputs are not permitted (extra_forbidden)", false).SetName("422 with object message");
        // 422 of 2025: capital Error, array message, integer code, detail beside it.
        yield return new TestCaseData(422,
            """{"object":"Error","detail":[{"type":"missing","loc":["body","model"],"msg":"Field required"}],"message":[{"type":"missing","loc":["body","model"],"msg":"Field required"}],"type":"invalid_request_error","code":3001}""",
            "3001", "body.model: Field required (missing)", false).SetName("422 with array message and int code");
        // Spec's HTTPValidationError: only detail.
        yield return new TestCaseData(422,
            """{"detail":[{"loc":["body","temperature"],"msg":"Input should be less than or equal to 1.5","type":"less_than_equal"}]}""",
            null, "body.temperature: Input should be less than or equal to 1.5", false).SetName("422 with detail only");
        // Gateway 401 with request id.
        yield return new TestCaseData(401, """{"message":"Unauthorized","request_id":"c61f2f15a9d3e2c0"}""", null, "Unauthorized", false).SetName("401 gateway message");
        yield return new TestCaseData(401, """{"detail":"Unauthorized"}""", null, "Unauthorized", false).SetName("401 detail");
        yield return new TestCaseData(401, "", null, "no error message", false).SetName("401 without body");
        yield return new TestCaseData(429, """{"message":"Requests rate limit exceeded"}""", null, "Requests rate limit exceeded", true).SetName("429 bare message");
        yield return new TestCaseData(429,
            """{"object":"error","message":"Rate limit exceeded","type":"rate_limited","param":null,"code":"1300","raw_status_code":429}""",
            "1300", "Rate limit exceeded", true).SetName("429 rate_limited");
        yield return new TestCaseData(400,
            """{"object":"error","message":"Invalid model: xyz","type":"invalid_model","param":null,"code":"1500","raw_status_code":400}""",
            "1500", "Invalid model: xyz", false).SetName("Invalid model");
        yield return new TestCaseData(502, "<html><body>502 Bad Gateway</body></html>", null, "502 Bad Gateway", true).SetName("502 html");
        yield return new TestCaseData(503, """{"object":"error","message":"Service unavailable","type":"service_unavailable","code":1000}""", "1000", "Service unavailable", true).SetName("503 int code");
        yield return new TestCaseData(504, "upstream request timeout", null, "upstream request timeout", true).SetName("504 text");
        yield return new TestCaseData(403, """{"object":"error","message":"Model not available for your tier","type":"invalid_request_error","code":"3051"}""", "3051", "not available for your tier", false).SetName("403 tier");
    }

    [TestCaseSource(nameof(Shapes))]
    public async Task Error_shapes_map_to_status_code_message_and_retryability(int status, string body, string? code, string message, bool retryable)
    {
        var error = await FailAsync(new ScriptedResponse
        {
            Status = status,
            Body = System.Text.Encoding.UTF8.GetBytes(body),
            Headers = [new("Content-Type", body.StartsWith('{') ? "application/json" : "text/plain")],
        });
        Assert.Multiple(() =>
        {
            Assert.That(error.StatusCode, Is.EqualTo(status));
            Assert.That(error.ErrorCode, Is.EqualTo(code));
            Assert.That(error.Message, Does.Contain(message));
            Assert.That(error.Message, Does.Contain($"Mistral answered HTTP {status}"));
            Assert.That(error.IsRetryable, Is.EqualTo(retryable));
        });
    }

    [Test]
    public async Task Retry_after_is_reported_in_seconds_or_milliseconds()
    {
        var seconds = await FailAsync(ScriptedResponse.Json("""{"message":"Requests rate limit exceeded"}""", 429, ("Retry-After", "7")));
        var millis = await FailAsync(ScriptedResponse.Json("""{"message":"Requests rate limit exceeded"}""", 429, ("retry-after-ms", "1500")));
        Assert.Multiple(() =>
        {
            Assert.That(seconds.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(7)));
            Assert.That(seconds.IsThrottling, Is.True);
            Assert.That(millis.RetryAfter, Is.EqualTo(TimeSpan.FromMilliseconds(1500)));
        });
    }

    [Test]
    public async Task A_429_for_an_exhausted_monthly_quota_is_not_retryable()
    {
        var error = await FailAsync(ScriptedResponse.Json(
            """{"object":"error","message":"Rate limit exceeded","type":"rate_limited","code":"1300"}""", 429, ("x-ratelimit-remaining-tokens-month", "0")));
        Assert.Multiple(() =>
        {
            Assert.That(error.IsRetryable, Is.False);
            Assert.That(error.Message, Does.Contain("monthly token quota"));
        });
    }

    [Test]
    public async Task A_401_says_where_the_key_comes_from()
    {
        var error = await FailAsync(ScriptedResponse.Json("""{"detail":"Unauthorized"}""", 401));
        Assert.That(error.Message, Does.Contain("Unauthorized. Check the API key").And.Contain("api_key setting").And.Contain("MISTRAL_API_KEY or MISTRAL_API_KEY_PARAMETER"));
    }

    [TestCase("Infinity", null)]
    [TestCase("1e16", 86_400_000d)]
    [TestCase("-5", null)]
    [TestCase("NaN", null)]
    public async Task An_absurd_retry_after_ms_is_clamped_or_ignored_never_an_overflow(string header, double? expectedMs)
    {
        // Before the kit, TimeSpan.FromMilliseconds(Infinity or 1e16) threw OverflowException out of the client.
        var error = await FailAsync(ScriptedResponse.Json("""{"message":"Requests rate limit exceeded"}""", 429, ("retry-after-ms", header)));
        Assert.Multiple(() =>
        {
            Assert.That(error.RetryAfter, Is.EqualTo(expectedMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null));
            Assert.That(error.IsRetryable, Is.True);
            Assert.That(error.IsThrottling, Is.True);
        });
    }

    [Test]
    public async Task An_api_key_echoed_by_the_server_is_scrubbed_from_the_message()
    {
        var error = await FailAsync(ScriptedResponse.Json($$"""{"message":"Invalid key {{ApiKey}}"}""", 401));
        Assert.That(error.Message, Does.Contain("Invalid key ***"));
    }

    [Test]
    public async Task An_error_body_echoing_the_bearer_token_of_a_key_read_from_the_environment_is_scrubbed()
    {
        const string key = "sk-test-FromTheEnvironment0123";
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json($$"""{"message":"Header 'Authorization: Bearer {{key}}' is not valid for this workspace"}""", 403));
        var options = Options(server);
        options.ApiKey = null;
        options.Environment = EnvironmentProvider.FromVariables(new Dictionary<string, string?> { ["MISTRAL_API_KEY"] = key });
        using var client = ChatClient(server, options: options);

        var error = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("hi"));
        Assert.Multiple(() =>
        {
            Assert.That(server.Requests.Single().Header("authorization"), Is.EqualTo("Bearer " + key));
            Assert.That(error!.Message, Does.Not.Contain(key));
            Assert.That(error.Message, Does.Contain("'Authorization: ***'"));
        });
    }

    // Found by the fuzz runner (seed own:long-message-echoing-key): Mistral's reader cut a message to 1500 characters
    // before the kit scrubbed it, so an echoed key the cut went through kept its first characters. The same for an
    // error in a 200 body.
    [TestCase(400)]
    [TestCase(200)]
    public async Task An_echoed_key_where_a_long_message_would_be_cut_leaves_no_part_of_it(int status)
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(
            $$"""{"object":"error","message":"{{new string('m', 1480)}} Bearer {{ApiKey}} trailing text","type":"invalid_request_error","code":"3000"}""", status));
        using var client = ChatClient(server);

        var error = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("hi"));
        Assert.That(error!.Message, Does.Not.Contain(ApiKey[..12]).And.Contain("m *** trailing text"), "the echoed Authorization value is masked whole");
    }

    [Test]
    public async Task An_unreachable_endpoint_is_a_retryable_connection_failure_without_status()
    {
        var server = await ReplayServer.StartAsync();
        await server.DisposeAsync(); // nothing listens at its address any more
        using var client = ChatClient(server);

        var error = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("hi"));
        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.Null);
            Assert.That(error.ErrorCode, Is.EqualTo(ProviderErrorCodes.ConnectionFailed));
            Assert.That(error.IsRetryable, Is.True);
            Assert.That(error.InnerException, Is.InstanceOf<HttpRequestException>());
            Assert.That(error.Message, Does.Not.Contain(ApiKey));
        });
    }
}
