using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Providers;
using ModelRegistry.Testing;

namespace ModelRegistry.Conformance.Tests;

/// <summary>
/// One registry chain across all four providers, each on its own loopback server speaking its own wire: Claude over
/// the Anthropic Messages API (as on Bedrock Mantle) → a model over OpenAI chat completions → Mistral → the same Claude
/// over Bedrock Converse. Each refusal is one its provider really sends; the call ends on the first that answers, and
/// the answer names it.
/// </summary>
public sealed class FourProviderFallbackTests
{
    private static ServiceProvider Registry(ReplayServer anthropic, ReplayServer openai, ReplayServer mistral, ReplayServer bedrock)
    {
        var registry = new JsonObject
        {
            ["opus-mantle"] = new JsonObject
            {
                ["provider"] = "anthropic", ["model_id"] = "anthropic.claude-opus-4-7", ["endpoint"] = anthropic.BaseAddress.AbsoluteUri,
                ["fallbacks"] = new JsonArray("minimax-mantle", "large", "opus-converse"),
            },
            ["minimax-mantle"] = new JsonObject { ["provider"] = "openai", ["model_id"] = "minimax.minimax-m2.5", ["endpoint"] = openai.BaseAddress.AbsoluteUri },
            ["large"] = new JsonObject { ["provider"] = "mistral", ["model_id"] = "mistral-large-latest", ["endpoint"] = mistral.BaseAddress.AbsoluteUri },
            ["opus-converse"] = new JsonObject
            {
                ["provider"] = "bedrock", ["model_id"] = "us.anthropic.claude-opus-4-7", ["region"] = "us-east-1",
                ["endpoint"] = bedrock.BaseAddress.AbsoluteUri, ["api_key"] = "env:TEST_BEDROCK_KEY",
            },
        };
        var services = new ServiceCollection();
        services.AddSingleton(EnvironmentProvider.FromVariables(new Dictionary<string, string?>
        {
            ["ANTHROPIC_API_KEY"] = "sk-ant-test-anthropic",
            ["OPENAI_API_KEY"] = "sk-test-openai",
            ["MISTRAL_API_KEY"] = "sk-test-mistral",
            ["TEST_BEDROCK_KEY"] = "fake-bedrock-key",
        }));
        services.AddModelRegistry(o => o.Resilience.MaxRetries = 0)
            .FromJson(registry.ToJsonString())
            .AddAnthropic()
            .AddOpenAI()
            .AddMistral()
            .AddBedrock();
        return services.BuildServiceProvider();
    }

    private static ScriptedResponse AnthropicNotServed() => ScriptedResponse.Json(
        """{"type":"error","error":{"type":"not_found_error","message":"model: anthropic.claude-opus-4-7"}}""", 404);

    private static ScriptedResponse OpenAIOverloaded() => ScriptedResponse.Json(
        """{"error":{"message":"The server is overloaded.","type":"server_error","param":null,"code":null}}""", 503);

    private static ScriptedResponse MistralThrottled() => ScriptedResponse.Json(
        """{"object":"error","message":"Requests rate limit exceeded","type":"rate_limited","param":null,"code":"1300"}""", 429);

    [Test]
    public async Task A_call_moves_along_all_four_providers_to_the_first_that_answers()
    {
        await using var anthropic = await ReplayServer.StartAsync();
        await using var openai = await ReplayServer.StartAsync();
        await using var mistral = await ReplayServer.StartAsync();
        await using var bedrock = await ReplayServer.StartAsync();
        anthropic.Enqueue(AnthropicNotServed());
        openai.Enqueue(OpenAIOverloaded());
        mistral.Enqueue(MistralThrottled());
        bedrock.Enqueue(ScriptedResponse.Json("""
            {"output":{"message":{"role":"assistant","content":[{"text":"Answered over Converse."}]}},"stopReason":"end_turn",
             "usage":{"inputTokens":9,"outputTokens":4,"totalTokens":13}}
            """));
        await using var services = Registry(anthropic, openai, mistral, bedrock);

        var response = await services.GetRequiredKeyedService<IChatClient>("opus-mantle").GetResponseAsync("Which model answers?");

        Assert.Multiple(() =>
        {
            Assert.That(response.Text, Is.EqualTo("Answered over Converse."));
            Assert.That(response.AdditionalProperties![RegistryProperties.ServedBy], Is.EqualTo("opus-converse"));
            Assert.That(anthropic.Requests.Single().PathAndQuery, Is.EqualTo("/v1/messages"));
            Assert.That(openai.Requests.Single().PathAndQuery, Is.EqualTo("/chat/completions"));
            Assert.That(mistral.Requests.Single().PathAndQuery, Is.EqualTo("/v1/chat/completions"));
            Assert.That(bedrock.Requests.Single().PathAndQuery, Is.EqualTo("/model/us.anthropic.claude-opus-4-7/converse"));
            foreach (var (server, model) in new[] { (anthropic, "anthropic.claude-opus-4-7"), (openai, "minimax.minimax-m2.5"), (mistral, "mistral-large-latest") })
            {
                Assert.That((string?)JsonNode.Parse(server.Requests.Single().Body)!["model"], Is.EqualTo(model), "each entry sends its own model id");
            }
        });
    }

    [Test]
    public async Task A_stream_moves_along_all_four_providers_before_its_first_update()
    {
        await using var anthropic = await ReplayServer.StartAsync();
        await using var openai = await ReplayServer.StartAsync();
        await using var mistral = await ReplayServer.StartAsync();
        await using var bedrock = await ReplayServer.StartAsync();
        anthropic.Enqueue(ScriptedResponse.Json("""{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""", 529));
        openai.Enqueue(new ScriptedResponse { ResetConnection = true });
        mistral.Enqueue(ScriptedResponse.Json("""{"object":"error","message":"Service unavailable","type":"internal_server_error","param":null,"code":"3000"}""", 503));
        bedrock.Enqueue(new ScriptedResponse
        {
            Headers = [new("Content-Type", "application/vnd.amazon.eventstream")],
            Body = EventStreamEncoder.Body(
                EventStreamEncoder.Event("messageStart", """{"role":"assistant"}"""),
                EventStreamEncoder.Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"Streamed over "}}"""),
                EventStreamEncoder.Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"Converse."}}"""),
                EventStreamEncoder.Event("contentBlockStop", """{"contentBlockIndex":0}"""),
                EventStreamEncoder.Event("messageStop", """{"stopReason":"end_turn"}"""),
                EventStreamEncoder.Event("metadata", """{"usage":{"inputTokens":9,"outputTokens":4,"totalTokens":13},"metrics":{"latencyMs":20}}""")),
        });
        await using var services = Registry(anthropic, openai, mistral, bedrock);

        var updates = await services.GetRequiredKeyedService<IChatClient>("opus-mantle").GetStreamingResponseAsync("Which model answers?").ToListAsync();

        Assert.Multiple(() =>
        {
            Assert.That(string.Concat(updates.Select(u => u.Text)), Is.EqualTo("Streamed over Converse."));
            Assert.That(updates[0].AdditionalProperties![RegistryProperties.ServedBy], Is.EqualTo("opus-converse"));
            Assert.That(bedrock.Requests.Single().PathAndQuery, Is.EqualTo("/model/us.anthropic.claude-opus-4-7/converse-stream"));
            Assert.That(new[] { anthropic, openai, mistral }.Select(s => s.Requests.Count), Is.All.EqualTo(1), "each was tried once");
            Assert.That(Encoding.UTF8.GetString(anthropic.Requests.Single().Body), Does.Contain("\"stream\":true"));
        });
    }
}
