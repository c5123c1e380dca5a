using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using ModelRegistry.Mistral;
using ModelRegistry.Providers;
using ModelRegistry.Testing;

namespace ModelRegistry.Fuzz;

/// <summary>
/// Mistral through <see cref="MistralClient"/>: chat completions, their event stream, embeddings, the model probe and
/// error answers to all of them. The seeds below are ours, written for this runner.
/// </summary>
internal sealed class MistralFuzz : FuzzProvider
{
    private const string Model = "mistral-small-latest";

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

        var errors = Target("mistral.error", BodyFormat.Json, ["chat", "stream", "embeddings", "health"], errorStatuses: true);
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
        AddSeed(errors, "own:batch-too-large", """{"object":"error","message":"Too many tokens overall, split into more batches.","type":"invalid_request_error","param":null,"code":"3210"}""", 400);

        // A message whose echoed key sits where messages are cut: a cut must not leave part of it.
        AddSeed(errors, "own:long-message-echoing-key", $$"""{"object":"error","message":"{{new string('m', 1480)}} Bearer {{Secret}} trailing text","type":"invalid_request_error","code":"3000"}""", 400);
        return [chat, stream, embeddings, health, errors];
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
            "/v1/embeddings" => "mistral.embeddings",
            var path when path.StartsWith("/v1/models/", StringComparison.Ordinal) => "mistral.health",
            _ => null,
        };
    }

    public override IReadOnlyDictionary<string, FuzzCall> Bind(HttpClient http, ILoggerFactory logs, ProviderResilienceOptions resilience)
    {
        var client = new MistralClient(new MistralClientOptions
        {
            Endpoint = new Uri("https://api.mistral.ai"),
            ApiKey = Secret,
            HttpClient = http,
            LoggerFactory = logs,
            Environment = EnvironmentProvider.FromVariables(new Dictionary<string, string?>()),
            Resilience = resilience,
        });
        var chat = client.AsIChatClient(Model);
        var embeddings = client.AsIEmbeddingGenerator("mistral-embed");
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

    private static string Chunk(string id, string delta, string finish = "null", string? usage = null) =>
        $$"""{"id":"{{id}}","object":"chat.completion.chunk","created":1767225600,"model":"mistral-small-latest","choices":[{"index":0,"delta":{{delta}},"finish_reason":{{finish}}}]{{(usage is null ? string.Empty : ",\"usage\":" + usage)}}}""";

    private static string Events(params string[] data) => string.Concat(data.Select(d => $"data: {d}\n\n"));
}
