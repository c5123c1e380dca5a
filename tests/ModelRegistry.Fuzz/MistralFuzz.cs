using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using ModelRegistry.Mistral;
using ModelRegistry.Providers;
using ModelRegistry.Testing;

namespace ModelRegistry.Fuzz;

/// <summary>
/// Mistral through <see cref="MistralClient"/>: chat completions, their event stream, the Conversations API (start,
/// append, its event stream, history and messages), embeddings, the model probe and error answers to all of them. The
/// seeds below are ours, written for this runner.
/// </summary>
internal sealed class MistralFuzz : FuzzProvider
{
    private const string Model = "mistral-small-latest";
    private const string ConversationId = "conv_0196a4c5e2d17a8b9c0d1e2f3a4b5c6d";
    private const string Created = "2026-11-29T18:02:11.482937Z";
    private const string Completed = "2026-11-29T18:02:12.901244Z";

    public override string Name => "mistral";

    public override string Secret => "sk-test-Q7fZ2mK9pX4vR8tL1nB6";

    public override IReadOnlyList<(string Name, string[] Values)> Headers { get; } =
    [
        ("x-ratelimit-remaining-tokens-month", ["0", " 0 ", "1", "-1", ""]),
        ("x-model-deprecation-timestamp", ["2026-11-30T12:00:00Z", "1767225600", "99999999999999999", "-62135596801", "not a date", "", "9999-12-31T23:59:59+14:00"]),
    ];

