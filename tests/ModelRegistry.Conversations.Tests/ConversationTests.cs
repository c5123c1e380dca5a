using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelRegistry.Testing;

namespace ModelRegistry.Conversations.Tests;

/// <summary>
/// ConversationId through a registry with UseConversations(): the same behaviour on every store (the subclasses run it
/// against the in-memory store and a real PostgreSQL).
/// </summary>
public abstract class ConversationTests
{
    /// <summary>Points the options at the store under test.</summary>
    private protected abstract void UseStore(ConversationOptions options);

    private protected ConversationHarness Build(
        Action<ConversationOptions>? configure = null,
        Action<IServiceCollection>? services = null,
        ConversationHarness? sharing = null,
        Func<IConversationStore, IConversationStore>? wrapStore = null) =>
        ConversationHarness.Build(UseStore, configure, services, sharing, wrapStore);

    private static ChatOptions In(string conversationId) => new() { ConversationId = conversationId };

    private static string[] Texts(IEnumerable<ChatMessage> messages) => [.. messages.Select(m => $"{m.Role}:{m.Text}")];

    [Test]
    public async Task A_call_with_a_stored_id_is_sent_the_history_and_the_new_messages_and_both_are_stored()
    {
        await using var app = Build();
        var conversation = await app.Service.StartAsync();

        var first = await app.Client().GetResponseAsync("hello", In(conversation.Id));
        var second = await app.Client().GetResponseAsync("again", In(conversation.Id));

        var calls = app.Models["primary"].Calls.ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(first.ConversationId, Is.EqualTo(conversation.Id));
            Assert.That(second.ConversationId, Is.EqualTo(conversation.Id));
            Assert.That(Texts(calls[1].Messages), Is.EqualTo(new[] { "user:hello", "assistant:primary: hello", "user:again" }));
            Assert.That(calls.Select(c => c.ConversationId), Is.All.Null, "a provider without state never sees the store's id");
        });
        var stored = await app.Service.GetMessagesAsync(conversation.Id);
        Assert.That(Texts(stored), Is.EqualTo(new[] { "user:hello", "assistant:primary: hello", "user:again", "assistant:primary: again" }));
        Assert.That((await app.Service.GetAsync(conversation.Id)).MessageCount, Is.EqualTo(4));
    }

    [Test]
    public async Task A_call_without_an_id_starts_a_conversation_only_when_the_app_asks()
    {
        await using (var plain = Build())
        {
            var response = await plain.Client().GetResponseAsync("hello");
            Assert.That(response.ConversationId, Is.Null);
            Assert.That(await plain.Service.ListAsync(), Is.Empty);
        }

        await using var app = Build(o => o.StartConversations = true);
        var started = await app.Client().GetResponseAsync("hello");
        Assert.That(started.ConversationId, Does.StartWith("conv_"));
        var conversation = await app.Service.GetAsync(started.ConversationId!);
        Assert.That(conversation.OwnerId, Is.EqualTo("alice"));
        Assert.That(Texts(await app.Service.GetMessagesAsync(conversation.Id)), Is.EqualTo(new[] { "user:hello", "assistant:primary: hello" }));
    }

    [Test]
    public async Task A_stream_is_stored_when_complete_and_its_updates_carry_the_store_id()
    {
        await using var app = Build(o => o.StartConversations = true);
        List<ChatResponseUpdate> updates = [];
        await foreach (var update in app.Client().GetStreamingResponseAsync("hello"))
        {
            updates.Add(update);
        }

        var id = updates[0].ConversationId!;
        Assert.That(updates.Select(u => u.ConversationId), Is.All.EqualTo(id));
        Assert.That(Texts(await app.Service.GetMessagesAsync(id)), Is.EqualTo(new[] { "user:hello", "assistant:primary: hello" }));

        // A stream the caller abandons before its end stores nothing.
        await using (var updatesOfAbandoned = app.Client().GetStreamingResponseAsync("cut short", In(id)).GetAsyncEnumerator())
        {
            Assert.That(await updatesOfAbandoned.MoveNextAsync(), Is.True);
        }

        Assert.That((await app.Service.GetAsync(id)).MessageCount, Is.EqualTo(2));
    }

    [Test]
    public async Task Tool_calls_results_reasoning_and_origin_marks_round_trip_exactly_in_order()
    {
        await using var app = Build(o => o.StartConversations = true);
        var model = app.Models["primary"];
        var reasoning = new TextReasoningContent("thinking") { ProtectedData = "c2lnbmF0dXJl" };
        reasoning.AdditionalProperties = new() { [RegistryProperties.Origin] = "bedrock" };
        model.Answer = context => Task.FromResult(context[^1].Contents.OfType<FunctionResultContent>().Any()
            ? new ChatResponse(new ChatMessage(ChatRole.Assistant, "It is 21 degrees."))
            : new ChatResponse(new ChatMessage(ChatRole.Assistant, [reasoning, new FunctionCallContent("call-1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })])));
        var weather = AIFunctionFactory.Create((string city) => $"21 degrees in {city}", "get_weather");

        // The function-invoking client sends the tool result with the store's id: the middleware adds the stored history.
        var client = new ChatClientBuilder(app.Client()).UseFunctionInvocation().Build();
        var response = await client.GetResponseAsync("Weather in Paris?", new ChatOptions { Tools = [weather] });

        var calls = model.Calls.ToArray();
        Assert.That(calls, Has.Length.EqualTo(2));
        Assert.That(calls[1].Messages.Select(m => m.Role.Value), Is.EqualTo(new[] { "user", "assistant", "tool" }), "the second call got the stored call before its result");
        var stored = await app.Service.GetMessagesAsync(response.ConversationId!);
        Assert.That(stored.Select(m => m.Role.Value), Is.EqualTo(new[] { "user", "assistant", "tool", "assistant" }));
        var call = stored[1].Contents.OfType<FunctionCallContent>().Single();
        var result = stored[2].Contents.OfType<FunctionResultContent>().Single();
        var storedReasoning = stored[1].Contents.OfType<TextReasoningContent>().Single();
        Assert.Multiple(() =>
        {
            Assert.That((call.CallId, call.Name, call.Arguments!["city"]!.ToString()), Is.EqualTo(("call-1", "get_weather", "Paris")));
            Assert.That((result.CallId, result.Result!.ToString()), Is.EqualTo(("call-1", "21 degrees in Paris")));
            Assert.That((storedReasoning.Text, storedReasoning.ProtectedData), Is.EqualTo(("thinking", "c2lnbmF0dXJl")));
            Assert.That(storedReasoning.AdditionalProperties![RegistryProperties.Origin]!.ToString(), Is.EqualTo("bedrock"));
            Assert.That(stored[3].Text, Is.EqualTo("It is 21 degrees."));
        });
        var options = AIJsonUtilities.DefaultOptions;
        Assert.That(JsonSerializer.Serialize(stored[1], options), Is.EqualTo(JsonSerializer.Serialize(calls[1].Messages[1], options)), "the stored message serialises as the one sent");
    }

    [Test]
    public async Task A_fallback_continues_the_same_conversation_from_the_store()
    {
        await using var app = Build();
        var id = (await app.Service.StartAsync()).Id;
        await app.Client().GetResponseAsync("one", In(id));
        var primary = app.Models["primary"];
        primary.Answer = _ => throw new ModelProviderException("overloaded", "scripted") { StatusCode = 503, IsRetryable = true };

        var answer = await app.Client().GetResponseAsync("two", In(id));

        Assert.That(answer.Text, Is.EqualTo("secondary: two"));
        Assert.That(answer.ConversationId, Is.EqualTo(id));
        Assert.That(Texts(app.Models["secondary"].Calls.Single().Messages), Is.EqualTo(new[] { "user:one", "assistant:primary: one", "user:two" }));

        primary.Answer = null;
        await app.Client().GetResponseAsync("three", In(id));
        Assert.That(Texts(primary.Calls.Last().Messages), Is.EqualTo(new[] { "user:one", "assistant:primary: one", "user:two", "assistant:secondary: two", "user:three" }));
        Assert.That((await app.Service.GetAsync(id)).MessageCount, Is.EqualTo(6), "the failed attempt stored nothing");
    }

    [Test]
    public async Task A_stateful_entry_is_sent_only_the_new_messages_while_nobody_else_appended()
    {
        await using var app = Build();
        var stateful = app.Models["stateful"];
        var id = (await app.Service.StartAsync()).Id;

        var first = await app.Client("stateful").GetResponseAsync("one", In(id));
        var second = await app.Client("stateful").GetResponseAsync("two", In(id));
        await app.Client("secondary").GetResponseAsync("three", In(id)); // another entry appends: the server conversation is stale
        await app.Client("stateful").GetResponseAsync("four", In(id));
        await app.Client("stateful").GetResponseAsync("five", In(id));

        var calls = stateful.Calls.ToArray();
        Assert.Multiple(() =>
        {
            Assert.That((first.ConversationId, second.ConversationId), Is.EqualTo((id, id)), "the app always sees the store's id");
            Assert.That((Texts(calls[0].Messages), calls[0].ConversationId), Is.EqualTo((new[] { "user:one" }, (string?)null)));
            Assert.That((Texts(calls[1].Messages), calls[1].ConversationId), Is.EqualTo((new[] { "user:two" }, "stateful-conv-1")));
            Assert.That(calls[2].ConversationId, Is.Null);
            Assert.That(Texts(calls[2].Messages), Is.EqualTo(new[]
            {
                "user:one", "assistant:stateful: one", "user:two", "assistant:stateful: two", "user:three", "assistant:secondary: three", "user:four",
            }));
            Assert.That((Texts(calls[3].Messages), calls[3].ConversationId), Is.EqualTo((new[] { "user:five" }, "stateful-conv-2")));
            Assert.That(calls[3].Messages, Has.Length.EqualTo(1));
        });
        Assert.That((await app.Service.GetAsync(id)).MessageCount, Is.EqualTo(10));
    }

    [Test]
    public async Task A_stateful_entry_that_forgot_its_conversation_is_sent_the_full_history()
    {
        await using var app = Build();
        var stateful = app.Models["stateful"];
        var id = (await app.Service.StartAsync()).Id;
        await app.Client("stateful").GetResponseAsync("one", In(id));
        stateful.ForgetServerConversations();

        var answer = await app.Client("stateful").GetResponseAsync("two", In(id));

        var calls = stateful.Calls.ToArray();
        Assert.That(answer.Text, Is.EqualTo("stateful: two"));
        Assert.That((Texts(calls[1].Messages), calls[1].ConversationId), Is.EqualTo((new[] { "user:two" }, "stateful-conv-1")));
        Assert.That((Texts(calls[2].Messages), calls[2].ConversationId), Is.EqualTo((new[] { "user:one", "assistant:stateful: one", "user:two" }, (string?)null)));
    }

    [Test]
    public async Task A_stateful_entry_streaming_is_recognised_by_the_id_its_updates_carry()
    {
        await using var app = Build();
        var id = (await app.Service.StartAsync()).Id;

        var first = await Drain(app.Client("stateful").GetStreamingResponseAsync("one", In(id)));
        var second = await Drain(app.Client("stateful").GetStreamingResponseAsync("two", In(id)));

        var calls = app.Models["stateful"].Calls.ToArray();
        Assert.That(first.Concat(second).Select(u => u.ConversationId), Is.All.EqualTo(id));
        Assert.That((Texts(calls[1].Messages), calls[1].ConversationId), Is.EqualTo((new[] { "user:two" }, "stateful-conv-1")));
        Assert.That(Texts(await app.Service.GetMessagesAsync(id)), Is.EqualTo(new[] { "user:one", "assistant:stateful: one", "user:two", "assistant:stateful: two" }));
    }

    [Test]
    public async Task A_stream_whose_answer_the_store_failed_to_keep_ends_with_an_update_saying_so()
    {
        FailingAppends? failing = null;
        await using var app = Build(wrapStore: store => failing = new FailingAppends(store));
        var id = (await app.Service.StartAsync()).Id;
        failing!.Fail = true;

        var updates = await Drain(app.Client().GetStreamingResponseAsync("hi", In(id)));

        Assert.That(updates.ToChatResponse().Text, Is.EqualTo("primary: hi"));
        Assert.That(updates[^1].AdditionalProperties![ConversationProperties.Stored], Is.False);
        Assert.That(app.Unstored.GetMeasurementSnapshot().Sum(m => m.Value), Is.EqualTo(1));
        Assert.That(app.Logs.Messages(LogLevel.Warning), Has.Count.EqualTo(1));
    }

    private static async Task<List<ChatResponseUpdate>> Drain(IAsyncEnumerable<ChatResponseUpdate> stream)
    {
        List<ChatResponseUpdate> updates = [];
        await foreach (var update in stream)
        {
            updates.Add(update);
        }

        return updates;
    }

    [Test]
    public async Task Parallel_calls_on_one_conversation_are_serialised_with_nothing_lost_or_interleaved()
    {
        await using var app = Build();
        var id = (await app.Service.StartAsync()).Id;

        await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(() => app.Client().GetResponseAsync($"m{i}", In(id)))));

        var stored = await app.Service.GetMessagesAsync(id);
        Assert.That(stored, Has.Count.EqualTo(24));
        for (var i = 0; i < stored.Count; i += 2)
        {
            Assert.That(stored[i + 1].Text, Is.EqualTo($"primary: {stored[i].Text}"), "each question is followed by its own answer");
        }

        var calls = app.Models["primary"].Calls.Select(c => c.Messages.Length).Order();
        Assert.That(calls, Is.EqualTo(Enumerable.Range(0, 12).Select(i => (2 * i) + 1)), "each call saw every earlier exchange");
        Assert.That(app.Get<ModelRegistry.Conversations.Internal.ConversationRuntime>().Locks.Count, Is.Zero, "no lock is left behind");
    }

    [Test]
    public async Task A_concurrent_append_from_another_process_is_rejected_and_writes_nothing()
    {
        await using var first = Build();
        await using var second = Build(sharing: first);
        var id = (await first.Service.StartAsync()).Id;
        var release = new TaskCompletionSource();
        var entered = new TaskCompletionSource();
        first.Models["primary"].Answer = async context =>
        {
            entered.SetResult();
            await release.Task;
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "slow answer"));
        };

        var slow = first.Client().GetResponseAsync("slow", In(id));
        await entered.Task;
        await second.Client().GetResponseAsync("fast", In(id));
        release.SetResult();
        var error = Assert.ThrowsAsync<ConversationException>(async () => await slow);

        Assert.That(error!.ErrorCode, Is.EqualTo(ConversationErrorCodes.Conflict));
        Assert.That(error.IsRetryable, Is.True);
        Assert.That(error.UnstoredResponse?.Text, Is.EqualTo("slow answer"), "the answer is handed back, not dropped");
        Assert.That(Texts(await first.Service.GetMessagesAsync(id)), Is.EqualTo(new[] { "user:fast", "assistant:primary: fast" }));
        Assert.That(first.Unstored.GetMeasurementSnapshot().Sum(m => m.Value), Is.EqualTo(1));
    }

    [Test]
    public async Task Callers_without_the_role_or_the_ownership_are_refused_and_nothing_is_written()
    {
        await using var app = Build();
        var id = (await app.Service.StartAsync()).Id;

        ConversationException Refused(System.Security.Claims.ClaimsPrincipal caller)
        {
            using (ModelRegistryCaller.Use(caller))
            {
                return Assert.ThrowsAsync<ConversationException>(() => app.Client().GetResponseAsync("hi", In(id)))!;
            }
        }

        var readOnly = Refused(ConversationHarness.Principal("alice", ConversationRoles.ReadOnly));
        var stranger = Refused(ConversationHarness.Principal("mallory", ConversationRoles.User));
        var perCall = Assert.ThrowsAsync<ConversationException>(() => app.Client().GetResponseAsync("hi", new ChatOptions
        {
            ConversationId = id,
            AdditionalProperties = new() { [RegistryProperties.CallerRoles] = "read_only", [ConversationProperties.CallerId] = "alice" },
        }))!;

        Assert.Multiple(() =>
        {
            Assert.That(readOnly.ErrorCode, Is.EqualTo(ConversationErrorCodes.AccessDenied));
            Assert.That(readOnly.Message, Does.Contain("needs the role 'user'"));
            Assert.That(stranger.ErrorCode, Is.EqualTo(ConversationErrorCodes.NotFound), "another owner's conversation is not revealed");
            Assert.That(perCall.ErrorCode, Is.EqualTo(ConversationErrorCodes.AccessDenied));
            Assert.That(readOnly.IsRetryable || stranger.IsRetryable, Is.False);
            Assert.That(app.Models["primary"].Calls, Is.Empty, "no model was called");
            Assert.That(app.Models["secondary"].Calls, Is.Empty, "a refusal does not fall back");
        });
        Assert.That((await app.Service.GetAsync(id)).MessageCount, Is.Zero);

        using (ModelRegistryCaller.Use(ConversationHarness.Principal("root", ConversationRoles.Admin)))
        {
            await app.Client().GetResponseAsync("admin may", In(id));
        }

        Assert.That((await app.Service.GetAsync(id)).MessageCount, Is.EqualTo(2));
    }

    [Test]
    public async Task The_service_applies_the_roles_to_reading_listing_archiving_deleting_and_agents()
    {
        await using var app = Build();
        var reader = ConversationHarness.Principal("alice", ConversationRoles.ReadOnly);
        var bob = ConversationHarness.Principal("bob", ConversationRoles.User);
        var admin = ConversationHarness.Principal("root", ConversationRoles.Admin);
        var alices = await app.Service.StartAsync(metadata: new Dictionary<string, string> { ["title"] = "trip" });
        await app.Service.StartAsync(caller: bob);

        Assert.That((await app.Service.ListAsync(caller: reader)).Select(c => c.Id), Is.EqualTo(new[] { alices.Id }));
        Assert.That((await app.Service.GetAsync(alices.Id, reader)).Metadata!["title"], Is.EqualTo("trip"));
        Assert.That(await app.Service.ListAsync(caller: admin), Has.Count.EqualTo(2));
        Assert.That(Code(() => app.Service.StartAsync(caller: reader)), Is.EqualTo(ConversationErrorCodes.AccessDenied));
        Assert.That(Code(() => app.Service.ListAsync(ownerId: "bob", caller: reader)), Is.EqualTo(ConversationErrorCodes.AccessDenied));
        Assert.That(Code(() => app.Service.GetAsync(alices.Id, bob)), Is.EqualTo(ConversationErrorCodes.NotFound));
        Assert.That(Code(() => app.Service.ArchiveAsync(alices.Id, reader)), Is.EqualTo(ConversationErrorCodes.AccessDenied));
        Assert.That(Code(() => app.Service.DeleteAsync(alices.Id, bob)), Is.EqualTo(ConversationErrorCodes.AccessDenied));
        Assert.That(Code(() => app.Service.SaveAgentAsync(new ConversationAgent { Id = "a1", Name = "Helper" }, bob)), Is.EqualTo(ConversationErrorCodes.AccessDenied));

        await app.Service.SaveAgentAsync(new ConversationAgent { Id = "a1", Name = "Helper", Model = "primary", Instructions = "Be brief." }, admin);
        Assert.That((await app.Service.ListAgentsAsync(caller: reader)).Single().Instructions, Is.EqualTo("Be brief."));
        var withAgent = await app.Service.StartAsync(agentId: "a1");
        Assert.That(withAgent.AgentId, Is.EqualTo("a1"));
        Assert.That(Code(() => app.Service.StartAsync(agentId: "nobody")), Is.EqualTo(ConversationErrorCodes.NotFound));

        await app.Service.ArchiveAsync(alices.Id);
        Assert.That((await app.Service.GetAsync(alices.Id)).IsArchived, Is.True);
        var archived = Assert.ThrowsAsync<ConversationException>(() => app.Client().GetResponseAsync("more", In(alices.Id)))!;
        Assert.That(archived.ErrorCode, Is.EqualTo(ConversationErrorCodes.Archived));

        await app.Service.DeleteAsync(alices.Id, admin);
        Assert.That(Code(() => app.Service.GetAsync(alices.Id)), Is.EqualTo(ConversationErrorCodes.NotFound));
        await app.Service.DeleteAgentAsync("a1", admin);
        Assert.That((await app.Service.GetAsync(withAgent.Id)).AgentId, Is.Null);
    }

    [Test]
    public async Task An_unknown_id_is_a_clear_error_naming_it_and_nothing_is_called()
    {
        await using var app = Build();

        var error = Assert.ThrowsAsync<ConversationException>(() => app.Client().GetResponseAsync("hi", In("conv_nope")))!;

        Assert.That(error.ErrorCode, Is.EqualTo(ConversationErrorCodes.NotFound));
        Assert.That(error.Message, Does.Contain("'conv_nope'"));
        Assert.That(error.ConversationId, Is.EqualTo("conv_nope"));
        Assert.That(app.Models["primary"].Calls, Is.Empty);
    }

    [Test]
    public async Task A_failed_model_call_stores_nothing()
    {
        await using var app = Build();
        var id = (await app.Service.StartAsync()).Id;
        app.Models["primary"].Answer = _ => throw new ModelProviderException("bad request", "scripted") { StatusCode = 400 };

        Assert.ThrowsAsync<ModelProviderException>(() => app.Client().GetResponseAsync("hi", In(id)));

        Assert.That((await app.Service.GetAsync(id)).MessageCount, Is.Zero);
        Assert.That(app.Models["secondary"].Calls, Is.Empty, "a 400 does not fall back");
    }

    [Test]
    public async Task An_answer_the_store_failed_to_keep_is_returned_with_a_warning_and_a_count()
    {
        FailingAppends? failing = null;
        await using var app = Build(wrapStore: store => failing = new FailingAppends(store));
        var id = (await app.Service.StartAsync()).Id;
        failing!.Fail = true;

        var answer = await app.Client().GetResponseAsync("hi", In(id));

        Assert.That(answer.Text, Is.EqualTo("primary: hi"));
        Assert.That(answer.ConversationId, Is.EqualTo(id));
        Assert.That(answer.AdditionalProperties![ConversationProperties.Stored], Is.False);
        Assert.That(app.Logs.Messages(LogLevel.Warning).Single(), Does.Contain("primary").And.Contain(id).And.Contain(ConversationErrorCodes.StoreUnavailable));
        var measurement = app.Unstored.GetMeasurementSnapshot().Single();
        Assert.That((measurement.Value, measurement.Tags["model"], measurement.Tags["error_code"]), Is.EqualTo((1L, (object?)"primary", (object?)ConversationErrorCodes.StoreUnavailable)));
        Assert.That((await app.Service.GetAsync(id)).MessageCount, Is.Zero);
    }

    [Test]
    public async Task A_registered_reducer_shapes_the_history_and_without_one_a_long_history_is_refused()
    {
        await using (var reduced = Build(services: s => s.AddSingleton<IChatReducer>(new KeepLast(2))))
        {
            var id = (await reduced.Service.StartAsync()).Id;
            await reduced.Client().GetResponseAsync("one", In(id));
            await reduced.Client().GetResponseAsync("two", In(id));
            Assert.That(Texts(reduced.Models["primary"].Calls.Last().Messages), Is.EqualTo(new[] { "assistant:primary: one", "user:two" }));
            Assert.That((await reduced.Service.GetAsync(id)).MessageCount, Is.EqualTo(4), "the store keeps everything");
        }

        await using var bounded = Build(o => o.MaxHistoryMessages = 3);
        var boundedId = (await bounded.Service.StartAsync()).Id;
        await bounded.Client().GetResponseAsync("one", In(boundedId));
        await bounded.Client().GetResponseAsync("two", In(boundedId));
        var error = Assert.ThrowsAsync<ConversationException>(() => bounded.Client().GetResponseAsync("three", In(boundedId)))!;
        Assert.That(error.ErrorCode, Is.EqualTo(ConversationErrorCodes.HistoryTooLong));
        Assert.That(error.Message, Does.Contain("MaxHistoryMessages (3)").And.Contain("IChatReducer"));
        Assert.That(bounded.Models["primary"].Calls, Has.Count.EqualTo(2));
    }

    private static string? Code(Func<Task> action) => Assert.ThrowsAsync<ConversationException>(async () => await action())?.ErrorCode;

    private sealed class KeepLast(int count) : IChatReducer
    {
        public Task<IEnumerable<ChatMessage>> ReduceAsync(IEnumerable<ChatMessage> messages, CancellationToken cancellationToken) =>
            Task.FromResult(messages.TakeLast(count));
    }
}
