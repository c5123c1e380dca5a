using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Providers;
using ModelRegistry.Testing;

namespace ModelRegistry.Tests;

/// <summary>
/// Capabilities enforced before the call, the fallback triggers (context window, content filter, a breaker that honours
/// Retry-After) and an app's own screening step: through <c>AddModelRegistry()</c>, against loopback servers speaking
/// testwire, asserting what each server received.
/// </summary>
public sealed class CapabilitiesAndTriggersTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(15);

    private static ServiceProvider Registry(string json, FakeClock? time = null, Action<ModelRegistryBuilder>? configure = null)
    {
        var services = new ServiceCollection().AddSingleton<TimeProvider>(time ?? new FakeClock());
        var builder = services.AddModelRegistry(o =>
        {
            o.Resilience.MaxRetries = 0;
            o.Resilience.UseJitter = false;
        }).FromJson(json).AddTestWire();
        configure?.Invoke(builder);
        return services.BuildServiceProvider();
    }

    private static string Entry(string name, ReplayServer server, string capabilities = "", string extra = "", string fallbacks = "") =>
        $$"""
        "{{name}}":{"provider":"testwire","model_id":"{{name}}-1","endpoint":"{{server.BaseAddress}}"{{(capabilities.Length > 0 ? $",\"capabilities\":{{{capabilities}}}" : "")}}{{(fallbacks.Length > 0 ? $",\"fallbacks\":[{fallbacks}]" : "")}}{{extra}}}
        """;

    private static ChatMessage WithImage() => new(ChatRole.User, [new TextContent("what is this?"), new DataContent(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, "image/png")]);

    private static ChatOptions WithTool() => new() { Tools = [AIFunctionFactory.Create((string city) => "sunny", "weather")] };

    /// <summary>A testwire answer stopped by the content filter.</summary>
    private static ScriptedResponse Filtered() => ScriptedResponse.Json(
        """{"id":"r1","model":"a-1","content":[{"type":"text","text":"I cannot help with that."}],"finish":"content_filter","usage":{"input":3,"output":6}}""");

    /// <summary>A testwire stream whose first update is the content filter's stop.</summary>
    private static ScriptedResponse FilteredStream() => WireStream.ServerSentEvents(
        1,
        """event: start""" + "\n" + """data: {"id":"s1","model":"a-1"}""",
        """event: done""" + "\n" + """data: {"finish":"content_filter","usage":{"input":3,"output":0}}""").Complete();

    /// <summary>Bedrock's answer to an input that does not fit, as the testwire error shape carries it.</summary>
    private static ScriptedResponse TooLong() => TestWireAnswers.Error(400, "Input is too long for requested model.");

    [Test]
    public async Task An_image_to_an_entry_without_vision_fails_before_any_HTTP_with_capability_mismatch()
    {
        await using var server = await ReplayServer.StartAsync();
        await using var services = Registry($"{{{Entry("a", server, "\"vision\":false")}}}");

        var ex = Assert.ThrowsAsync<ModelProviderException>(() => services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync([WithImage()]));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.ErrorCode, Is.EqualTo(ProviderErrorCodes.CapabilityMismatch));
            Assert.That(ex.ModelName, Is.EqualTo("a"));
            Assert.That(ex.Provider, Is.EqualTo("testwire"));
            Assert.That(ex.IsRetryable, Is.False);
            Assert.That(ex.Message, Does.Contain("'a'").And.Contain("image/png").And.Contain("\"vision\": false"));
            Assert.That(server.Requests, Is.Empty, "refused before any HTTP");
        });
    }

    [Test]
    public async Task An_image_moves_to_the_first_fallback_that_has_vision_and_the_others_are_not_called()
    {
        await using var a = await ReplayServer.StartAsync();
        await using var b = await ReplayServer.StartAsync();
        await using var c = await ReplayServer.StartAsync();
        c.Enqueue(TestWireAnswers.Text("a cat"));
        await using var services = Registry(
            $"{{{Entry("a", a, "\"vision\":false", fallbacks: "\"b\",\"c\"")},{Entry("b", b, "\"vision\":false")},{Entry("c", c, "\"vision\":true")}}}");

        var response = await services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync([WithImage()]);

        Assert.Multiple(() =>
        {
            Assert.That(response.Text, Is.EqualTo("a cat"));
            Assert.That(response.AdditionalProperties![RegistryProperties.ServedBy], Is.EqualTo("c"));
            Assert.That(a.Requests, Is.Empty);
            Assert.That(b.Requests, Is.Empty);
            Assert.That(c.Requests, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task A_stream_with_an_image_falls_back_to_an_entry_with_vision_before_any_HTTP_to_the_first()
    {
        await using var a = await ReplayServer.StartAsync();
        await using var b = await ReplayServer.StartAsync();
        b.Enqueue(TestWireAnswers.Stream("a ", "cat").Complete());
        await using var services = Registry($"{{{Entry("a", a, "\"vision\":false", fallbacks: "\"b\"")},{Entry("b", b)}}}");

        var updates = await services.GetRequiredKeyedService<IChatClient>("a").GetStreamingResponseAsync([WithImage()]).ToListAsync();

        Assert.That(string.Concat(updates.Select(u => u.Text)), Is.EqualTo("a cat"));
        Assert.That(a.Requests, Is.Empty);
    }

    [Test]
    public async Task Tools_to_an_entry_without_tools_fail_before_any_HTTP()
    {
        await using var server = await ReplayServer.StartAsync();
        await using var services = Registry($"{{{Entry("a", server, "\"tools\":false")}}}");

        var ex = Assert.ThrowsAsync<ModelProviderException>(() => services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("hi", WithTool()));

        Assert.That(ex!.ErrorCode, Is.EqualTo(ProviderErrorCodes.CapabilityMismatch));
        Assert.That(ex.Message, Does.Contain("\"tools\": false"));
        Assert.That(server.Requests, Is.Empty);
    }

    [Test]
    public async Task MaxOutputTokens_above_the_entrys_maximum_fails_before_any_HTTP_and_at_the_maximum_is_sent()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(TestWireAnswers.Text("ok"));
        await using var services = Registry($"{{{Entry("a", server, "\"max_output_tokens\":1000")}}}");
        var client = services.GetRequiredKeyedService<IChatClient>("a");

        var ex = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("hi", new ChatOptions { MaxOutputTokens = 1001 }));
        Assert.That(ex!.ErrorCode, Is.EqualTo(ProviderErrorCodes.CapabilityMismatch));
        Assert.That(ex.Message, Does.Contain("1,001").And.Contain("\"max_output_tokens\" of 1,000"));
        Assert.That(server.Requests, Is.Empty);

        Assert.That((await client.GetResponseAsync("hi", new ChatOptions { MaxOutputTokens = 1000 })).Text, Is.EqualTo("ok"));
        Assert.That(server.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task An_input_and_output_that_cannot_fit_the_context_window_fail_before_any_HTTP_and_one_that_fits_is_sent()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(TestWireAnswers.Text("ok"));
        await using var services = Registry($"{{{Entry("a", server, "\"context_window\":1000")}}}");
        var client = services.GetRequiredKeyedService<IChatClient>("a");
        // 4,000 ASCII bytes: an estimate of 800 tokens, plus 4 for the message.
        var prompt = new string('x', 4000);

        var ex = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync(prompt, new ChatOptions { MaxOutputTokens = 197 }));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.ErrorCode, Is.EqualTo(ProviderErrorCodes.ContextWindowExceeded));
            Assert.That(ex.IsRetryable, Is.False);
            Assert.That(ex.Message, Does.Contain("804 tokens").And.Contain("197 output tokens").And.Contain("\"context_window\" of 1,000"));
            Assert.That(server.Requests, Is.Empty);
        });

        Assert.That((await client.GetResponseAsync(prompt, new ChatOptions { MaxOutputTokens = 196 })).Text, Is.EqualTo("ok"), "804 + 196 fits a window of 1,000");
        Assert.That(server.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task An_entry_without_capabilities_is_never_refused_for_unknown_ones()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(TestWireAnswers.Text("ok"));
        await using var services = Registry($"{{{Entry("a", server, "\"context_window\":100000")}}}");

        var response = await services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync(
            [WithImage(), new ChatMessage(ChatRole.User, new string('x', 40_000))],
            new ChatOptions { MaxOutputTokens = 50_000, Tools = WithTool().Tools });

        Assert.That(response.Text, Is.EqualTo("ok"), "vision, tools and max_output_tokens are unknown, so nothing refuses");
        Assert.That(server.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task With_token_count_exact_the_provider_counts_the_input_and_its_count_decides()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(
            ScriptedResponse.Json("""{"input_tokens":101}"""),
            ScriptedResponse.Json("""{"input_tokens":100}"""),
            TestWireAnswers.Text("ok"));
        await using var services = Registry($"{{{Entry("a", server, "\"context_window\":100", extra: ",\"token_count\":\"exact\"")}}}");
        var client = services.GetRequiredKeyedService<IChatClient>("a");

        // A short prompt the estimate would let through: the provider's count refuses it.
        var ex = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("hi"));
        Assert.That(ex!.ErrorCode, Is.EqualTo(ProviderErrorCodes.ContextWindowExceeded));
        Assert.That(ex.Message, Does.Contain("counted by the provider as 101 tokens"));
        Assert.That(server.Requests.Select(r => r.PathAndQuery), Is.EqualTo(new[] { "/v1/models/a-1/count" }));

        Assert.That((await client.GetResponseAsync("hi")).Text, Is.EqualTo("ok"));
        Assert.That(server.Requests.Select(r => r.PathAndQuery), Is.EqualTo(new[] { "/v1/models/a-1/count", "/v1/models/a-1/count", "/v1/models/a-1/chat" }));
    }

    [Test]
    public async Task Without_token_count_exact_no_count_is_asked_for()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(TestWireAnswers.Text("ok"));
        await using var services = Registry($"{{{Entry("a", server, "\"context_window\":100")}}}");

        await services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("hi");

        Assert.That(server.Requests.Select(r => r.PathAndQuery), Is.EqualTo(new[] { "/v1/models/a-1/chat" }), "one round trip per call");
    }

    [TestCase("\"token_count\":\"exact\"", "", "has no \"capabilities\"")]
    [TestCase("\"token_count\":\"sometimes\"", "\"context_window\":100", "one of: estimate, exact")]
    [TestCase("\"fallback_on\":{\"content_filter\":\"yes\"}", "", "true or false")]
    [TestCase("\"fallback_on\":{\"guardrail\":true}", "", "is not a key of \"fallback_on\"")]
    public async Task Bad_capability_and_trigger_settings_fail_the_load_naming_entry_and_key(string setting, string capabilities, string expected)
    {
        await using var server = await ReplayServer.StartAsync();
        await using var services = Registry($"{{{Entry("a", server, capabilities, extra: "," + setting)}}}");

        var ex = Assert.ThrowsAsync<ModelRegistryException>(() => services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("hi"));

        Assert.That(ex!.Message, Does.Contain("'a'").And.Contain(expected));
        Assert.That(server.Requests, Is.Empty);
    }

    [Test]
    public async Task A_provider_context_window_error_has_one_code_and_falls_back_to_the_first_fallback_with_a_larger_window()
    {
        await using var a = await ReplayServer.StartAsync();
        await using var small = await ReplayServer.StartAsync();
        await using var large = await ReplayServer.StartAsync();
        a.Enqueue(TooLong());
        large.Enqueue(TestWireAnswers.Text("from the large one"));
        await using var services = Registry(
            $"{{{Entry("a", a, "\"context_window\":8000", fallbacks: "\"small\",\"large\"")},{Entry("small", small, "\"context_window\":8000")},{Entry("large", large, "\"context_window\":32000")}}}");

        var response = await services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("a long document");

        Assert.Multiple(() =>
        {
            Assert.That(response.AdditionalProperties![RegistryProperties.ServedBy], Is.EqualTo("large"));
            Assert.That(a.Requests, Has.Count.EqualTo(1));
            Assert.That(small.Requests, Is.Empty, "a window no larger than the one that failed is skipped");
        });
    }

    [Test]
    public async Task A_provider_context_window_error_without_a_fallback_keeps_the_providers_words_under_the_one_code()
    {
        await using var a = await ReplayServer.StartAsync();
        a.Enqueue(TooLong());
        await using var services = Registry($"{{{Entry("a", a)}}}");

        var ex = Assert.ThrowsAsync<ModelProviderException>(() => services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("hi"));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.ErrorCode, Is.EqualTo(ProviderErrorCodes.ContextWindowExceeded));
            Assert.That(ex.StatusCode, Is.EqualTo(400));
            Assert.That(ex.IsRetryable, Is.False);
            Assert.That(ex.Message, Does.Contain("status_400: Input is too long for requested model."));
        });
    }

    [Test]
    public async Task With_fallback_on_context_window_false_a_context_window_error_does_not_fall_back()
    {
        await using var a = await ReplayServer.StartAsync();
        await using var b = await ReplayServer.StartAsync();
        a.Enqueue(TooLong());
        await using var services = Registry(
            $"{{{Entry("a", a, extra: ",\"fallback_on\":{\"context_window\":false}", fallbacks: "\"b\"")},{Entry("b", b)}}}");

        var ex = Assert.ThrowsAsync<ModelProviderException>(() => services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("hi"));

        Assert.That(ex!.ErrorCode, Is.EqualTo(ProviderErrorCodes.ContextWindowExceeded));
        Assert.That(b.Requests, Is.Empty);
    }

    [Test]
    public async Task An_input_refused_by_the_gate_for_its_window_falls_back_to_a_larger_one()
    {
        await using var a = await ReplayServer.StartAsync();
        await using var b = await ReplayServer.StartAsync();
        b.Enqueue(TestWireAnswers.Text("read it all"));
        await using var services = Registry(
            $"{{{Entry("a", a, "\"context_window\":1000", fallbacks: "\"b\"")},{Entry("b", b, "\"context_window\":100000")}}}");

        var response = await services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync(new string('x', 20_000));

        Assert.That(response.AdditionalProperties![RegistryProperties.ServedBy], Is.EqualTo("b"));
        Assert.That(a.Requests, Is.Empty);
    }

    [Test]
    public async Task A_content_filtered_answer_is_the_answer_by_default()
    {
        await using var a = await ReplayServer.StartAsync();
        await using var b = await ReplayServer.StartAsync();
        a.Enqueue(Filtered());
        await using var services = Registry($"{{{Entry("a", a, fallbacks: "\"b\"")},{Entry("b", b)}}}");

        var response = await services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("hi");

        Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.ContentFilter));
        Assert.That(response.AdditionalProperties![RegistryProperties.ServedBy], Is.EqualTo("a"));
        Assert.That(b.Requests, Is.Empty);
    }

    [Test]
    public async Task With_fallback_on_content_filter_a_filtered_answer_moves_to_the_next_fallback()
    {
        await using var a = await ReplayServer.StartAsync();
        await using var b = await ReplayServer.StartAsync();
        a.Enqueue(Filtered());
        b.Enqueue(TestWireAnswers.Text("an answer"));
        await using var services = Registry(
            $"{{{Entry("a", a, extra: ",\"fallback_on\":{\"content_filter\":true}", fallbacks: "\"b\"")},{Entry("b", b)}}}");

        var response = await services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("hi");

        Assert.That(response.Text, Is.EqualTo("an answer"));
        Assert.That(response.AdditionalProperties![RegistryProperties.ServedBy], Is.EqualTo("b"));
        Assert.That(a.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task With_fallback_on_content_filter_the_last_entrys_filtered_answer_is_returned()
    {
        await using var a = await ReplayServer.StartAsync();
        await using var b = await ReplayServer.StartAsync();
        a.Enqueue(Filtered());
        b.Enqueue(Filtered());
        var content = ",\"fallback_on\":{\"content_filter\":true}";
        await using var services = Registry($"{{{Entry("a", a, extra: content, fallbacks: "\"b\"")},{Entry("b", b, extra: content)}}}");

        var response = await services.GetRequiredKeyedService<IChatClient>("a").GetResponseAsync("hi");

        Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.ContentFilter));
        Assert.That(response.AdditionalProperties![RegistryProperties.ServedBy], Is.EqualTo("b"));
    }

    [Test]
    public async Task With_fallback_on_content_filter_a_stream_whose_first_update_is_filtered_moves_to_the_next_fallback()
    {
        await using var a = await ReplayServer.StartAsync();
        await using var b = await ReplayServer.StartAsync();
        a.Enqueue(FilteredStream());
        b.Enqueue(TestWireAnswers.Stream("an ", "answer").Complete());
        await using var services = Registry(
            $"{{{Entry("a", a, extra: ",\"fallback_on\":{\"content_filter\":true}", fallbacks: "\"b\"")},{Entry("b", b)}}}");

        var updates = await services.GetRequiredKeyedService<IChatClient>("a").GetStreamingResponseAsync("hi").ToListAsync();

        Assert.That(string.Concat(updates.Select(u => u.Text)), Is.EqualTo("an answer"));
        Assert.That(updates[0].AdditionalProperties![RegistryProperties.ServedBy], Is.EqualTo("b"));
        Assert.That(updates.Select(u => u.FinishReason), Has.None.EqualTo(ChatFinishReason.ContentFilter));
    }

    [Test]
    public async Task A_stream_filtered_after_its_first_update_reaches_the_caller_as_the_provider_ended_it()
    {
        await using var a = await ReplayServer.StartAsync();
        await using var b = await ReplayServer.StartAsync();
        a.Enqueue(WireStream.ServerSentEvents(
            1,
            """event: start""" + "\n" + """data: {"id":"s1","model":"a-1"}""",
            """event: text""" + "\n" + """data: {"text":"Sorry"}""",
            """event: done""" + "\n" + """data: {"finish":"content_filter","usage":{"input":3,"output":1}}""").Complete());
        await using var services = Registry(
            $"{{{Entry("a", a, extra: ",\"fallback_on\":{\"content_filter\":true}", fallbacks: "\"b\"")},{Entry("b", b)}}}");

        var updates = await services.GetRequiredKeyedService<IChatClient>("a").GetStreamingResponseAsync("hi").ToListAsync();

        Assert.That(updates[^1].FinishReason, Is.EqualTo(ChatFinishReason.ContentFilter));
        Assert.That(updates[0].AdditionalProperties![RegistryProperties.ServedBy], Is.EqualTo("a"));
        Assert.That(b.Requests, Is.Empty, "the caller already saw an update");
    }

    [TestCase(5, 60, 5, TestName = "An open breaker after a 429 with Retry-After stays open exactly that long")]
    [TestCase(5, 3, 3, TestName = "An open breaker's Retry-After is clamped by max_retry_after_ms")]
    [TestCase(0, 60, 1, TestName = "An open breaker without Retry-After stays open for its break duration")]
    public async Task The_breaker_honours_Retry_After(int retryAfterSeconds, int maxRetryAfterSeconds, int expectedOpenSeconds)
    {
        await using var server = await ReplayServer.StartAsync();
        (string, string)[] headers = retryAfterSeconds > 0 ? [("Retry-After", retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture))] : [];
        server.Enqueue(TestWireAnswers.Error(429, "slow down", headers), TestWireAnswers.Error(429, "slow down", headers), TestWireAnswers.Text("back"));
        var time = new FakeClock();
        await using var services = Registry(
            $"{{{Entry("a", server, extra: $",\"circuit_breaker\":{{\"failure_ratio\":1,\"minimum_throughput\":2,\"break_duration_ms\":1000}},\"resilience\":{{\"max_retry_after_ms\":{maxRetryAfterSeconds * 1000}}}")}}}",
            time);
        var client = services.GetRequiredKeyedService<IChatClient>("a");
        for (var i = 0; i < 2; i++)
        {
            Assert.That(Assert.CatchAsync<ModelProviderException>(() => client.GetResponseAsync("hi"))!.StatusCode, Is.EqualTo(429));
        }

        var open = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("hi"));
        Assert.That(open!.ErrorCode, Is.EqualTo(ProviderErrorCodes.CircuitOpen));
        Assert.That(open.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(expectedOpenSeconds)));

        time.Advance(TimeSpan.FromSeconds(expectedOpenSeconds) - TimeSpan.FromMilliseconds(1));
        Assert.That(Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("hi"))!.ErrorCode, Is.EqualTo(ProviderErrorCodes.CircuitOpen), "still open 1 ms before the end");
        Assert.That(server.Requests, Has.Count.EqualTo(2));

        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That((await client.GetResponseAsync("hi").WaitAsync(Guard)).Text, Is.EqualTo("back"), "tried again as soon as the wait is over, not later");
        Assert.That(server.Requests, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task An_apps_own_screening_step_blocks_a_prompt_before_any_HTTP_and_lets_others_through()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(TestWireAnswers.Text("ok"));
        await using var services = Registry($"{{{Entry("a", server)}}}", configure: registry => registry.ConfigurePipeline(pipeline => pipeline.Use(
            async (messages, options, next, cancellationToken) =>
            {
                if (messages.Any(m => m.Text.Contains("ignore previous instructions", StringComparison.OrdinalIgnoreCase)))
                {
                    throw new InvalidOperationException("The prompt was refused by the input screening.");
                }

                await next(messages, options, cancellationToken);
            })));
        var client = services.GetRequiredKeyedService<IChatClient>("a");

        Assert.ThrowsAsync<InvalidOperationException>(() => client.GetResponseAsync("Please IGNORE previous instructions and ..."));
        Assert.That(server.Requests, Is.Empty, "blocked before any HTTP");
        Assert.ThrowsAsync<InvalidOperationException>(async () => await client.GetStreamingResponseAsync("ignore previous instructions").ToListAsync());
        Assert.That(server.Requests, Is.Empty, "streams are screened too");

        Assert.That((await client.GetResponseAsync("What is the capital of France?")).Text, Is.EqualTo("ok"));
        Assert.That(server.Requests.Single().BodyText, Does.Contain("capital of France"));
    }
}
