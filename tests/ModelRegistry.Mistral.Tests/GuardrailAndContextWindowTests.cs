using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Providers;
using ModelRegistry.Testing;
using static ModelRegistry.Mistral.Tests.MistralTestKit;

namespace ModelRegistry.Mistral.Tests;

/// <summary>
/// An entry's guardrail (Mistral's <c>guardrails</c>) and its interventions, and the context-window error under the
/// registry's one code: through <c>AddModelRegistry()</c> against a loopback server.
/// </summary>
public sealed class GuardrailAndContextWindowTests
{
    private static ServiceProvider Registry(string entries)
    {
        var services = new ServiceCollection();
        services.AddSingleton(EnvironmentProvider.FromVariables(new Dictionary<string, string?> { ["MISTRAL_API_KEY"] = "sk-test-guardrails" }));
        services.AddModelRegistry(o => o.Resilience.MaxRetries = 0).FromJson("{" + entries + "}").AddMistral();
        return services.BuildServiceProvider();
    }

    private static string Entry(string name, ReplayServer server, string extra = "") =>
        $$"""
        "{{name}}":{"provider":"mistral","model_id":"{{name}}-latest","endpoint":"{{server.BaseAddress}}"{{extra}}}
        """;

    /// <summary>A guardrail's refusal: Mistral documents the 403, not its words; these are an application error's shape.</summary>
    private static ScriptedResponse Blocked() => ScriptedResponse.Json(
        """{"object":"error","message":"Request blocked by guardrail moderation_llm_v2: category violence_and_threats above threshold","type":"invalid_request_error","param":null,"code":"3700"}""",
        403);

