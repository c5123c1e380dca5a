using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Providers;
using ModelRegistry.Testing;

namespace ModelRegistry.Conversations.Tests;

/// <summary>
/// The stateful-provider rule with a real one: a Mistral entry with <c>"conversations": true</c> (the Conversations API)
/// and one on chat completions, over loopback HTTP, checking what each was sent. The fixtures are ours, in the shape of
/// Mistral's OpenAPI document.
/// </summary>
public sealed class MistralConversationsOverHttpTests
{
    private const string MistralConversation = "conv_0196a4c5e2d17a8b9c0d1e2f3a4b5c6d";
    private const string FreshMistralConversation = "conv_0196a4c9f0e1d2c3b4a5968778695a4b";

    [Test]
    public async Task The_stateful_entry_gets_only_new_inputs_until_another_entry_appends_then_the_whole_history()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(
            ConversationResponse(MistralConversation, "Answer one."),
            ConversationResponse(MistralConversation, "Answer two."),
            Completion("Answer three."),
            ConversationResponse(FreshMistralConversation, "Answer four."));
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().Build())
            .AddSingleton(EnvironmentProvider.FromVariables(new Dictionary<string, string?> { ["MISTRAL_API_KEY"] = "sk-test-conversations" }));
        services.AddModelRegistry(o => o.Resilience.MaxRetries = 0)
            .FromJson($$"""
                {"kept":  {"provider":"mistral","model_id":"mistral-medium-latest","conversations":true,"endpoint":"{{server.BaseAddress}}"},
                 "plain": {"provider":"mistral","model_id":"mistral-small-latest","endpoint":"{{server.BaseAddress}}"}
                }
                """)
            .AddMistral()
            .UseConversations(o => o.DefaultCaller = new ClaimsPrincipal(new ClaimsIdentity(
                [new Claim(ClaimTypes.NameIdentifier, "alice"), new Claim(ClaimTypes.Role, ConversationRoles.User)], "test")));
        await using var provider = services.BuildServiceProvider();
        var id = (await provider.GetRequiredService<ConversationService>().StartAsync()).Id;
        var kept = provider.GetRequiredKeyedService<IChatClient>("kept");
        var plain = provider.GetRequiredKeyedService<IChatClient>("plain");
        var options = new ChatOptions { ConversationId = id };

        var one = await kept.GetResponseAsync("one", options);
        var two = await kept.GetResponseAsync("two", options);
        await plain.GetResponseAsync("three", options);
        var four = await kept.GetResponseAsync("four", options);

        var requests = server.Requests;
        Assert.That(requests.Select(r => r.PathAndQuery), Is.EqualTo(new[]
        {
            "/v1/conversations", $"/v1/conversations/{MistralConversation}", "/v1/chat/completions", "/v1/conversations",
        }));
        Assert.Multiple(() =>
        {
            Assert.That((one.ConversationId, two.ConversationId, four.ConversationId), Is.EqualTo((id, id, id)), "the app sees only the store's id");
            Assert.That(Inputs(requests[0]), Is.EqualTo(new[] { "user:one" }));
            Assert.That(Inputs(requests[1]), Is.EqualTo(new[] { "user:two" }), "the append carries only the new message");
            Assert.That(Messages(requests[2]), Is.EqualTo(new[] { "user:one", "assistant:Answer one.", "user:two", "assistant:Answer two.", "user:three" }));
            Assert.That(requests[2].Json!["conversation_id"], Is.Null);
            Assert.That(Inputs(requests[3]), Is.EqualTo(new[]
            {
                "user:one", "assistant:Answer one.", "user:two", "assistant:Answer two.", "user:three", "assistant:Answer three.", "user:four",
            }), "after another entry appended, the stateful entry starts a fresh server conversation from the whole history");
        });
        Assert.That((await provider.GetRequiredService<ConversationService>().GetAsync(id)).MessageCount, Is.EqualTo(8));
    }

    private static string[] Inputs(ReceivedRequest request) =>
        [.. request.Json!["inputs"]!.AsArray().Select(i => $"{(string?)i!["role"]}:{(string?)i["content"]}")];

    private static string[] Messages(ReceivedRequest request) =>
        [.. request.Json!["messages"]!.AsArray().Select(m => $"{(string?)m!["role"]}:{(string?)m["content"]}")];

    private static ScriptedResponse ConversationResponse(string conversationId, string text) => ScriptedResponse.Json(
        new JsonObject
        {
            ["object"] = "conversation.response",
            ["conversation_id"] = conversationId,
            ["outputs"] = new JsonArray(new JsonObject
            {
                ["object"] = "entry",
                ["type"] = "message.output",
                ["created_at"] = "2026-11-29T18:02:11.482937Z",
                ["completed_at"] = "2026-11-29T18:02:12.901244Z",
                ["agent_id"] = null,
                ["model"] = "mistral-medium-2505",
                ["id"] = $"msg_{Guid.NewGuid():N}",
                ["role"] = "assistant",
                ["content"] = text,
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 41, ["completion_tokens"] = 12, ["total_tokens"] = 53 },
        }.ToJsonString());

    private static ScriptedResponse Completion(string text) => ScriptedResponse.Json(
        new JsonObject
        {
            ["id"] = "0123456789abcdef0123456789abcdef",
            ["object"] = "chat.completion",
            ["model"] = "mistral-small-latest",
            ["created"] = 1764257531,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text },
                ["finish_reason"] = "stop",
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 5, ["completion_tokens"] = 2, ["total_tokens"] = 7 },
        }.ToJsonString());
}
