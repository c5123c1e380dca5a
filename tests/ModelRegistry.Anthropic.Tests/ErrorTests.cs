using Microsoft.Extensions.AI;
using ModelRegistry.Testing;
using static ModelRegistry.Anthropic.Tests.AnthropicTestKit;

namespace ModelRegistry.Anthropic.Tests;

/// <summary>The Messages API's error bodies through the kit: one classification, retries on a fake clock, no key in any message.</summary>
public sealed class ErrorTests
{
    private static ScriptedResponse Error(int status, string type, string message, params (string, string)[] headers) =>
        ScriptedResponse.Json($$"""{"type":"error","error":{"type":"{{type}}","message":"{{message}}"},"request_id":"req_011Test"}""", status, headers);

    [Test]
    public async Task An_overloaded_529_is_retried_after_exactly_its_retry_after()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Error(529, "overloaded_error", "Overloaded", ("retry-after", "3")), Message(content: """[{"type":"text","text":"second time"}]"""));
        var clock = new FakeClock();
        using var client = ChatClient(server, options: Options(server, maxRetries: 2, time: clock));

        var call = client.GetResponseAsync("Q");
        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(3));
        clock.Advance(TimeSpan.FromMilliseconds(2999));
        Assert.That(call.IsCompleted, Is.False, "waiting out retry-after");
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var response = await call.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Multiple(() =>
        {
            Assert.That(response.Text, Is.EqualTo("second time"));
            Assert.That(server.Requests, Has.Count.EqualTo(2));
            Assert.That(server.Requests[1].BodyText, Is.EqualTo(server.Requests[0].BodyText));
        });
    }

    [Test]
    public async Task An_overloaded_529_that_does_not_clear_fails_retryable_with_the_api_type_and_message()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Error(529, "overloaded_error", "Overloaded"));
        using var client = ChatClient(server);
        var error = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("Q"));
        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(529));
            Assert.That(error.ErrorCode, Is.EqualTo("overloaded_error"));
            Assert.That(error.IsRetryable, Is.True);
            Assert.That(error.Message, Does.Contain("Overloaded").And.Contain("req_011Test"));
        });
    }

    [Test]
    public async Task A_rate_limit_is_throttling_and_an_invalid_request_is_not_retryable()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Error(429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"), Error(400, "invalid_request_error", "max_tokens: Field required"));
        using var client = ChatClient(server);
        var limited = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("Q"));
        var invalid = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("Q"));
        Assert.Multiple(() =>
        {
            Assert.That(limited!.IsThrottling, Is.True);
            Assert.That(limited.ErrorCode, Is.EqualTo("rate_limit_error"));
            Assert.That(invalid!.IsRetryable, Is.False);
            Assert.That(invalid.ErrorCode, Is.EqualTo("invalid_request_error"));
            Assert.That(invalid.Message, Does.Contain("max_tokens: Field required"));
        });
    }

    [Test]
    public async Task A_prompt_too_long_is_the_context_window_code_keeping_the_api_type_in_the_message()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Error(400, "invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum"));
        using var client = ChatClient(server);
        var error = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("Q"));
        Assert.Multiple(() =>
        {
            Assert.That(error!.ErrorCode, Is.EqualTo("context_window_exceeded"));
            Assert.That(error.IsRetryable, Is.False);
            Assert.That(error.Message, Does.Contain("invalid_request_error: prompt is too long"));
        });
    }

    [Test]
    public async Task A_refused_key_gets_a_hint_and_the_key_never_appears_even_when_echoed()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Error(401, "authentication_error", $"invalid x-api-key {ApiKey}"));
        using var client = ChatClient(server);
        var error = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("Q"));
        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("ANTHROPIC_API_KEY"));
            Assert.That(error.ToString(), Does.Not.Contain(ApiKey));
        });
    }

    [Test]
    public async Task No_key_anywhere_is_a_configuration_error_naming_every_place_to_set_one()
    {
        await using var server = await ReplayServer.StartAsync();
        var options = Options(server);
        options.ApiKey = null;
        using var client = ChatClient(server, options: options);
        var error = Assert.ThrowsAsync<ModelRegistryException>(() => client.GetResponseAsync("Q"));
        Assert.That(error!.Message, Does.Contain("api_key").And.Contain("AnthropicClientOptions.ApiKey").And.Contain("ANTHROPIC_API_KEY"));
        Assert.That(server.Requests, Is.Empty);
    }
}