    public override IReadOnlyList<FuzzTarget> CreateTargets()
    {
        var chat = Target("mistral.chat", BodyFormat.Json, ["chat"]);
        AddSeed(chat, "own:text", """
            {"id":"f0a1b2c3d4e5f60718293a4b5c6d7e8f","object":"chat.completion","created":1767225600,"model":"mistral-small-latest",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Paris is the capital of France.","tool_calls":null,"prefix":false},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":12,"completion_tokens":8,"total_tokens":20,"prompt_tokens_details":{"cached_tokens":4}}}
            """);
        AddSeed(chat, "own:tool-calls", """
            {"id":"0b1c2d3e4f5061728394a5b6c7d8e9f0","object":"chat.completion","created":1767225601,"model":"mistral-large-latest",
             "choices":[{"index":0,"message":{"role":"assistant","content":"","tool_calls":[
               {"id":"Xk3p9Qw2e","type":"function","function":{"name":"get_weather","arguments":"{\"city\": \"Lyon\", \"unit\": \"celsius\"}"},"index":0},
               {"id":"null","function":{"name":"get_time","arguments":{"zone":"Europe/Paris"}}}]},"finish_reason":"tool_calls"}],
             "usage":{"prompt_tokens":80,"completion_tokens":31,"total_tokens":111}}
            """);
        AddSeed(chat, "own:thinking", """
            {"id":"1a2b3c4d5e6f708192a3b4c5d6e7f809","object":"chat.completion","created":1767225602,"model":"magistral-medium-latest",
             "choices":[{"index":0,"message":{"role":"assistant","content":[
               {"type":"thinking","thinking":[{"type":"text","text":"The user wants a haiku about rain."}],"signature":"c2lnbmF0dXJl"},
               {"type":"text","text":"Soft rain on the roof"},{"type":"reference","reference_ids":[1,2]}]},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":9,"completion_tokens":40,"total_tokens":49,"num_cached_tokens":0,"completion_tokens_details":{"reasoning_tokens":25}}}
            """);
        AddSeed(chat, "own:error-in-200", """
            {"object":"error","message":"Service tier capacity exceeded for this model.","type":"service_tier_capacity_exceeded","param":null,"code":"3505","raw_status_code":503}
            """);
        AddSeed(chat, "own:two-choices", """
            {"id":"2b3c4d5e6f708192a3b4c5d6e7f8091a","object":"chat.completion","created":1767225603,"model":"open-mistral-nemo",
             "choices":[{"index":0,"message":{"role":"assistant","content":"One"},"finish_reason":"length"},
                        {"index":1,"message":{"role":"assistant","content":"Two"},"finish_reason":"model_length"}],
             "usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}
            """);

        var stream = Target("mistral.stream", BodyFormat.ServerSentEvents, ["stream"]);
        AddSeed(stream, "own:stream-text", Events(
            Chunk("s1", """{"role":"assistant","content":""}"""),
            Chunk("s1", """{"content":"Hello"}"""),
            Chunk("s1", """{"content":" there"}""", "\"stop\"", """{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}"""),
            "[DONE]"));
        AddSeed(stream, "own:stream-tool-fragments", Events(
            Chunk("s2", """{"role":"assistant","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"lookup","arguments":""}}]}"""),
            Chunk("s2", """{"tool_calls":[{"index":0,"function":{"name":"","arguments":"{\"q\":"}}]}"""),
            Chunk("s2", """{"tool_calls":[{"index":0,"function":{"arguments":"\"cats\"}"}}]}"""),
            Chunk("s2", """{"tool_calls":[{"index":1,"id":"call_2","function":{"name":"count","arguments":{"n":3}}}]}"""),
            Chunk("s2", "{}", "\"tool_calls\"", """{"prompt_tokens":40,"completion_tokens":12,"total_tokens":52}"""),
            "[DONE]"));
        AddSeed(stream, "own:stream-thinking", Events(
            Chunk("s3", """{"role":"assistant","content":[{"type":"thinking","thinking":[{"type":"text","text":"Think"}]}]}"""),
            Chunk("s3", """{"content":[{"type":"thinking","thinking":[{"type":"text","text":"ing."}],"signature":"c2ln"}]}"""),
            Chunk("s3", """{"content":[{"type":"text","text":"Done."}]}""", "\"stop\""),
            "[DONE]"));
        AddSeed(stream, "own:stream-error-event", Events(Chunk("s4", """{"content":"Par"}""")) +
            "event: error\ndata: {\"object\":\"error\",\"message\":\"Internal server error\",\"type\":\"internal_server_error\",\"code\":\"1000\"}\n\n");
        AddSeed(stream, "own:stream-crlf-comments", ": ping\r\n\r\n" +
            "data: {\"id\":\"s5\",\"created\":1767225600,\"choices\":[{\"index\":0,\r\ndata: \"delta\":{\"content\":\"multi\"},\"finish_reason\":null}]}\r\n\r\n" +
            "data: {\"id\":\"s5\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"line\"},\"finish_reason\":\"stop\"}]}\r\n\r\n");

        var embeddings = Target("mistral.embeddings", BodyFormat.Json, ["embeddings"]);
        AddSeed(embeddings, "own:embeddings", """
            {"id":"e1","object":"list","data":[{"object":"embedding","embedding":[0.0123,-0.0456,0.0789,1e-5],"index":0},
             {"object":"embedding","embedding":[-0.5,0.25,0.125,-1.0E+0],"index":1}],"model":"mistral-embed",
             "usage":{"prompt_tokens":6,"total_tokens":6,"completion_tokens":0}}
            """);
        AddSeed(embeddings, "own:embeddings-reordered", """
            {"id":"e2","object":"list","created":1767225600,"data":[{"embedding":[1,2,3],"index":1},{"embedding":[4,5,6],"index":0}],"model":"codestral-embed","usage":{"prompt_tokens":4}}
            """);

        var health = Target("mistral.health", BodyFormat.Json, ["health"]);
        AddSeed(health, "own:model-card", """
            {"id":"mistral-small-latest","object":"model","created":1767225600,"owned_by":"mistralai",
             "capabilities":{"completion_chat":true,"function_calling":true,"vision":false},"name":"mistral-small-2506",
             "max_context_length":131072,"aliases":["mistral-small-2506"],"deprecation":null,"deprecation_replacement_model":null,"type":"base"}
            """);
        AddSeed(health, "own:model-card-deprecated", """
            {"id":"open-mistral-7b","object":"model","max_context_length":32768,"deprecation":"2026-11-30T12:00:00Z","deprecation_replacement_model":"ministral-8b-latest"}
            """, headers: [new("x-model-deprecation-timestamp", "2026-11-30T12:00:00Z")]);

        var conversation = Target("mistral.conversation", BodyFormat.Json, ["conversation-start", "conversation-append"]);
        AddSeed(conversation, "own:conversation-text", ConversationResponse(
            Output("\"Nighthawks was painted by Edward Hopper in 1942.\"", "msg_0196a4c5e7f81b2c3d4e5f60718293a4")));
        AddSeed(conversation, "own:conversation-connectors-and-call", ConversationResponse(
            $$$"""{"object":"entry","type":"tool.execution","created_at":"{{{Created}}}","completed_at":"{{{Completed}}}","agent_id":null,"model":"mistral-medium-2505","id":"tool_ws_1","name":"web_search_premium","arguments":"{\"query\": \"Nighthawks year\"}","info":{}}""",
            $$$"""{"object":"entry","type":"tool.execution","created_at":"{{{Created}}}","completed_at":"{{{Completed}}}","agent_id":null,"model":"mistral-medium-2505","id":"tool_ci_1","name":"code_interpreter","arguments":"{\"code\": \"print(6*7)\"}","info":{"code":"print(6*7)","code_output":"42\n"}}""",
            Output("""[{"type":"text","text":"Painted in 1942."},{"type":"tool_reference","tool":"web_search_premium","title":"Nighthawks","url":"https://en.wikipedia.org/wiki/Nighthawks_(Hopper)","description":null},{"type":"tool_file","tool":"code_interpreter","file_id":"4d2f5b3c-9a8e-4f1b-b2c3-d4e5f6a7b8c9","file_name":"plot.png","file_type":"png"}]""", "msg_2"),
            $$$"""{"object":"entry","type":"function.call","created_at":"{{{Created}}}","completed_at":null,"agent_id":null,"model":"mistral-medium-2505","id":"fc_1","tool_call_id":"Ab3dE5gH7","name":"save_plot","arguments":"{\"name\":\"sin\"}"}""",
            $$$"""{"object":"entry","type":"function.call","created_at":"{{{Created}}}","completed_at":null,"agent_id":null,"model":"mistral-medium-2505","id":"fc_2","tool_call_id":"Cd5fG7hJ9","name":"get_time","arguments":{"zone":"Europe/Paris"}}"""));
        AddSeed(conversation, "own:conversation-handoff-thinking", ConversationResponse(
            $$$"""{"object":"entry","type":"agent.handoff","created_at":"{{{Created}}}","completed_at":"{{{Completed}}}","id":"handoff_1","previous_agent_id":"ag_a","previous_agent_name":"router","next_agent_id":"ag_b","next_agent_name":"math"}""",
            Output("""[{"type":"thinking","thinking":[{"type":"text","text":"Add them."}]},{"type":"text","text":"4"}]""", "msg_3")));

        var conversationStream = Target("mistral.conversation-stream", BodyFormat.ServerSentEvents, ["conversation-stream", "conversation-append-stream"]);
        AddSeed(conversationStream, "own:conversation-stream-text", NamedEvents(
            $$"""{"type":"conversation.response.started","created_at":"{{Created}}","conversation_id":"{{ConversationId}}"}""",
            OutputDelta("\"Hopper \""),
            OutputDelta("\"painted it.\""),
            ConversationDone()));
        AddSeed(conversationStream, "own:conversation-stream-connectors", NamedEvents(
            $$"""{"type":"conversation.response.started","created_at":"{{Created}}","conversation_id":"{{ConversationId}}"}""",
            """{"type":"tool.execution.started","created_at":"2026-11-29T18:02:11Z","output_index":0,"id":"tool_ws_1","model":"mistral-medium-2505","agent_id":null,"name":"web_search","arguments":"{\"query\": \"Nighthawks "}""",
            """{"type":"tool.execution.delta","created_at":"2026-11-29T18:02:11Z","output_index":0,"id":"tool_ws_1","name":"web_search","arguments":"year\"}"}""",
            """{"type":"tool.execution.done","created_at":"2026-11-29T18:02:12Z","output_index":0,"id":"tool_ws_1","name":"web_search","info":{}}""",
            OutputDelta("\"Painted in 1942.\"", 0, "msg_2"),
            OutputDelta("""{"type":"tool_reference","tool":"web_search","title":"Nighthawks (Hopper)","url":"https://www.artic.edu/artworks/111628/nighthawks","favicon":null,"description":"Art Institute of Chicago"}""", 1, "msg_2"),
            """{"type":"tool.execution.started","created_at":"2026-11-29T18:02:12Z","output_index":2,"id":"tool_img_1","model":"mistral-medium-2505","agent_id":null,"name":"image_generation","arguments":"{\"prompt\": \"a diner at night\"}"}""",
            """{"type":"tool.execution.done","created_at":"2026-11-29T18:02:14Z","output_index":2,"id":"tool_img_1","name":"image_generation","info":{}}""",
            OutputDelta("""{"type":"tool_file","tool":"image_generation","file_id":"9b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e","file_name":"image_generated_0","file_type":"png"}""", 0, "msg_3"),
            """{"type":"agent.handoff.started","created_at":"2026-11-29T18:02:15Z","output_index":4,"id":"handoff_1","previous_agent_id":"ag_a","previous_agent_name":"router"}""",
            """{"type":"agent.handoff.done","created_at":"2026-11-29T18:02:15Z","output_index":4,"id":"handoff_1","next_agent_id":"ag_b","next_agent_name":"math"}""",
            ConversationDone("""{"prompt_tokens":210,"completion_tokens":40,"total_tokens":250,"connector_tokens":96,"connectors":{"web_search":1,"image_generation":1}}""")));
        AddSeed(conversationStream, "own:conversation-stream-function-call", NamedEvents(
            $$"""{"type":"conversation.response.started","created_at":"{{Created}}","conversation_id":"{{ConversationId}}"}""",
            """{"type":"function.call.delta","created_at":"2026-11-29T18:02:11Z","output_index":0,"id":"fc_1","model":"mistral-medium-2505","agent_id":null,"name":"get_weather","tool_call_id":"Q7wErT5yU","arguments":"{\"city\":"}""",
            """{"type":"function.call.delta","created_at":"2026-11-29T18:02:11Z","output_index":0,"id":"fc_1","model":"mistral-medium-2505","agent_id":null,"name":"","tool_call_id":"Q7wErT5yU","arguments":" \"Lyon\"}"}""",
            """{"type":"function.call.delta","created_at":"2026-11-29T18:02:11Z","output_index":1,"id":"fc_2","model":"mistral-medium-2505","agent_id":null,"name":"get_time","tool_call_id":"Zx8cV6bN4","arguments":"{}"}""",
            ConversationDone()));
        AddSeed(conversationStream, "own:conversation-stream-error", NamedEvents(
            $$"""{"type":"conversation.response.started","created_at":"{{Created}}","conversation_id":"{{ConversationId}}"}""",
            OutputDelta("\"Par\""),
            """{"type":"conversation.response.error","created_at":"2026-11-29T18:02:12Z","message":"Service is temporarily overloaded","code":3505}"""));
        AddSeed(conversationStream, "own:conversation-stream-error-echoing-key", NamedEvents(
            $$"""{"type":"conversation.response.error","created_at":"2026-11-29T18:02:12Z","message":"Invalid header Authorization: Bearer {{Secret}}","code":1001}"""));

        var history = Target("mistral.history", BodyFormat.Json, ["history", "messages"]);
        AddSeed(history, "own:history", $$$"""
            {"object":"conversation.history","conversation_id":"{{{ConversationId}}}","entries":[
              {"object":"entry","type":"message.input","created_at":"{{{Created}}}","completed_at":null,"id":"msg_in_1","role":"user","content":"Plot sin(x) and tell me sin(pi/2).","prefix":false},
              {"object":"entry","type":"tool.execution","created_at":"{{{Created}}}","completed_at":"{{{Completed}}}","agent_id":null,"model":"mistral-medium-2505","id":"tool_exec_1","name":"code_interpreter","arguments":"{\"code\": \"import math\\nprint(math.sin(math.pi/2))\"}","info":{"code":"import math\nprint(math.sin(math.pi/2))","code_output":"1.0\n"}},
              {"object":"entry","type":"function.call","created_at":"{{{Created}}}","completed_at":null,"agent_id":null,"model":"mistral-medium-2505","id":"fc_1","tool_call_id":"Ab3dE5gH7","name":"save_plot","arguments":{"name":"sin"}},
              {"object":"entry","type":"function.result","created_at":"{{{Created}}}","completed_at":null,"id":"fr_1","tool_call_id":"Ab3dE5gH7","result":"saved"},
              {"object":"entry","type":"message.output","created_at":"{{{Created}}}","completed_at":"{{{Completed}}}","agent_id":null,"model":"mistral-medium-2505","id":"msg_out_1","role":"assistant",
               "content":[{"type":"text","text":"sin(pi/2) = 1.0. Here is the plot:"},{"type":"tool_file","tool":"code_interpreter","file_id":"4d2f5b3c-9a8e-4f1b-b2c3-d4e5f6a7b8c9","file_name":"plot.png","file_type":"png"}]},
              {"object":"entry","type":"agent.handoff","created_at":"{{{Created}}}","completed_at":"{{{Completed}}}","id":"handoff_1","previous_agent_id":"ag_a","previous_agent_name":"router","next_agent_id":"ag_b","next_agent_name":"math"}]}
            """);
        AddSeed(history, "own:messages", $$$"""
            {"object":"conversation.messages","conversation_id":"{{{ConversationId}}}","messages":[
              {"object":"entry","type":"message.input","created_at":"{{{Created}}}","id":"msg_in_1","role":"user","content":[{"type":"text","text":"hi"},{"type":"image_url","image_url":"https://example.com/a.png"}]},
              {"object":"entry","type":"message.output","created_at":"{{{Created}}}","id":"msg_out_1","model":"mistral-medium-2505","role":"assistant","content":"hello"}]}
            """);

        var errors = Target("mistral.error", BodyFormat.Json, ["chat", "stream", "embeddings", "health", "conversation-start", "conversation-stream", "history"], errorStatuses: true);
        AddSeed(errors, "own:invalid-model", """{"object":"error","message":"Invalid model: mistral-nope","type":"invalid_model","param":null,"code":"1500"}""", 400);
        AddSeed(errors, "own:pydantic-422", """
            {"object":"error","message":{"detail":[{"type":"extra_forbidden","loc":["body","messages",0,"user","name"],"msg":"Extra inputs are not permitted","input":"bob"}]},
             "type":"invalid_request_message_error","param":null,"code":3001}
            """, 422);
        AddSeed(errors, "own:unauthorized", """{"detail":"Unauthorized"}""", 401);
        AddSeed(errors, "own:rate-limited", """{"message":"Requests rate limit exceeded"}""", 429,
            [new("Retry-After", "1"), new("x-ratelimit-remaining-tokens-month", "0")]);
        AddSeed(errors, "own:plain-text-503", "upstream connect error or disconnect/reset before headers. reset reason: overflow", 503,
            [new("Content-Type", "text/plain")]);
        AddSeed(errors, "own:empty-500", string.Empty, 500);
        AddSeed(errors, "own:echoed-key", $$"""{"object":"error","message":"Invalid header Authorization: Bearer {{Secret}}","type":"unauthorized","code":"1001"}""", 401);
        AddSeed(errors, "own:conversation-not-found", """{"detail":"Not Found"}""", 404);
        AddSeed(errors, "own:batch-too-large", """{"object":"error","message":"Too many tokens overall, split into more batches.","type":"invalid_request_error","param":null,"code":"3210"}""", 400);

        // A message whose echoed key sits where messages are cut: a cut must not leave part of it.
        AddSeed(errors, "own:long-message-echoing-key", $$"""{"object":"error","message":"{{new string('m', 1480)}} Bearer {{Secret}} trailing text","type":"invalid_request_error","code":"3000"}""", 400);
        return [chat, stream, embeddings, health, conversation, conversationStream, history, errors];
    }