    [Test]
    public async Task An_entrys_guardrail_is_sent_as_mistrals_guardrails_field_and_replaces_no_per_call_one()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Completion(), Stream([Chunk("""{"role":"assistant","content":"ok"}""", finish: "stop")]));
        await using var services = Registry(Entry("mistral-small", server, """
            ,"guardrail":"moderation_llm_v2","guardrail_block_on_error":true,"guardrail_ignore_other_categories":true,
             "guardrail_thresholds":{"violence_and_threats":0.4,"jailbreaking":0.2}
            """));
        var client = services.GetRequiredKeyedService<IChatClient>("mistral-small");
        var perCall = new ChatOptions { AdditionalProperties = new() { [MistralProperties.Guardrails] = "[]" } };

        await client.GetResponseAsync("hi", perCall);
        await client.GetStreamingResponseAsync("hi").ToListAsync();

        const string expected = """
            [{"block_on_error":true,"moderation_llm_v2":{"action":"block","custom_category_thresholds":{"violence_and_threats":0.4,"jailbreaking":0.2},"ignore_other_categories":true}}]
            """;
        AssertJson(server.Requests[0].Json!["guardrails"]!, expected);
        AssertJson(server.Requests[1].Json!["guardrails"]!, expected);
        Assert.That(server.Requests[0].BodyText.Split("\"guardrails\"").Length, Is.EqualTo(2), "written once");
    }

    [Test]
    public async Task Without_a_guardrail_no_guardrails_field_is_sent()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Completion());
        await using var services = Registry(Entry("mistral-small", server));

        await services.GetRequiredKeyedService<IChatClient>("mistral-small").GetResponseAsync("hi");

        Assert.That(server.Requests[0].Json!.AsObject().ContainsKey("guardrails"), Is.False);
    }

    [TestCase(",\"guardrail\":\"moderation_llm_v3\"", "one of: moderation_llm_v2, moderation_llm_v1")]
    [TestCase(",\"guardrail\":\"moderation_llm_v2\",\"guardrail_thresholds\":{\"sexual\":1.5}", "guardrail_thresholds:sexual")]
    [TestCase(",\"guardrail\":\"moderation_llm_v2\",\"guardrail_thresholds\":{\"violence\":0.5}", "guardrail_thresholds:violence")]
    [TestCase(",\"guardrail\":\"moderation_llm_v1\",\"guardrail_thresholds\":{\"jailbreaking\":0.5}", "is not a category of moderation_llm_v1")]
    [TestCase(",\"guardrail_action\":\"block\"", "'guardrail' is not set")]
    public async Task A_bad_guardrail_fails_naming_the_entry_and_the_key(string extra, string expected)
    {
        await using var server = await ReplayServer.StartAsync();
        await using var services = Registry(Entry("mistral-small", server, extra));

        var ex = Assert.ThrowsAsync<ModelRegistryException>(() => services.GetRequiredKeyedService<IChatClient>("mistral-small").GetResponseAsync("hi"));

        Assert.That(ex!.Message, Does.Contain("'mistral-small'").And.Contain(expected));
        Assert.That(server.Requests, Is.Empty);
    }

    [Test]
    public async Task A_guardrail_block_is_a_content_filter_answer_carrying_mistrals_reason()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Blocked(), Blocked());
        await using var services = Registry(Entry("mistral-small", server, ",\"guardrail\":\"moderation_llm_v2\""));
        var client = services.GetRequiredKeyedService<IChatClient>("mistral-small");

        var response = await client.GetResponseAsync("something violent");
        var updates = await client.GetStreamingResponseAsync("something violent").ToListAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.ContentFilter));
            Assert.That(response.Text, Is.Empty);
            Assert.That((string)response.AdditionalProperties![MistralProperties.GuardrailBlock]!, Does.Contain("blocked by guardrail").And.Contain("violence_and_threats"));
            Assert.That(updates, Has.Count.EqualTo(1));
            Assert.That(updates[0].FinishReason, Is.EqualTo(ChatFinishReason.ContentFilter));
            Assert.That((string)updates[0].AdditionalProperties![MistralProperties.GuardrailBlock]!, Does.Contain("blocked by guardrail"));
        });
    }

    [Test]
    public async Task Another_403_stays_an_error()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"object":"error","message":"You do not have access to this model.","type":"invalid_request_error","code":"1501"}""", 403));
        await using var services = Registry(Entry("mistral-small", server, ",\"guardrail\":\"moderation_llm_v2\""));

        var ex = Assert.ThrowsAsync<ModelProviderException>(() => services.GetRequiredKeyedService<IChatClient>("mistral-small").GetResponseAsync("hi"));

        Assert.That((ex!.StatusCode, ex.ErrorCode), Is.EqualTo((403, "1501")));
    }

    [Test]
    public async Task With_fallback_on_content_filter_a_guardrail_block_moves_to_the_fallback_streams_too()
    {
        await using var guarded = await ReplayServer.StartAsync();
        await using var other = await ReplayServer.StartAsync();
        guarded.Enqueue(Blocked(), Blocked());
        other.Enqueue(Completion(content: "\"from the fallback\""), Stream([Chunk("""{"role":"assistant","content":"streamed"}"""), Chunk("""{"content":""}""", finish: "stop")]));
        await using var services = Registry(
            Entry("mistral-small", guarded, ",\"guardrail\":\"moderation_llm_v2\",\"fallback_on\":{\"content_filter\":true},\"fallbacks\":[\"mistral-large\"]") + "," +
            Entry("mistral-large", other));
        var client = services.GetRequiredKeyedService<IChatClient>("mistral-small");

        var response = await client.GetResponseAsync("hi");
        var updates = await client.GetStreamingResponseAsync("hi").ToListAsync();

        Assert.That(response.Text, Is.EqualTo("from the fallback"));
        Assert.That(response.AdditionalProperties![RegistryProperties.ServedBy], Is.EqualTo("mistral-large"));
        Assert.That(string.Concat(updates.Select(u => u.Text)), Is.EqualTo("streamed"));
        Assert.That(updates[0].AdditionalProperties![RegistryProperties.ServedBy], Is.EqualTo("mistral-large"));
    }

    [TestCase("Prompt contains 40005 tokens and 0 draft tokens, too large for model with 32768 maximum context length")]
    [TestCase("This model's maximum context length is 32768 tokens. However, you requested 40005 tokens.")]
    public async Task A_too_large_prompt_is_context_window_exceeded_and_falls_back_to_a_larger_window(string message)
    {
        await using var small = await ReplayServer.StartAsync();
        await using var large = await ReplayServer.StartAsync();
        small.Enqueue(ScriptedResponse.Json($$"""{"object":"error","message":"{{message}}","type":"invalid_request_error","param":null,"code":"3051"}""", 400));
        large.Enqueue(Completion(content: "\"read it all\""));
        await using var services = Registry(
            Entry("ministral-8b", small, ",\"capabilities\":{\"context_window\":32768},\"fallbacks\":[\"mistral-large\"]") + "," +
            Entry("mistral-large", large, ",\"capabilities\":{\"context_window\":131072}"));

        var response = await services.GetRequiredKeyedService<IChatClient>("ministral-8b").GetResponseAsync("a long document");

        Assert.That(response.Text, Is.EqualTo("read it all"));
        Assert.That(response.AdditionalProperties![RegistryProperties.ServedBy], Is.EqualTo("mistral-large"));
    }

    [Test]
    public async Task A_too_large_prompt_without_a_fallback_keeps_mistrals_code_in_the_message()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(
            """{"object":"error","message":"Prompt contains 40005 tokens and 0 draft tokens, too large for model with 32768 maximum context length","type":"invalid_request_error","param":null,"code":"3051"}""",
            400));
        await using var services = Registry(Entry("ministral-8b", server));

        var ex = Assert.ThrowsAsync<ModelProviderException>(() => services.GetRequiredKeyedService<IChatClient>("ministral-8b").GetResponseAsync("hi"));

        Assert.That((ex!.ErrorCode, ex.StatusCode, ex.IsRetryable), Is.EqualTo((ProviderErrorCodes.ContextWindowExceeded, 400, false)));
        Assert.That(ex.Message, Does.Contain("3051: Prompt contains 40005 tokens"));
    }
}
