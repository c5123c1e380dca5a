using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using ModelRegistry.OpenAI;
using ModelRegistry.Providers;
using ModelRegistry.Testing;

namespace ModelRegistry.Fuzz;

/// <summary>
/// OpenAI-compatible chat through <see cref="OpenAIClient"/>: chat completions, their SSE stream, the Responses API
/// (<see cref="OpenAIWireApi.Responses"/>) and its typed event stream, embeddings, the model list probe and error
/// answers to all of them. The seeds below are ours, written for this runner; recorded calls to api.openai.com and
/// Bedrock Mantle feed the same targets.
/// </summary>
internal sealed class OpenAIFuzz : FuzzProvider
{
    private const string Model = "gpt-4o-mini";

    public override string Name => "openai";

    public override string Secret => "sk-test-openai-W5hJ2nB8cV4mX7qL0zK3";

    public override IReadOnlyList<(string Name, string[] Values)> Headers { get; } =
    [
        ("retry-after-ms", ["0", "250", "-5", "1e16", "Infinity", "NaN", ""]),
        ("x-ratelimit-reset-tokens", ["6m0s", "1s", "0.5s", "-1s", "forever", ""]),
    ];

    public override IReadOnlyList<FuzzTarget> CreateTargets()
    {
        var chat = Target("openai.chat", BodyFormat.Json, ["chat"]);
        AddSeed(chat, "own:text", """
            {"id":"chatcmpl-AbC123","object":"chat.completion","created":1767225600,"model":"gpt-4o-mini-2024-07-18",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Paris.","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],
             "usage":{"prompt_tokens":12,"completion_tokens":2,"total_tokens":14,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},
                      "completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},
             "service_tier":"default","system_fingerprint":"fp_0123456789"}
            """);
        AddSeed(chat, "own:tool-calls-and-reasoning", """
            {"id":"chatcmpl-2","object":"chat.completion","created":1767225601,"model":"openai.gpt-oss-120b",
             "choices":[{"index":0,"message":{"role":"assistant","content":null,"reasoning_content":"Need the weather.","tool_calls":[
               {"id":"call_abc123","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Lyon\"}"}},
               {"id":"call_def456","type":"function","function":{"name":"get_time","arguments":""}}]},"finish_reason":"tool_calls"}],
             "usage":{"prompt_tokens":80,"completion_tokens":31,"total_tokens":111,"prompt_tokens_details":{"cached_tokens":64},"completion_tokens_details":{"reasoning_tokens":12}}}
            """);
        AddSeed(chat, "own:refusal-filter", """
            {"id":"chatcmpl-3","object":"chat.completion","created":1767225602,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"I can't help with that."},"finish_reason":"content_filter"}]}
            """);

        var stream = Target("openai.stream", BodyFormat.ServerSentEvents, ["stream"]);
        AddSeed(stream, "own:stream-text", Events(
            Chunk("""{"role":"assistant","content":""}"""),
            Chunk("""{"content":"Hello"}"""),
            Chunk("""{"content":" there"}""", "\"stop\""),
            """{"id":"chatcmpl-s","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}""",
            "[DONE]"));
        AddSeed(stream, "own:stream-tool-fragments", Events(
            Chunk("""{"role":"assistant","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"lookup","arguments":""}}]}"""),
            Chunk("""{"tool_calls":[{"index":0,"function":{"arguments":"{\"q\":"}}]}"""),
            Chunk("""{"tool_calls":[{"index":0,"function":{"arguments":"\"cats\"}"}}]}"""),
            Chunk("""{"tool_calls":[{"index":1,"id":"call_2","type":"function","function":{"name":"count","arguments":"{}"}}]}"""),
            Chunk("{}", "\"tool_calls\""),
            "[DONE]"));
        AddSeed(stream, "own:stream-error-object", Events(Chunk("""{"content":"Par"}""")) +
            "data: {\"error\":{\"message\":\"The server had an error while processing your request.\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n");

        var embeddings = Target("openai.embeddings", BodyFormat.Json, ["embeddings"]);
        AddSeed(embeddings, "own:embeddings", """
            {"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.0023,-0.0093,0.0154]},{"object":"embedding","index":1,"embedding":[1e-5,-1.0E+0,0.5]}],
             "model":"text-embedding-3-small","usage":{"prompt_tokens":4,"total_tokens":4}}
            """);

        var health = Target("openai.health", BodyFormat.Json, ["health"]);
        AddSeed(health, "own:models", """
            {"object":"list","data":[{"id":"gpt-4o-mini","object":"model","created":1721172741,"owned_by":"system"},{"id":"gpt-4o","object":"model","created":1715367049,"owned_by":"system"}]}
            """);

        var responses = Target("openai.responses", BodyFormat.Json, ["responses-chat"]);
        AddSeed(responses, "own:responses-text-citation", Response("""
            [{"type":"message","id":"msg_0a1b2c3d4e5f","status":"completed","role":"assistant","phase":"final_answer",
              "content":[{"type":"output_text","text":"Lyon is in France, see the atlas.","annotations":[
                {"type":"url_citation","url":"https://example.com/atlas","title":"Atlas","start_index":26,"end_index":31},
                {"type":"file_citation","file_id":"file-Ab12Cd34","filename":"atlas.pdf","index":31}],"logprobs":[]}]}]
            """));
        AddSeed(responses, "own:responses-reasoning-call", Response("""
            [{"type":"reasoning","id":"rs_0a1b2c3d","encrypted_content":"gAAAAABpZ2VuY3J5cHRlZA==","summary":[{"type":"summary_text","text":"Need the weather."}]},
             {"type":"function_call","id":"fc_0a1b2c3d","call_id":"call_Wq3eR5tY7u","name":"get_weather","arguments":"{\"city\":\"Lyon\",\"unit\":\"celsius\"}","status":"completed"},
             {"type":"function_call","id":"fc_0a1b2c3e","call_id":"call_Zx9cV8bN6m","name":"get_time","arguments":"","status":"completed"}]
            """));
        AddSeed(responses, "own:responses-hosted-tools", Response("""
            [{"type":"web_search_call","id":"ws_1","status":"completed","action":{"type":"search","query":"weather lyon","sources":[{"type":"url","url":"https://example.com/w"}]}},
             {"type":"code_interpreter_call","id":"ci_1","status":"completed","container_id":"cntr_1","code":"print(6*7)","outputs":[{"type":"logs","logs":"42\n"},{"type":"image","url":"https://example.com/plot.png"}]},
             {"type":"mcp_list_tools","id":"mcpl_1","server_label":"deepwiki","tools":[{"name":"ask_question","input_schema":{"type":"object"}}]},
             {"type":"mcp_call","id":"mcp_1","name":"ask_question","server_label":"deepwiki","arguments":"{\"q\":\"why\"}","output":"because","error":null},
             {"type":"image_generation_call","id":"ig_1","status":"completed","result":"iVBORw0KGgo=","output_format":"png"},
             {"type":"file_search_call","id":"fs_1","status":"completed","queries":["lyon"],"results":null},
             {"type":"message","id":"msg_2","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Done.","annotations":[]},{"type":"refusal","refusal":"Not that part."}]}]
            """));
        AddSeed(responses, "own:responses-incomplete", Response(
            """[{"type":"message","id":"msg_3","status":"incomplete","role":"assistant","content":[{"type":"output_text","text":"Once upon","annotations":[]}]}]""",
            "incomplete", ""","incomplete_details":{"reason":"max_output_tokens"}"""));
        AddSeed(responses, "own:responses-failed", Response("[]", "failed", ""","error":{"code":"server_error","message":"The model failed to generate a response."}"""));

        var responsesStream = Target("openai.responses-stream", BodyFormat.ServerSentEvents, ["responses-stream"]);
        AddSeed(responsesStream, "own:responses-stream-text", TypedEvents(
            """{"type":"response.created","sequence_number":0,"response":{"id":"resp_S1","object":"response","created_at":1767225600,"status":"in_progress","model":"gpt-5-mini-2025-08-07","store":true,"output":[]}}""",
            """{"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_S1","object":"response","created_at":1767225600,"status":"in_progress","model":"gpt-5-mini-2025-08-07","output":[]}}""",
            """{"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"type":"message","id":"msg_S1","status":"in_progress","role":"assistant","phase":"final_answer","content":[]}}""",
            """{"type":"response.content_part.added","sequence_number":3,"item_id":"msg_S1","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}""",
            """{"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_S1","output_index":0,"content_index":0,"delta":"Hel","logprobs":[]}""",
            """{"type":"response.output_text.delta","sequence_number":5,"item_id":"msg_S1","output_index":0,"content_index":0,"delta":"lo!","logprobs":[]}""",
            """{"type":"response.output_text.done","sequence_number":6,"item_id":"msg_S1","output_index":0,"content_index":0,"text":"Hello!"}""",
            """{"type":"response.output_item.done","sequence_number":7,"output_index":0,"item":{"type":"message","id":"msg_S1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hello!","annotations":[]}]}}""",
            StreamEnd("completed", """[{"type":"message","id":"msg_S1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hello!","annotations":[]}]}]""")));
        AddSeed(responsesStream, "own:responses-stream-reasoning-call", TypedEvents(
            """{"type":"response.created","sequence_number":0,"response":{"id":"resp_S2","object":"response","created_at":1767225601,"status":"in_progress","model":"gpt-5-2025-08-07","output":[]}}""",
            """{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"type":"reasoning","id":"rs_S2","summary":[]}}""",
            """{"type":"response.reasoning_summary_text.delta","sequence_number":2,"item_id":"rs_S2","output_index":0,"summary_index":0,"delta":"Look it "}""",
            """{"type":"response.reasoning_summary_text.delta","sequence_number":3,"item_id":"rs_S2","output_index":0,"summary_index":0,"delta":"up."}""",
            """{"type":"response.output_item.done","sequence_number":4,"output_index":0,"item":{"type":"reasoning","id":"rs_S2","encrypted_content":"gAAAAABlbmM=","summary":[{"type":"summary_text","text":"Look it up."}]}}""",
            """{"type":"response.output_item.added","sequence_number":5,"output_index":1,"item":{"type":"function_call","id":"fc_S2","call_id":"call_S2","name":"get_weather","arguments":"","status":"in_progress"}}""",
            """{"type":"response.function_call_arguments.delta","sequence_number":6,"item_id":"fc_S2","output_index":1,"delta":"{\"city\":"}""",
            """{"type":"response.function_call_arguments.delta","sequence_number":7,"item_id":"fc_S2","output_index":1,"delta":"\"Lyon\"}"}""",
            """{"type":"response.function_call_arguments.done","sequence_number":8,"item_id":"fc_S2","output_index":1,"arguments":"{\"city\":\"Lyon\"}"}""",
            """{"type":"response.output_item.done","sequence_number":9,"output_index":1,"item":{"type":"function_call","id":"fc_S2","call_id":"call_S2","name":"get_weather","arguments":"{\"city\":\"Lyon\"}","status":"completed"}}""",
            StreamEnd("completed", "[]")));
        AddSeed(responsesStream, "own:responses-stream-incomplete", TypedEvents(
            """{"type":"response.created","sequence_number":0,"response":{"id":"resp_S3","object":"response","created_at":1767225602,"status":"in_progress","model":"gpt-5-mini-2025-08-07","output":[]}}""",
            """{"type":"response.output_text.delta","sequence_number":1,"item_id":"msg_S3","output_index":0,"content_index":0,"delta":"Once upon"}""",
            StreamEnd("incomplete", "[]", ""","incomplete_details":{"reason":"max_output_tokens"}""")));
        AddSeed(responsesStream, "own:responses-stream-error", TypedEvents(
            """{"type":"response.created","sequence_number":0,"response":{"id":"resp_S4","object":"response","created_at":1767225603,"status":"in_progress","model":"gpt-5-mini-2025-08-07","output":[]}}""",
            """{"type":"error","sequence_number":1,"code":"rate_limit_exceeded","message":"Slow down.","param":null}"""));
        AddSeed(responsesStream, "own:responses-stream-error-echoing-key", TypedEvents(
            $$"""{"type":"error","sequence_number":0,"code":"invalid_api_key","message":"Incorrect API key provided: {{Secret}}.","param":null}"""));
        AddSeed(responsesStream, "own:responses-stream-failed", TypedEvents(
            """{"type":"response.created","sequence_number":0,"response":{"id":"resp_S5","object":"response","created_at":1767225604,"status":"in_progress","model":"gpt-5-mini-2025-08-07","output":[]}}""",
            StreamEnd("failed", "[]", ""","error":{"code":"server_error","message":"The model failed."}""")));

        var errors = Target("openai.error", BodyFormat.Json, ["chat", "stream", "embeddings", "health", "responses-chat", "responses-stream"], errorStatuses: true);
        AddSeed(errors, "own:context-length", """{"error":{"message":"This model's maximum context length is 128000 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}""", 400);
        AddSeed(errors, "own:rate-limited", """{"error":{"message":"Rate limit reached for gpt-4o-mini.","type":"requests","param":null,"code":"rate_limit_exceeded"}}""", 429,
            [new("retry-after-ms", "250"), new("x-ratelimit-reset-tokens", "6m0s")]);
        AddSeed(errors, "own:insufficient-quota", """{"error":{"message":"You exceeded your current quota.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}""", 429);
        AddSeed(errors, "own:echoed-key", $$$"""{"error":{"message":"Incorrect API key provided: {{{Secret}}}.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""", 401);
        AddSeed(errors, "own:vllm-shape", """{"object":"error","message":"The model `nope` does not exist.","type":"NotFoundError","param":null,"code":404}""", 404);
        AddSeed(errors, "own:empty-500", string.Empty, 500);
        return [chat, stream, embeddings, health, responses, responsesStream, errors];
    }

