using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using ModelRegistry.OpenAI;
using ModelRegistry.Providers;
using ModelRegistry.Testing;

namespace ModelRegistry.Fuzz;

/// <summary>
/// OpenAI-compatible chat through <see cref="OpenAIClient"/>: chat completions, their SSE stream, embeddings, the model
/// list probe and error answers to all of them. The seeds below are ours, written for this runner; recorded calls to
/// api.openai.com and Bedrock Mantle feed the same targets.
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

        var errors = Target("openai.error", BodyFormat.Json, ["chat", "stream", "embeddings", "health"], errorStatuses: true);
        AddSeed(errors, "own:context-length", """{"error":{"message":"This model's maximum context length is 128000 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}""", 400);
        AddSeed(errors, "own:rate-limited", """{"error":{"message":"Rate limit reached for gpt-4o-mini.","type":"requests","param":null,"code":"rate_limit_exceeded"}}""", 429,
            [new("retry-after-ms", "250"), new("x-ratelimit-reset-tokens", "6m0s")]);
        AddSeed(errors, "own:insufficient-quota", """{"error":{"message":"You exceeded your current quota.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}""", 429);
        AddSeed(errors, "own:echoed-key", $$$"""{"error":{"message":"Incorrect API key provided: {{{Secret}}}.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""", 401);
        AddSeed(errors, "own:vllm-shape", """{"object":"error","message":"The model `nope` does not exist.","type":"NotFoundError","param":null,"code":404}""", 404);
        AddSeed(errors, "own:empty-500", string.Empty, 500);
        return [chat, stream, embeddings, health, errors];
    }

    public override string? TargetOf(CassetteInteraction interaction)
    {
        var uri = new Uri(interaction.Request.Uri);
        var openAi = uri.Host.Equals("api.openai.com", StringComparison.OrdinalIgnoreCase);
        var mantle = uri.Host.StartsWith("bedrock-mantle.", StringComparison.OrdinalIgnoreCase) && uri.Host.EndsWith(".api.aws", StringComparison.OrdinalIgnoreCase);
        if ((!openAi && !mantle) || uri.AbsolutePath != "/v1/chat/completions")
        {
            return null;
        }

        // VCR marks some streams with #stream; the body's "stream": true marks them all.
        var streaming = interaction.Request.IsStreaming || interaction.Request.Json?["stream"] is System.Text.Json.Nodes.JsonValue flag && flag.TryGetValue<bool>(out var on) && on;
        return interaction.Response.Status >= 400 ? "openai.error" : streaming ? "openai.stream" : "openai.chat";
    }

    public override IReadOnlyDictionary<string, FuzzCall> Bind(HttpClient http, ILoggerFactory logs, ProviderResilienceOptions resilience)
    {
        var client = new OpenAIClient(new OpenAIClientOptions
        {
            Endpoint = new Uri("https://api.openai.com/v1"),
            ApiKey = Secret,
            HttpClient = http,
            LoggerFactory = logs,
            Environment = EnvironmentProvider.FromVariables(new Dictionary<string, string?>()),
            Resilience = resilience,
        });
        var chat = client.AsIChatClient(Model);
        var embeddings = client.AsIEmbeddingGenerator("text-embedding-3-small");
        ChatMessage[] messages = [new(ChatRole.User, "Hello")];
        return new Dictionary<string, FuzzCall>
        {
            ["chat"] = new(async () => Read(await chat.GetResponseAsync(messages).ConfigureAwait(false))),
            ["stream"] = new(() => ReadStreamAsync(chat, messages, null)),
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

    private static string Chunk(string delta, string finish = "null") =>
        $$"""{"id":"chatcmpl-s","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{{delta}},"finish_reason":{{finish}}}]}""";

    private static string Events(params string[] data) => string.Concat(data.Select(d => $"data: {d}\n\n"));
}
