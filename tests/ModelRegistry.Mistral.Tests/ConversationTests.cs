using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Providers;
using ModelRegistry.Testing;
using static ModelRegistry.Mistral.Tests.ConversationFixtures;
using static ModelRegistry.Mistral.Tests.MistralTestKit;

namespace ModelRegistry.Mistral.Tests;

/// <summary>
/// The Conversations API behind <see cref="ChatOptions.ConversationId"/>: a call without one starts a conversation, a call
/// with one appends only its new messages, <c>from_entry_id</c> restarts; the answer carries the id. Without the opt-in, a
/// conversation id is refused before anything is sent.
/// </summary>
public sealed class ConversationTests
{
    [Test]
    public async Task A_call_without_a_conversation_id_starts_one_and_the_answer_names_it()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Response(ConversationId, Output("\"Nighthawks was painted by Edward Hopper in 1942.\"")));
        using var client = Client(server);

        var response = await client.GetResponseAsync(
            [new ChatMessage(ChatRole.System, "Answer in one sentence."), new ChatMessage(ChatRole.User, "Who painted Nighthawks?")],
            new ChatOptions
            {
                Instructions = "You are an art historian.",
                Temperature = 0.2f,
                TopP = 0.9f,
                MaxOutputTokens = 200,
                StopSequences = ["END"],
                Seed = 7,
                ResponseFormat = ChatResponseFormat.Text,
                ToolMode = ChatToolMode.Auto,
                Tools = [AIFunctionFactory.CreateDeclaration("find_painting", "Finds a painting.", JsonElement.Parse("""{"type":"object","properties":{"title":{"type":"string"}}}""")), new HostedWebSearchTool()],
                Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low },
                AllowMultipleToolCalls = true, // chat completions only: the Conversations API has no parallel_tool_calls.
                AdditionalProperties = new()
                {
                    [MistralProperties.Store] = true,
                    [MistralProperties.HandoffExecution] = "server",
                    [MistralProperties.Metadata] = new Dictionary<string, string> { ["ticket"] = "T-1" },
                    [MistralProperties.Prediction] = "Nighthawks was painted by",
                    [MistralProperties.SafePrompt] = true, // chat completions only: not sent.
                },
            });

        var request = SingleRequest(server);
        Assert.Multiple(() =>
        {
            Assert.That(server.Requests[0].PathAndQuery, Is.EqualTo("/v1/conversations"));
            Assert.That(server.Requests[0].Header("authorization"), Is.EqualTo("Bearer " + ApiKey));
            Assert.That(server.Requests[0].Header("accept"), Is.EqualTo("application/json"));
        });
        AssertJson(request, """
            {"model":"mistral-medium-latest",
             "inputs":[{"type":"message.input","role":"user","content":"Who painted Nighthawks?"}],
             "instructions":"You are an art historian.\n\nAnswer in one sentence.",
             "tools":[{"type":"function","function":{"name":"find_painting","description":"Finds a painting.","parameters":{"type":"object","properties":{"title":{"type":"string"}}}}},{"type":"web_search"}],
             "completion_args":{"temperature":0.2,"top_p":0.9,"max_tokens":200,"stop":["END"],"random_seed":7,"response_format":{"type":"text"},
                                "tool_choice":"auto","prediction":{"type":"content","content":"Nighthawks was painted by"},"reasoning_effort":"low"},
             "stream":false,"store":true,"handoff_execution":"server","metadata":{"ticket":"T-1"}}
            """);
        Assert.Multiple(() =>
        {
            Assert.That(response.ConversationId, Is.EqualTo(ConversationId));
            Assert.That(response.Text, Is.EqualTo("Nighthawks was painted by Edward Hopper in 1942."));
            Assert.That(response.ResponseId, Is.EqualTo("msg_0196a4c5e7f81b2c3d4e5f60718293a4"), "the last entry's id names the answer");
            Assert.That(response.Messages.Single().MessageId, Is.EqualTo("msg_0196a4c5e7f81b2c3d4e5f60718293a4"));
            Assert.That(response.Messages.Single().Role, Is.EqualTo(ChatRole.Assistant));
            Assert.That(response.ModelId, Is.EqualTo("mistral-medium-2505"));
            Assert.That(response.CreatedAt, Is.EqualTo(DateTimeOffset.Parse(Created, System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
            Assert.That(response.Usage!.InputTokenCount, Is.EqualTo(41));
            Assert.That(response.Usage.OutputTokenCount, Is.EqualTo(12));
            Assert.That(response.Usage.TotalTokenCount, Is.EqualTo(53));
            Assert.That(response.Usage.AdditionalCounts, Is.Null, "connector_tokens was null");
        });
    }

    [Test]
    public async Task A_conversation_starts_from_an_existing_history_with_tool_round_trips_another_provider_made()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Response(ConversationId, Output("\"It is 14 degrees and raining in Paris.\"")));
        using var client = Client(server);
        var openAiCall = new FunctionCallContent("call_Vx2yQ8aLk3", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" });

        await client.GetResponseAsync(
        [
            new ChatMessage(ChatRole.User, "Weather in Paris?"),
            new ChatMessage(ChatRole.Assistant, [new TextContent("Let me look."), openAiCall]),
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_Vx2yQ8aLk3", "14°C, rain")]),
            new ChatMessage(ChatRole.Assistant, "14°C and rain."),
            new ChatMessage(ChatRole.User, "Say it as a sentence."),
        ]);

        var mapped = PortableHistory.StableId("call_Vx2yQ8aLk3", 9);
        AssertJson(SingleRequest(server), $$"""
            {"model":"mistral-medium-latest","stream":false,
             "inputs":[
               {"type":"message.input","role":"user","content":"Weather in Paris?"},
               {"type":"message.output","role":"assistant","content":"Let me look."},
               {"type":"function.call","tool_call_id":"{{mapped}}","name":"get_weather","arguments":"{\"city\":\"Paris\"}"},
               {"type":"function.result","tool_call_id":"{{mapped}}","result":"14°C, rain"},
               {"type":"message.output","role":"assistant","content":"14°C and rain."},
               {"type":"message.input","role":"user","content":"Say it as a sentence."}]}
            """);
    }

    [Test]
    public async Task A_trailing_assistant_message_is_a_prefix_the_answer_continues()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Response(ConversationId, Output("\"Bonjour, le monde\"")));
        using var client = Client(server);

        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Say hello in French."), new ChatMessage(ChatRole.Assistant, "Bonjour")]);

        AssertJson(SingleRequest(server)["inputs"]!, """
            [{"type":"message.input","role":"user","content":"Say hello in French."},
             {"type":"message.input","role":"assistant","content":"Bonjour","prefix":true}]
            """);
    }

    [Test]
    public async Task With_a_conversation_id_only_the_new_messages_are_appended_and_the_conversation_keeps_its_instructions_and_tools()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Response(ConversationId, Output("\"Yes, in 1942.\"", id: "msg_0196a4c6a1b2c3d4e5f60718293a4b5c")));
        using var client = Client(server);

        var response = await client.GetResponseAsync("Was that during the war?", new ChatOptions
        {
            ConversationId = ConversationId,
            Instructions = "You are an art historian.", // kept by the conversation since it started: not sent again.
            Tools = [new HostedWebSearchTool()], // likewise.
            ModelId = "mistral-large-latest", // the conversation keeps its model.
            MaxOutputTokens = 64,
            AdditionalProperties = new() { [MistralProperties.Store] = false, [MistralProperties.Metadata] = new Dictionary<string, string> { ["a"] = "b" } },
        });

        Assert.That(server.Requests[0].PathAndQuery, Is.EqualTo($"/v1/conversations/{ConversationId}"));
        AssertJson(SingleRequest(server), """
            {"inputs":[{"type":"message.input","role":"user","content":"Was that during the war?"}],
             "completion_args":{"max_tokens":64},"stream":false,"store":false}
            """);
        Assert.Multiple(() =>
        {
            Assert.That(response.ConversationId, Is.EqualTo(ConversationId));
            Assert.That(response.Text, Is.EqualTo("Yes, in 1942."));
        });
    }

    [Test]
    public void A_system_message_cannot_join_a_started_conversation()
    {
        var error = Assert.ThrowsAsync<ArgumentException>(async () =>
        {
            await using var server = await ReplayServer.StartAsync();
            using var client = Client(server);
            await client.GetResponseAsync([new ChatMessage(ChatRole.System, "Be terse.")], new ChatOptions { ConversationId = ConversationId });
        });
        Assert.That(error!.Message, Does.Contain("instructions it started with"));
    }

    [Test]
    public void A_required_function_cannot_be_named_in_a_conversation()
    {
        var error = Assert.ThrowsAsync<NotSupportedException>(async () =>
        {
            await using var server = await ReplayServer.StartAsync();
            using var client = Client(server);
            await client.GetResponseAsync("hi", new ChatOptions { ToolMode = ChatToolMode.RequireSpecific("get_weather") });
        });
        Assert.That(error!.Message, Does.Contain("'get_weather'").And.Contain("auto, none or any"));
    }

    [Test]
    public async Task Function_calls_round_trip_through_the_conversation_with_MEAI_function_invocation()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(
            Response(ConversationId, FunctionCall("D681PevKs", "get_weather", """{"city":"Lyon"}""")),
            Response(ConversationId, Output("\"Lyon: 9°C and sunny.\"", id: "msg_0196a4c7")));
        var calls = 0;
        var weather = AIFunctionFactory.Create((string city) => { calls++; return $"{city}: 9°C, sunny"; }, "get_weather");
        using var client = new ChatClientBuilder(Client(server)).UseFunctionInvocation().Build();

        var response = await client.GetResponseAsync("Weather in Lyon?", new ChatOptions { Tools = [weather] });

        Assert.That(server.Requests, Has.Count.EqualTo(2));
        Assert.Multiple(() =>
        {
            Assert.That(calls, Is.EqualTo(1));
            Assert.That(server.Requests[0].PathAndQuery, Is.EqualTo("/v1/conversations"));
            Assert.That(server.Requests[1].PathAndQuery, Is.EqualTo($"/v1/conversations/{ConversationId}"), "the result continues the conversation");
            Assert.That(response.Text, Is.EqualTo("Lyon: 9°C and sunny."));
            Assert.That(response.ConversationId, Is.EqualTo(ConversationId));
        });
        Assert.That(server.Requests[0].Json!["tools"]![0]!["function"]!["name"]!.GetValue<string>(), Is.EqualTo("get_weather"));
        AssertJson(server.Requests[1].Json!, """
            {"inputs":[{"type":"function.result","tool_call_id":"D681PevKs","result":"Lyon: 9°C, sunny"}],"stream":false}
            """);
    }

    [Test]
    public async Task A_function_call_answer_finishes_with_tool_calls_and_keeps_mistral_ids_as_they_are_on_append()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Response(ConversationId, FunctionCall("fc_call_01JDX8", "get_weather", """{"city":"Nice"}""")), Response(ConversationId, Output("\"ok\"")));
        using var client = Client(server);

        var first = await client.GetResponseAsync("Weather in Nice?");
        var call = first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single();
        await client.GetResponseAsync(
            [new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, "sunny")])],
            new ChatOptions { ConversationId = first.ConversationId });

        Assert.Multiple(() =>
        {
            Assert.That(first.FinishReason, Is.EqualTo(ChatFinishReason.ToolCalls));
            Assert.That(call.CallId, Is.EqualTo("fc_call_01JDX8"));
            Assert.That(call.Name, Is.EqualTo("get_weather"));
            Assert.That(call.Arguments, Is.EqualTo(new Dictionary<string, object?> { ["city"] = "Nice" }).Using<IDictionary<string, object?>>(SameArguments));
            Assert.That(call.AdditionalProperties?.ContainsKey(RegistryProperties.Origin) ?? false, Is.False, "a function call is portable");
            Assert.That(server.Requests[1].Json!["inputs"]![0]!["tool_call_id"]!.GetValue<string>(), Is.EqualTo("fc_call_01JDX8"), "Mistral's own id is sent back unchanged");
        });
    }

    [Test]
    public async Task From_entry_id_restarts_the_conversation_and_the_answer_names_the_new_one()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Response(RestartedId, Output("\"Edward Hopper.\"")));
        using var client = new ChatClientBuilder(Client(server, agentId: "ag_0196a4c0e1d2c3b4")).Build();

        var response = await client.GetResponseAsync("Who painted it, in two words?", new ChatOptions
        {
            ConversationId = ConversationId,
            AdditionalProperties = new() { [MistralProperties.FromEntryId] = "msg_0196a4c5e7f81b2c3d4e5f60718293a4" },
        });

        Assert.That(server.Requests[0].PathAndQuery, Is.EqualTo($"/v1/conversations/{ConversationId}/restart"));
        AssertJson(SingleRequest(server), """
            {"inputs":[{"type":"message.input","role":"user","content":"Who painted it, in two words?"}],"stream":false,
             "from_entry_id":"msg_0196a4c5e7f81b2c3d4e5f60718293a4"}
            """);
        Assert.That(response.ConversationId, Is.EqualTo(RestartedId));
    }

    [Test]
    public void A_restart_needs_the_conversation_it_restarts()
    {
        var error = Assert.ThrowsAsync<ArgumentException>(async () =>
        {
            await using var server = await ReplayServer.StartAsync();
            using var client = Client(server);
            await client.GetResponseAsync("hi", new ChatOptions { AdditionalProperties = new() { [MistralProperties.FromEntryId] = "msg_1" } });
        });
        Assert.That(error!.Message, Does.Contain("from_entry_id").And.Contain("ChatOptions.ConversationId"));
    }

    [Test]
    public async Task An_agent_conversation_starts_with_agent_id_and_may_override_its_sampling()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Response(ConversationId, Output("\"Hello from the agent.\"")));
        using var client = Client(server, agentId: "ag_0196a4c0e1d2c3b4");

        await client.GetResponseAsync("hi", new ChatOptions { Temperature = 0.1f });

        AssertJson(SingleRequest(server), """
            {"agent_id":"ag_0196a4c0e1d2c3b4","inputs":[{"type":"message.input","role":"user","content":"hi"}],
             "completion_args":{"temperature":0.1},"stream":false}
            """);
    }

    [Test]
    public async Task An_unknown_conversation_is_a_clear_error_that_is_not_retried()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"object":"error","message":"Conversation not found","type":"invalid_request_error","param":null,"code":"3404"}""", 404));
        using var client = Client(server, maxRetries: 2);

        var error = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("again", new ChatOptions { ConversationId = "conv_gone" }));

        Assert.Multiple(() =>
        {
            Assert.That(server.Requests, Has.Count.EqualTo(1), "not retried");
            Assert.That(error!.StatusCode, Is.EqualTo(404));
            Assert.That(error.ErrorCode, Is.EqualTo("conversation_not_found"));
            Assert.That(error.IsRetryable, Is.False);
            Assert.That(error.Provider, Is.EqualTo("mistral"));
            Assert.That(error.Message, Does.Contain("'conv_gone'").And.Contain("3404").And.Not.Contain(ApiKey));
            Assert.That(error.InnerException, Is.InstanceOf<ModelProviderException>());
        });
    }

    [Test]
    public async Task Without_the_opt_in_a_conversation_id_is_refused_before_anything_is_sent()
    {
        await using var server = await ReplayServer.StartAsync();
        using var client = ChatClient(server);

        var error = Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("hi", new ChatOptions { ConversationId = ConversationId }));
        var streamed = Assert.ThrowsAsync<ModelProviderException>(async () =>
        {
            await foreach (var _ in client.GetStreamingResponseAsync("hi", new ChatOptions { ConversationId = ConversationId }))
            {
            }
        });

        Assert.Multiple(() =>
        {
            Assert.That(server.Requests, Is.Empty);
            Assert.That(error!.ErrorCode, Is.EqualTo(ProviderErrorCodes.CapabilityMismatch));
            Assert.That(error.IsRetryable, Is.False);
            Assert.That(error.Message, Does.Contain(ConversationId).And.Contain("\"conversations\": true").And.Contain("MistralClientOptions.Conversations"));
            Assert.That(streamed!.ErrorCode, Is.EqualTo(ProviderErrorCodes.CapabilityMismatch));
        });
    }

    [Test]
    public async Task A_registry_entry_opts_in_with_conversations_and_one_without_refuses_naming_the_entry()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Response(ConversationId, Output("\"hi\"")));
        await using var services = Registry($$"""
            {"kept":  {"provider":"mistral","model_id":"agent","agent_id":"ag_0196a4c0e1d2c3b4","conversations":true,"endpoint":"{{server.BaseAddress}}"},
             "plain": {"provider":"mistral","model_id":"mistral-small-latest","endpoint":"{{server.BaseAddress}}"}
            }
            """);

        var kept = await services.GetRequiredKeyedService<IChatClient>("kept").GetResponseAsync("hi");
        var error = Assert.ThrowsAsync<ModelProviderException>(() =>
            services.GetRequiredKeyedService<IChatClient>("plain").GetResponseAsync("hi", new ChatOptions { ConversationId = kept.ConversationId }));

        Assert.Multiple(() =>
        {
            Assert.That(kept.ConversationId, Is.EqualTo(ConversationId));
            Assert.That(server.Requests, Has.Count.EqualTo(1));
            Assert.That(server.Requests[0].PathAndQuery, Is.EqualTo("/v1/conversations"));
            Assert.That(server.Requests[0].Json!["agent_id"]!.GetValue<string>(), Is.EqualTo("ag_0196a4c0e1d2c3b4"));
            Assert.That(error!.Message, Does.Contain("'plain'").And.Contain("\"conversations\": true"));
        });
    }

    [Test]
    public async Task AddMistral_can_make_conversations_the_default_and_an_entry_setting_wins()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Response(ConversationId, Output("\"kept\"")), Completion());
        await using var services = Registry(
            $$"""
            {"kept":  {"provider":"mistral","model_id":"mistral-small-latest","endpoint":"{{server.BaseAddress}}"},
             "plain": {"provider":"mistral","model_id":"mistral-small-latest","conversations":false,"endpoint":"{{server.BaseAddress}}"}
            }
            """,
            o => o.Conversations = true);

        await services.GetRequiredKeyedService<IChatClient>("kept").GetResponseAsync("hi");
        await services.GetRequiredKeyedService<IChatClient>("plain").GetResponseAsync("hi");

        Assert.That(server.Requests.Select(r => r.PathAndQuery), Is.EqualTo(new[] { "/v1/conversations", "/v1/chat/completions" }));
    }

    [Test]
    public async Task The_conversations_setting_is_validated_when_the_registry_loads()
    {
        await using var services = Registry("""{"bad":{"provider":"mistral","model_id":"mistral-small-latest","conversations":"yes"}}""");
        var error = Assert.ThrowsAsync<ModelRegistryException>(() => services.GetRequiredKeyedService<IChatClient>("bad").GetResponseAsync("hi"));
        Assert.That(error!.Message, Does.Contain("'bad'").And.Contain("conversations").And.Contain("true or false"));
    }

    [Test]
    public async Task History_reads_every_entry_as_messages_through_the_same_transport()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json($$$"""
            {"object":"conversation.history","conversation_id":"{{{ConversationId}}}","entries":[
              {"object":"entry","type":"message.input","created_at":"{{{Created}}}","completed_at":null,"id":"msg_in_1","role":"user","content":"Plot sin(x) and tell me sin(pi/2).","prefix":false},
              {"object":"entry","type":"tool.execution","created_at":"{{{Created}}}","completed_at":"{{{Completed}}}","agent_id":null,"model":"mistral-medium-2505","id":"tool_exec_1","name":"code_interpreter","arguments":"{\"code\": \"import math\\nprint(math.sin(math.pi/2))\"}","info":{"code":"import math\nprint(math.sin(math.pi/2))","code_output":"1.0\n"}},
              {"object":"entry","type":"function.call","created_at":"{{{Created}}}","completed_at":null,"agent_id":null,"model":"mistral-medium-2505","id":"fc_1","tool_call_id":"Ab3dE5gH7","name":"save_plot","arguments":{"name":"sin"}},
              {"object":"entry","type":"function.result","created_at":"{{{Created}}}","completed_at":null,"id":"fr_1","tool_call_id":"Ab3dE5gH7","result":"saved"},
              {"object":"entry","type":"message.output","created_at":"{{{Created}}}","completed_at":"{{{Completed}}}","agent_id":null,"model":"mistral-medium-2505","id":"msg_out_1","role":"assistant",
               "content":[{"type":"text","text":"sin(pi/2) = 1.0. Here is the plot:"},{"type":"tool_file","tool":"code_interpreter","file_id":"4d2f5b3c-9a8e-4f1b-b2c3-d4e5f6a7b8c9","file_name":"plot.png","file_type":"png"}]},
              {"object":"entry","type":"agent.handoff","created_at":"{{{Created}}}","completed_at":"{{{Completed}}}","id":"handoff_1","previous_agent_id":"ag_a","previous_agent_name":"router","next_agent_id":"ag_b","next_agent_name":"math"}
            ]}
            """));
        var mistral = new MistralClient(Options(server));

        var history = await mistral.GetConversationHistoryAsync(ConversationId);

        Assert.Multiple(() =>
        {
            Assert.That(server.Requests.Single().Method, Is.EqualTo("GET"));
            Assert.That(server.Requests[0].PathAndQuery, Is.EqualTo($"/v1/conversations/{ConversationId}/history"));
            Assert.That(server.Requests[0].Header("authorization"), Is.EqualTo("Bearer " + ApiKey));
            Assert.That(history.Select(m => m.MessageId), Is.EqualTo(new[] { "msg_in_1", "tool_exec_1", "fc_1", "fr_1", "msg_out_1", "handoff_1" }));
            Assert.That(history.Select(m => m.Role), Is.EqualTo(new[] { ChatRole.User, ChatRole.Assistant, ChatRole.Assistant, ChatRole.Tool, ChatRole.Assistant, ChatRole.Assistant }));
            Assert.That(history[0].Text, Is.EqualTo("Plot sin(x) and tell me sin(pi/2)."));
            Assert.That(history[0].CreatedAt, Is.EqualTo(DateTimeOffset.Parse(Created, System.Globalization.CultureInfo.InvariantCulture)));
        });
        var code = history[1].Contents.OfType<CodeInterpreterToolCallContent>().Single();
        var output = history[1].Contents.OfType<CodeInterpreterToolResultContent>().Single();
        var call = history[2].Contents.OfType<FunctionCallContent>().Single();
        var result = history[3].Contents.OfType<FunctionResultContent>().Single();
        var file = history[4].Contents.OfType<HostedFileContent>().Single();
        Assert.Multiple(() =>
        {
            Assert.That(code.CallId, Is.EqualTo("tool_exec_1"));
            Assert.That(((TextContent)code.Inputs!.Single()).Text, Is.EqualTo("import math\nprint(math.sin(math.pi/2))"));
            Assert.That(output.CallId, Is.EqualTo("tool_exec_1"));
            Assert.That(((TextContent)output.Outputs!.Single()).Text, Is.EqualTo("1.0\n"));
            Assert.That(Origin(code), Is.EqualTo("mistral"), "a connector Mistral ran is Mistral's record");
            Assert.That(Origin(output), Is.EqualTo("mistral"));
            Assert.That(call.CallId, Is.EqualTo("Ab3dE5gH7"));
            Assert.That(call.Arguments!["name"]?.ToString(), Is.EqualTo("sin"), "arguments given as an object");
            Assert.That(result.CallId, Is.EqualTo("Ab3dE5gH7"));
            Assert.That(result.Result, Is.EqualTo("saved"));
            Assert.That(history[4].Text, Is.EqualTo("sin(pi/2) = 1.0. Here is the plot:"));
            Assert.That(file.FileId, Is.EqualTo("4d2f5b3c-9a8e-4f1b-b2c3-d4e5f6a7b8c9"));
            Assert.That(file.Name, Is.EqualTo("plot.png"));
            Assert.That(file.MediaType, Is.EqualTo("image/png"));
            Assert.That(Origin(file), Is.EqualTo("mistral"), "only Mistral can resolve its file ids");
            Assert.That(((JsonElement)history[5].Contents.Single().RawRepresentation!).GetProperty("next_agent_name").GetString(), Is.EqualTo("math"));
            Assert.That(Origin(history[5].Contents.Single()), Is.EqualTo("mistral"));
        });
    }

    [Test]
    public async Task Messages_read_only_the_messages_and_an_unknown_conversation_names_it()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(
            ScriptedResponse.Json($$$"""
                {"object":"conversation.messages","conversation_id":"{{{ConversationId}}}","messages":[
                  {"object":"entry","type":"message.input","created_at":"{{{Created}}}","id":"msg_in_1","role":"user","content":[{"type":"text","text":"hi"}]},
                  {"object":"entry","type":"message.output","created_at":"{{{Created}}}","id":"msg_out_1","model":"mistral-medium-2505","role":"assistant","content":"hello"}]}
                """),
            ScriptedResponse.Json("""{"detail":"Not Found"}""", 404));
        var mistral = new MistralClient(Options(server));

        var messages = await mistral.GetConversationMessagesAsync(ConversationId);
        var error = Assert.ThrowsAsync<ModelProviderException>(() => mistral.GetConversationHistoryAsync("conv_unknown"));

        Assert.Multiple(() =>
        {
            Assert.That(server.Requests[0].PathAndQuery, Is.EqualTo($"/v1/conversations/{ConversationId}/messages"));
            Assert.That(messages.Select(m => (m.Role, m.Text)), Is.EqualTo(new[] { (ChatRole.User, "hi"), (ChatRole.Assistant, "hello") }));
            Assert.That(error!.ErrorCode, Is.EqualTo("conversation_not_found"));
            Assert.That(error.Message, Does.Contain("'conv_unknown'"));
            Assert.That(error.IsRetryable, Is.False);
        });
        Assert.ThrowsAsync<ArgumentException>(() => mistral.GetConversationHistoryAsync(".."));
    }

    [Test]
    public async Task Connector_entries_and_cited_text_of_an_answer_map_to_hosted_tool_contents()
    {
        await using var server = await ReplayServer.StartAsync();
        var cited = Output("""[{"type":"text","text":"Painted in 1942."},{"type":"tool_reference","tool":"web_search_premium","title":"Nighthawks","url":"https://en.wikipedia.org/wiki/Nighthawks_(Hopper)","description":null}]""");
        server.Enqueue(ScriptedResponse.Json($$$"""
            {"object":"conversation.response","conversation_id":"{{{ConversationId}}}","outputs":[
              {"object":"entry","type":"tool.execution","created_at":"{{{Created}}}","completed_at":"{{{Completed}}}","agent_id":null,"model":"mistral-medium-2505","id":"tool_ws_1","name":"web_search_premium","arguments":"{\"query\": \"Nighthawks year\"}","info":{}},
              {"object":"entry","type":"tool.execution","created_at":"{{{Created}}}","completed_at":"{{{Completed}}}","agent_id":null,"model":"mistral-medium-2505","id":"tool_lib_1","name":"document_library","arguments":"{\"query\": \"Hopper\"}","info":{}},
              {{{cited}}}],
             "usage":{"prompt_tokens":300,"completion_tokens":20,"total_tokens":320,"connector_tokens":250,"connectors":{"web_search_premium":1,"document_library":1} } }
            """));
        using var client = Client(server);

        var response = await client.GetResponseAsync("When?", new ChatOptions
        {
            Tools = [new HostedWebSearchTool(new Dictionary<string, object?> { [MistralProperties.WebSearchPremium] = true }), new HostedFileSearchTool { Inputs = [new HostedVectorStoreContent("lib_0193a7c2")] }],
        });

        AssertJson(SingleRequest(server)["tools"]!, """[{"type":"web_search_premium"},{"type":"document_library","library_ids":["lib_0193a7c2"]}]""");
        var search = response.Messages[0].Contents.OfType<WebSearchToolCallContent>().Single();
        var library = response.Messages[1].Contents.Single();
        var citation = (CitationAnnotation)response.Messages[2].Contents.OfType<TextContent>().Single().Annotations!.Single();
        Assert.Multiple(() =>
        {
            Assert.That(response.Messages.Select(m => m.MessageId), Is.EqualTo(new[] { "tool_ws_1", "tool_lib_1", "msg_0196a4c5e7f81b2c3d4e5f60718293a4" }));
            Assert.That(search.Queries, Is.EqualTo(new[] { "Nighthawks year" }));
            Assert.That(response.Messages[0].Contents.OfType<WebSearchToolResultContent>().Single().CallId, Is.EqualTo("tool_ws_1"));
            Assert.That(library.GetType(), Is.EqualTo(typeof(AIContent)), "MEAI has no document library record: the entry, kept whole");
            Assert.That(Origin(library), Is.EqualTo("mistral"));
            Assert.That(citation.Url!.AbsoluteUri, Is.EqualTo("https://en.wikipedia.org/wiki/Nighthawks_(Hopper)"));
            Assert.That(response.Text, Is.EqualTo("Painted in 1942."));
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
            Assert.That(response.Usage!.AdditionalCounts![MistralProperties.ConnectorTokens], Is.EqualTo(250));
        });
    }

    [Test]
    public async Task A_history_read_back_starts_a_new_conversation_without_the_records_of_connectors()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Response(ConversationId,
            $$"""{"object":"entry","type":"tool.execution","created_at":"{{Created}}","id":"tool_ci_1","name":"code_interpreter","arguments":"","info":{"code":"print(1+1)","code_output":"2\n"} }""",
            Output("\"1+1 is 2.\"")));
        server.Enqueue(Response(RestartedId, Output("\"And 2+2 is 4.\"")));
        using var client = Client(server);

        var first = await client.GetResponseAsync("What is 1+1? Use code.");
        await client.GetResponseAsync([new ChatMessage(ChatRole.User, "What is 1+1? Use code."), .. first.Messages, new ChatMessage(ChatRole.User, "And 2+2?")]);

        AssertJson(server.Requests[1].Json!["inputs"]!, """
            [{"type":"message.input","role":"user","content":"What is 1+1? Use code."},
             {"type":"message.output","role":"assistant","content":"1+1 is 2."},
             {"type":"message.input","role":"user","content":"And 2+2?"}]
            """);
    }

    private static string? Origin(AIContent content) =>
        content.AdditionalProperties?.TryGetValue(RegistryProperties.Origin, out var origin) == true ? origin as string : null;

    private static bool SameArguments(IDictionary<string, object?> actual, IDictionary<string, object?> expected) =>
        actual.Count == expected.Count && expected.All(e => actual.TryGetValue(e.Key, out var value) && value?.ToString() == e.Value?.ToString());

    private static ServiceProvider Registry(string json, Action<MistralClientOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddSingleton(EnvironmentProvider.FromVariables(new Dictionary<string, string?> { ["MISTRAL_API_KEY"] = ApiKey }));
        services.AddModelRegistry(o => o.Resilience.MaxRetries = 0).FromJson(json).AddMistral(configure);
        return services.BuildServiceProvider();
    }
}