    public override string? TargetOf(CassetteInteraction interaction)
    {
        var uri = new Uri(interaction.Request.Uri);
        var openAi = uri.Host.Equals("api.openai.com", StringComparison.OrdinalIgnoreCase);
        var mantle = uri.Host.StartsWith("bedrock-mantle.", StringComparison.OrdinalIgnoreCase) && uri.Host.EndsWith(".api.aws", StringComparison.OrdinalIgnoreCase);
        var responses = uri.AbsolutePath == "/v1/responses" || (mantle && uri.AbsolutePath == "/openai/v1/responses");
        if ((!openAi && !mantle) || (uri.AbsolutePath != "/v1/chat/completions" && !responses))
        {
            return null;
        }

        // VCR marks some streams with #stream; the body's "stream": true marks them all.
        var streaming = interaction.Request.IsStreaming || interaction.Request.Json?["stream"] is System.Text.Json.Nodes.JsonValue flag && flag.TryGetValue<bool>(out var on) && on;
        return interaction.Response.Status >= 400 ? "openai.error"
            : responses ? (streaming ? "openai.responses-stream" : "openai.responses")
            : streaming ? "openai.stream" : "openai.chat";
    }

    public override IReadOnlyDictionary<string, FuzzCall> Bind(HttpClient http, ILoggerFactory logs, ProviderResilienceOptions resilience)
    {
        var client = new OpenAIClient(Options(http, logs, resilience));
        var responsesOptions = Options(http, logs, resilience);
        responsesOptions.Api = OpenAIWireApi.Responses;
        var responses = new OpenAIClient(responsesOptions).AsIChatClient("gpt-5-mini");
        var chat = client.AsIChatClient(Model);
        var embeddings = client.AsIEmbeddingGenerator("text-embedding-3-small");
        ChatMessage[] messages = [new(ChatRole.User, "Hello")];
        return new Dictionary<string, FuzzCall>
        {
            ["chat"] = new(async () => Read(await chat.GetResponseAsync(messages).ConfigureAwait(false))),
            ["stream"] = new(() => ReadStreamAsync(chat, messages, null)),
            ["responses-chat"] = new(async () => Read(await responses.GetResponseAsync(messages).ConfigureAwait(false))),
            ["responses-stream"] = new(() => ReadStreamAsync(responses, messages, null)),
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

    private OpenAIClientOptions Options(HttpClient http, ILoggerFactory logs, ProviderResilienceOptions resilience) => new()
    {
        Endpoint = new Uri("https://api.openai.com/v1"),
        ApiKey = Secret,
        HttpClient = http,
        LoggerFactory = logs,
        Environment = EnvironmentProvider.FromVariables(new Dictionary<string, string?>()),
        Resilience = resilience,
    };

    /// <summary>A Responses API answer (POST /responses) with the given output items.</summary>
    private static string Response(string output, string status = "completed", string extra = "") =>
        $$$"""{"id":"resp_0a1b2c3d4e5f60718293","object":"response","created_at":1767225600,"status":"{{{status}}}","background":false,"model":"gpt-5-mini-2025-08-07","store":true,"previous_response_id":null,"output":{{{output}}},"parallel_tool_calls":true,"reasoning":{"effort":"low","summary":"auto"},"usage":{"input_tokens":120,"input_tokens_details":{"cached_tokens":64},"output_tokens":40,"output_tokens_details":{"reasoning_tokens":16},"total_tokens":160}{{{extra}}}}""";

    /// <summary>The final event of a Responses stream (response.completed, .incomplete or .failed) carrying the whole response.</summary>
    private static string StreamEnd(string status, string output, string extra = "") =>
        $$$"""{"type":"response.{{{status}}}","sequence_number":99,"response":{"id":"resp_S","object":"response","created_at":1767225600,"status":"{{{status}}}","model":"gpt-5-mini-2025-08-07","store":true,"output":{{{output}}},"usage":{"input_tokens":9,"input_tokens_details":{"cached_tokens":4},"output_tokens":3,"output_tokens_details":{"reasoning_tokens":1},"total_tokens":12}{{{extra}}}}}""";

    /// <summary>A Responses event stream: each payload as <c>event: {type}</c> and <c>data: {payload}</c>.</summary>
    private static string TypedEvents(params string[] payloads) => string.Concat(payloads.Select(p => $"event: {TypeOf(p)}\ndata: {p}\n\n"));

    private static string? TypeOf(string payload)
    {
        using var document = System.Text.Json.JsonDocument.Parse(payload);
        return document.RootElement.GetProperty("type").GetString();
    }

    private static string Chunk(string delta, string finish = "null") =>
        $$"""{"id":"chatcmpl-s","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{{delta}},"finish_reason":{{finish}}}]}""";

    private static string Events(params string[] data) => string.Concat(data.Select(d => $"data: {d}\n\n"));
}
