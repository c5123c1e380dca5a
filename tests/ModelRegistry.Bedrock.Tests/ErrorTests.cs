using Microsoft.Extensions.AI;
using ModelRegistry.Bedrock.Tests.Support;
using ModelRegistry.Testing;
using static ModelRegistry.Bedrock.Tests.Support.Fixtures;

namespace ModelRegistry.Bedrock.Tests;

/// <summary>Bedrock error responses become <see cref="ModelProviderException"/>, and the shared retry policy retries the right ones.</summary>
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
    public async Task Error_types_are_classified(int status, string header, string code, bool retryable, bool throttling)
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"message":"It went wrong."}""", status, ("x-amzn-ErrorType", header)));
        using var client = TestClients.Chat(server, Claude);
        var error = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("Hi"));
        Assert.That(error!.Provider, Is.EqualTo("bedrock"));
        Assert.That(error.StatusCode, Is.EqualTo(status));
        Assert.That(error.ErrorCode, Is.EqualTo(code));
        Assert.That(error.IsRetryable, Is.EqualTo(retryable));
        Assert.That(error.IsThrottling, Is.EqualTo(throttling), "ThrottlingException and ModelNotReadyException are both 429 and told apart");
        Assert.That(error.Message, Does.Contain("It went wrong.").And.Contain(code));
        await Task.CompletedTask;
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
    public async Task Throttling_is_retried_honouring_Retry_After_on_the_fake_clock()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(
            ScriptedResponse.Json("""{"message":"Too many requests"}""", 429, ("x-amzn-ErrorType", "ThrottlingException"), ("Retry-After", "7")),
            ScriptedResponse.Json("""{"message":"Model is loading"}""", 429, ("x-amzn-ErrorType", "ModelNotReadyException")),
            Ok());
        var time = TestClients.Clock();
        var start = time.GetUtcNow();
        using var client = TestClients.Chat(server, Claude, time, maxRetries: 3);
        var call = client.GetResponseAsync("Hi");
        await TimeAdvancer.RunAsync(call, () => time.Advance(TimeSpan.FromSeconds(1)));
        Assert.That((await call).Text, Is.EqualTo("Paris."));
        Assert.That(server.Requests, Has.Count.EqualTo(3));
        Assert.That(time.GetUtcNow() - start, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(7)), "the retry waited for Retry-After");
    }

    [Test]
    public async Task When_retries_run_out_the_last_error_says_it_is_retryable()
    {
        await using var server = await ReplayServer.StartAsync();
        for (var i = 0; i < 3; i++)
        {
            server.Enqueue(ScriptedResponse.Json("""{"message":"Unavailable"}""", 503, ("x-amzn-ErrorType", "ServiceUnavailableException"), ("Retry-After", "2")));
        }

        var time = TestClients.Clock();
        using var client = TestClients.Chat(server, Claude, time, maxRetries: 2);
        var call = client.GetResponseAsync("Hi");
        await TimeAdvancer.RunAsync(call.ContinueWith(_ => { }, TaskScheduler.Default), () => time.Advance(TimeSpan.FromSeconds(1)));
        var error = Assert.ThrowsAsync<ModelProviderException>(() => call);
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
    public async Task An_unreachable_endpoint_is_a_retryable_provider_error()
    {
        var port = System.Net.Sockets.TcpListener.Create(0);
        port.Start();
        var address = new Uri($"http://127.0.0.1:{((System.Net.IPEndPoint)port.LocalEndpoint).Port}/");
        port.Stop();
        await using var server = await ReplayServer.StartAsync();
        var options = TestClients.Options(server, Claude);
        options.Endpoint = address;
        using var client = TestClients.Chat(options);
        var error = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("Hi"));
        Assert.That(error!.IsRetryable);
        Assert.That(error.StatusCode, Is.Null);
    }

    [Test]
    public async Task An_api_key_never_appears_in_errors()
    {
        const string key = "ABSKsecret-bedrock-key-value-1234567890";
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"message":"Access denied"}""", 403, ("x-amzn-ErrorType", "AccessDeniedException")));
        var options = TestClients.Options(server, Claude);
        options.ApiKey = key;
        using var client = TestClients.Chat(options);
        var error = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("Hi"));
        Assert.That(error!.ToString(), Does.Not.Contain(key));
        Assert.That(server.Requests[0].Header("authorization"), Is.EqualTo($"Bearer {key}"));
        Assert.That(server.Requests[0].Header("x-amz-date"), Is.Null, "a bearer request is not signed");
        Assert.That(client.ToString(), Does.Not.Contain(key));
    }
}