    public override string? TargetOf(CassetteInteraction interaction)
    {
        var uri = new Uri(interaction.Request.Uri);
        if (!uri.Host.Equals("api.mistral.ai", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (interaction.Response.Status >= 400)
        {
            return "mistral.error";
        }

        return uri.AbsolutePath switch
        {
            "/v1/chat/completions" or "/v1/agents/completions" => interaction.Request.IsStreaming ? "mistral.stream" : "mistral.chat",
            "/v1/conversations" => interaction.Request.IsStreaming ? "mistral.conversation-stream" : "mistral.conversation",
            var path when path.StartsWith("/v1/conversations/", StringComparison.Ordinal) && (path.EndsWith("/history", StringComparison.Ordinal) || path.EndsWith("/messages", StringComparison.Ordinal)) => "mistral.history",
            var path when path.StartsWith("/v1/conversations/", StringComparison.Ordinal) => interaction.Request.IsStreaming ? "mistral.conversation-stream" : "mistral.conversation",
            "/v1/embeddings" => "mistral.embeddings",
            var path when path.StartsWith("/v1/models/", StringComparison.Ordinal) => "mistral.health",
            _ => null,
        };
    }

    public override IReadOnlyDictionary<string, FuzzCall> Bind(HttpClient http, ILoggerFactory logs, ProviderResilienceOptions resilience)
    {
        var client = new MistralClient(Options(http, logs, resilience));
        var conversationOptions = Options(http, logs, resilience);
        conversationOptions.Conversations = true;
        var conversation = new MistralClient(conversationOptions).AsIChatClient("mistral-medium-latest");
        var append = new ChatOptions { ConversationId = ConversationId };
        var chat = client.AsIChatClient(Model);
        var embeddings = client.AsIEmbeddingGenerator("mistral-embed");
        ChatMessage[] messages = [new(ChatRole.User, "Hello")];
        return new Dictionary<string, FuzzCall>
        {
            ["chat"] = new(async () => Read(await chat.GetResponseAsync(messages).ConfigureAwait(false))),
            ["stream"] = new(() => ReadStreamAsync(chat, messages, null)),
            ["conversation-start"] = new(async () => Read(await conversation.GetResponseAsync(messages).ConfigureAwait(false))),
            ["conversation-append"] = new(async () => Read(await conversation.GetResponseAsync(messages, append).ConfigureAwait(false))),
            ["conversation-stream"] = new(() => ReadStreamAsync(conversation, messages, null)),
            ["conversation-append-stream"] = new(() => ReadStreamAsync(conversation, messages, append)),
            ["history"] = new(async () => ReadMessages(await client.GetConversationHistoryAsync(ConversationId).ConfigureAwait(false))),
            ["messages"] = new(async () => ReadMessages(await client.GetConversationMessagesAsync(ConversationId).ConfigureAwait(false))),
            ["embeddings"] = new(async () =>
            {
                var result = await embeddings.GenerateAsync(["alpha", "beta"]).ConfigureAwait(false);
                return result.Usage?.InputTokenCount is { } tokens && tokens < 0 ? "negative" : null;
            }),
            ["health"] = new(
                async () =>
                {
                    var result = await client.CheckHealthAsync(Model).ConfigureAwait(false);
                    return result.Description + " " + result.Exception?.Message;
                },
                NeverThrows: true),
        };
    }

    private MistralClientOptions Options(HttpClient http, ILoggerFactory logs, ProviderResilienceOptions resilience) => new()
    {
        Endpoint = new Uri("https://api.mistral.ai"),
        ApiKey = Secret,
        HttpClient = http,
        LoggerFactory = logs,
        Environment = EnvironmentProvider.FromVariables(new Dictionary<string, string?>()),
        Resilience = resilience,
    };

    private static string? ReadMessages(IReadOnlyList<ChatMessage> messages) => Read(new ChatResponse([.. messages]));

    /// <summary>A <c>ConversationResponse</c> (start, append or restart) with the given output entries.</summary>
    private static string ConversationResponse(params string[] outputs) =>
        $$$"""{"object":"conversation.response","conversation_id":"{{{ConversationId}}}","outputs":[{{{string.Join(",", outputs)}}}],"usage":{"prompt_tokens":41,"completion_tokens":12,"total_tokens":53,"connector_tokens":null,"connectors":null}}""";

    /// <summary>A <c>message.output</c> entry whose content is the given JSON (a string or chunks).</summary>
    private static string Output(string content, string id) =>
        $$"""{"object":"entry","type":"message.output","created_at":"{{Created}}","completed_at":"{{Completed}}","agent_id":null,"model":"mistral-medium-2505","id":"{{id}}","role":"assistant","content":{{content}}}""";

    private static string OutputDelta(string content, int contentIndex = 0, string id = "msg_0196a4c5e7f81b2c3d4e5f60718293a4") =>
        $$"""{"type":"message.output.delta","created_at":"{{Created}}","output_index":0,"id":"{{id}}","content_index":{{contentIndex}},"model":"mistral-medium-2505","agent_id":null,"role":"assistant","content":{{content}}}""";

    private static string ConversationDone(string usage = """{"prompt_tokens":41,"completion_tokens":12,"total_tokens":53}""") =>
        $$"""{"type":"conversation.response.done","created_at":"{{Completed}}","usage":{{usage}}}""";

    /// <summary>A conversation event stream: each payload as <c>event: {type}</c> and <c>data: {payload}</c>.</summary>
    private static string NamedEvents(params string[] payloads) => string.Concat(payloads.Select(p => $"event: {TypeOf(p)}\ndata: {p}\n\n"));

    private static string? TypeOf(string payload)
    {
        using var document = System.Text.Json.JsonDocument.Parse(payload);
        return document.RootElement.GetProperty("type").GetString();
    }

    private static string Chunk(string id, string delta, string finish = "null", string? usage = null) =>
        $$"""{"id":"{{id}}","object":"chat.completion.chunk","created":1767225600,"model":"mistral-small-latest","choices":[{"index":0,"delta":{{delta}},"finish_reason":{{finish}}}]{{(usage is null ? string.Empty : ",\"usage\":" + usage)}}}""";

    private static string Events(params string[] data) => string.Concat(data.Select(d => $"data: {d}\n\n"));
}
