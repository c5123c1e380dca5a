using Microsoft.Extensions.AI;
using ModelRegistry.Providers;
using ModelRegistry.Testing;
using static ModelRegistry.OpenAI.Tests.OpenAITestKit;

namespace ModelRegistry.OpenAI.Tests;

/// <summary>Error bodies through the kit: codes, retryability, the context-window code, Retry-After, no secrets.</summary>
public sealed class ErrorTests
{
    private static async Task<ModelProviderException> FailAsync(ScriptedResponse answer)
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(answer);
        using var client = ChatClient(server);
        var error = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("hi"));
        Assert.That(server.Requests, Has.Count.EqualTo(1));
        return error!;
    }

    [Test]
    public async Task A_400_reads_code_message_and_param()
    {
        var error = await FailAsync(ScriptedResponse.Json(
            """{"error":{"message":"Unsupported value: 'messages[0].role' does not support 'developer' with this model.","type":"invalid_request_error","param":"messages[0].role","code":"unsupported_value"}}""", 400));
        Assert.Multiple(() =>
        {
            Assert.That(error.StatusCode, Is.EqualTo(400));
            Assert.That(error.ErrorCode, Is.EqualTo("unsupported_value"));
            Assert.That(error.Message, Does.Contain("does not support 'developer'").And.Contain("(param: messages[0].role)"));
            Assert.That(error.IsRetryable, Is.False);
        });
    }

    [Test]
    public async Task Context_length_exceeded_gets_the_kits_context_window_code()
    {
        var error = await FailAsync(ScriptedResponse.Json(
            """{"error":{"message":"This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}""", 400));
        Assert.Multiple(() =>
        {
            Assert.That(error.ErrorCode, Is.EqualTo(ProviderErrorCodes.ContextWindowExceeded));
            Assert.That(error.Message, Does.Contain("context_length_exceeded"));
            Assert.That(error.IsRetryable, Is.False);
        });
    }

    [Test]
    public async Task Insufficient_quota_is_throttling_but_not_retryable()
    {
        var error = await FailAsync(ScriptedResponse.Json(
            """{"error":{"message":"You exceeded your current quota.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}""", 429));
        Assert.Multiple(() =>
        {
            Assert.That(error.ErrorCode, Is.EqualTo("insufficient_quota"));
            Assert.That(error.IsRetryable, Is.False);
            Assert.That(error.IsThrottling, Is.True);
            Assert.That(error.Message, Does.Contain("retrying will not help"));
        });
    }

    [Test]
    public async Task A_rate_limit_names_the_reset_headers()
    {
        var error = await FailAsync(ScriptedResponse.Json(
            """{"error":{"message":"Rate limit reached for gpt-4.1-mini.","type":"requests","param":null,"code":"rate_limit_exceeded"}}""", 429,
            ("x-ratelimit-reset-requests", "120ms"), ("x-ratelimit-reset-tokens", "6m0s")));
        Assert.Multiple(() =>
        {
            Assert.That(error.ErrorCode, Is.EqualTo("rate_limit_exceeded"));
            Assert.That(error.IsThrottling, Is.True);
            Assert.That(error.IsRetryable, Is.True);
            Assert.That(error.Message, Does.Contain("120ms (requests) and 6m0s (tokens)"));
        });
    }

    [Test]
    public async Task A_401_says_where_the_key_comes_from_without_the_key()
    {
        var error = await FailAsync(ScriptedResponse.Json(
            $$$"""{"error":{"message":"Incorrect API key provided: {{{ApiKey}}}.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""", 401));
        Assert.Multiple(() =>
        {
            Assert.That(error.ErrorCode, Is.EqualTo("invalid_api_key"));
            Assert.That(error.Message, Does.Contain("OPENAI_API_KEY").And.Contain("AWS_BEARER_TOKEN_BEDROCK"));
            Assert.That(error.Message, Does.Not.Contain(ApiKey));
        });
    }

    [Test]
    public async Task A_plain_text_502_of_a_proxy_is_retryable()
    {
        var error = await FailAsync(new ScriptedResponse { Status = 502, Body = "Bad Gateway"u8.ToArray() });
        Assert.Multiple(() =>
        {
            Assert.That(error.StatusCode, Is.EqualTo(502));
            Assert.That(error.IsRetryable, Is.True);
            Assert.That(error.Message, Does.Contain("Bad Gateway"));
        });
    }

    [Test]
    public async Task A_429_is_retried_after_exactly_its_retry_after()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(
            ScriptedResponse.Json("""{"error":{"message":"Rate limit reached.","type":"requests","code":"rate_limit_exceeded"}}""", 429, ("Retry-After", "3")),
            Completion(content: "\"second time lucky\""));
        var clock = new FakeClock();
        using var client = ChatClient(server, options: Options(server, maxRetries: 2, time: clock));

        var call = client.GetResponseAsync("hi");
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(3));
        clock.Advance(TimeSpan.FromMilliseconds(2999));
        Assert.That(call.IsCompleted, Is.False, "waiting out Retry-After");
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var response = await call.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Multiple(() =>
        {
            Assert.That(response.Text, Is.EqualTo("second time lucky"));
            Assert.That(server.Requests, Has.Count.EqualTo(2));
        });
    }

    [Test]
    public async Task A_500_is_retried_and_an_error_in_a_200_body_is_the_providers_error()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(
            ScriptedResponse.Json("""{"error":{"message":"The server had an error.","type":"server_error","code":null}}""", 500),
            ScriptedResponse.Json("""{"error":{"message":"Overloaded.","type":"server_error","code":"overloaded"}}"""));
        var clock = new FakeClock();
        using var client = ChatClient(server, options: Options(server, maxRetries: 1, time: clock));

        var call = client.GetResponseAsync("hi");
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(1));
        clock.Advance(TimeSpan.FromSeconds(1));
        var error = Assert.ThrowsAsync<ModelProviderException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Multiple(() =>
        {
            Assert.That(server.Requests, Has.Count.EqualTo(2));
            Assert.That(error!.ErrorCode, Is.EqualTo("overloaded"));
            Assert.That(error.Message, Does.Contain("inside its answer"));
        });
    }

    [Test]
    public async Task Malformed_json_is_an_invalid_response()
    {
        var error = await FailAsync(new ScriptedResponse { Body = "{\"id\":"u8.ToArray(), Headers = [new("Content-Type", "application/json")] });
        Assert.That(error.ErrorCode, Is.EqualTo(ProviderErrorCodes.ResponseTruncated).Or.EqualTo(ProviderErrorCodes.InvalidResponse));
    }
}
