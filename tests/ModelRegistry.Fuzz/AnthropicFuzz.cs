using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using ModelRegistry.Anthropic;
using ModelRegistry.Providers;
using ModelRegistry.Testing;

namespace ModelRegistry.Fuzz;

/// <summary>
/// Anthropic through <see cref="AnthropicClient"/>: Messages answers, their SSE stream, the model probe and error
/// answers to all of them. The seeds below are ours, written for this runner; recorded Messages calls feed the same targets.
/// </summary>
internal sealed class AnthropicFuzz : FuzzProvider
{
    private const string Model = "claude-sonnet-4-5";

    public override string Name => "anthropic";

    public override string Secret => "sk-ant-test-J4kP8wQ2zR6tY1uV9xN3";

    public override IReadOnlyList<(string Name, string[] Values)> Headers { get; } =
    [
        ("retry-after", ["0", "1", "-1", "1e16", "Infinity", "Wed, 21 Oct 2015 07:28:00 GMT", ""]),
        ("anthropic-ratelimit-tokens-remaining", ["0", "-1", "abc", ""]),
    ];

    public override IReadOnlyList<FuzzTarget> CreateTargets()
    {
        var chat = Target("anthropic.chat", BodyFormat.Json, ["chat"]);
        AddSeed(chat, "own:text", """
            {"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-5",
             "content":[{"type":"text","text":"Paris is the capital of France."}],"stop_reason":"end_turn","stop_sequence":null,
             "usage":{"input_tokens":12,"output_tokens":8,"cache_creation_input_tokens":0,"cache_read_input_tokens":4}}
            """);
        AddSeed(chat, "own:thinking-and-tools", """
            {"id":"msg_02","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[
              {"type":"thinking","thinking":"Two lookups are needed.","signature":"RXVTaWduYXR1cmU="},
              {"type":"redacted_thinking","data":"UkVEQUNURUQ="},
              {"type":"text","text":"Let me check."},
              {"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"get_weather","input":{"city":"Lyon"}},
              {"type":"tool_use","id":"toolu_01B","name":"get_time","input":{},"caller":null}],
             "stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":80,"output_tokens":31,"cache_creation_input_tokens":120}}
            """);
        AddSeed(chat, "own:max-tokens-refusal", """
            {"id":"msg_03","type":"message","role":"assistant","model":"claude-haiku-4-5","content":[],"stop_reason":"refusal","usage":{"input_tokens":3,"output_tokens":0}}
            """);

        AddSeed(chat, "own:server-tools", """
            {"id":"msg_04","type":"message","role":"assistant","model":"claude-sonnet-4-5","container":{"id":"container_011CQ","expires_at":"2026-11-29T19:00:00Z"},"content":[
              {"type":"compaction","content":"The user asked about the weather in Paris; earlier turns summarised."},
              {"type":"server_tool_use","id":"srvtoolu_01","name":"web_search","input":{"query":"weather Paris"},"caller":null},
              {"type":"web_search_tool_result","tool_use_id":"srvtoolu_01","content":[{"type":"web_search_result","url":"https://example.com/w","title":"Weather","encrypted_content":"RW5jcnlwdGVk","page_age":"2 hours ago"}]},
              {"type":"server_tool_use","id":"srvtoolu_02","name":"bash_code_execution","input":{"command":"python -c 'print(6*7)'"}},
              {"type":"bash_code_execution_tool_result","tool_use_id":"srvtoolu_02","content":{"type":"bash_code_execution_result","stdout":"42\n","stderr":"","return_code":0,"content":[{"type":"code_execution_output","file_id":"file_011CN"}]}},
              {"type":"server_tool_use","id":"srvtoolu_03","name":"code_execution","input":{"code":"1/0"}},
              {"type":"code_execution_tool_result","tool_use_id":"srvtoolu_03","content":{"type":"code_execution_tool_result_error","error_code":"execution_time_exceeded"}},
              {"type":"mcp_tool_use","id":"mcptoolu_01","name":"ask_question","server_name":"deepwiki","input":{"repoName":"a/b","question":"why?"}},
              {"type":"mcp_tool_result","tool_use_id":"mcptoolu_01","is_error":false,"content":[{"type":"text","text":"Because."}]},
              {"type":"text","text":"It is sunny in Paris.","citations":[{"type":"web_search_result_location","url":"https://example.com/w","title":"Weather","encrypted_index":"RW5j","cited_text":"Sunny, 21 C"}]}],
             "stop_reason":"end_turn","stop_sequence":null,
             "usage":{"input_tokens":2048,"output_tokens":310,"cache_read_input_tokens":1024,"server_tool_use":{"web_search_requests":1,"web_fetch_requests":0}}}
            """);
        AddSeed(chat, "own:server-tool-pause", """
            {"id":"msg_05","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[
              {"type":"server_tool_use","id":"srvtoolu_04","name":"web_fetch","input":{"url":"https://example.com/long"}},
              {"type":"web_fetch_tool_result","tool_use_id":"srvtoolu_04","content":{"type":"web_fetch_tool_error","error_code":"url_not_accessible"}}],
             "stop_reason":"pause_turn","stop_sequence":null,"usage":{"input_tokens":300,"output_tokens":20,"server_tool_use":{"web_search_requests":0,"web_fetch_requests":1}}}
            """);

        var stream = Target("anthropic.stream", BodyFormat.ServerSentEvents, ["stream"]);
        AddSeed(stream, "own:stream-text", Events(
            ("message_start", """{"type":"message_start","message":{"id":"msg_s1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"usage":{"input_tokens":5,"output_tokens":1}}}"""),
            ("ping", """{"type":"ping"}"""),
            ("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" there"}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":0}"""),
            ("message_delta", """{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":2}}"""),
            ("message_stop", """{"type":"message_stop"}""")));
        AddSeed(stream, "own:stream-thinking-tool", Events(
            ("message_start", """{"type":"message_start","message":{"id":"msg_s2","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"usage":{"input_tokens":40,"output_tokens":1,"cache_read_input_tokens":30}}}"""),
            ("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Think"}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"c2ln"}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":0}"""),
            ("content_block_start", """{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_s2","name":"lookup","input":{}}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"q\":"}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\"cats\"}"}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":1}"""),
            ("message_delta", """{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":12}}"""),
            ("message_stop", """{"type":"message_stop"}""")));
        AddSeed(stream, "own:stream-server-tools", Events(
            ("message_start", """{"type":"message_start","message":{"id":"msg_s4","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"usage":{"input_tokens":900,"output_tokens":1}}}"""),
            ("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"server_tool_use","id":"srvtoolu_s1","name":"web_search","input":{}}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"query\": \"weather"}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":" Paris\"}"}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":0}"""),
            ("content_block_start", """{"type":"content_block_start","index":1,"content_block":{"type":"web_search_tool_result","tool_use_id":"srvtoolu_s1","content":[{"type":"web_search_result","url":"https://example.com/w","title":"Weather","encrypted_content":"RW5j","page_age":null}]}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":1}"""),
            ("content_block_start", """{"type":"content_block_start","index":2,"content_block":{"type":"mcp_tool_use","id":"mcptoolu_s1","name":"ask_question","server_name":"deepwiki","input":{}}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"repoName\":\"a/b\"}"}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":2}"""),
            ("content_block_start", """{"type":"content_block_start","index":3,"content_block":{"type":"mcp_tool_result","tool_use_id":"mcptoolu_s1","is_error":false,"content":[{"type":"text","text":"A repo."}]}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":3}"""),
            ("content_block_start", """{"type":"content_block_start","index":4,"content_block":{"type":"compaction","content":""}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":4,"delta":{"type":"compaction_delta","content":"Earlier turns summarised."}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":4}"""),
            ("content_block_start", """{"type":"content_block_start","index":5,"content_block":{"type":"text","text":""}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":5,"delta":{"type":"citations_delta","citation":{"type":"web_search_result_location","url":"https://example.com/w","title":"Weather","encrypted_index":"RW5j","cited_text":"Sunny"}}}"""),
            ("content_block_delta", """{"type":"content_block_delta","index":5,"delta":{"type":"text_delta","text":"Sunny."}}"""),
            ("content_block_stop", """{"type":"content_block_stop","index":5}"""),
            ("message_delta", """{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":40,"server_tool_use":{"web_search_requests":1}}}"""),
            ("message_stop", """{"type":"message_stop"}""")));
        AddSeed(stream, "own:stream-error-event", Events(
            ("message_start", """{"type":"message_start","message":{"id":"msg_s3","type":"message","role":"assistant","content":[],"usage":{"input_tokens":1,"output_tokens":1}}}"""),
            ("error", """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""")));

        var health = Target("anthropic.health", BodyFormat.Json, ["health"]);
        AddSeed(health, "own:model", """{"type":"model","id":"claude-sonnet-4-5","display_name":"Claude Sonnet 4.5","created_at":"2025-09-29T00:00:00Z"}""");

        var errors = Target("anthropic.error", BodyFormat.Json, ["chat", "stream", "health"], errorStatuses: true);
        AddSeed(errors, "own:overloaded", """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""", 529, [new("retry-after", "2")]);
        AddSeed(errors, "own:too-long", """{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum"}}""", 400);
        AddSeed(errors, "own:rate-limited", """{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}""", 429, [new("retry-after", "1")]);
        AddSeed(errors, "own:not-found", """{"type":"error","error":{"type":"not_found_error","message":"model: claude-nope"}}""", 404);
        AddSeed(errors, "own:echoed-key", $$$"""{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key {{{Secret}}}"}}""", 401);
        AddSeed(errors, "own:plain-text-502", "<html>Bad Gateway</html>", 502, [new("Content-Type", "text/html")]);
        return [chat, stream, health, errors];
    }

    public override string? TargetOf(CassetteInteraction interaction)
    {
        var uri = new Uri(interaction.Request.Uri);
        if (!uri.Host.Equals("api.anthropic.com", StringComparison.OrdinalIgnoreCase) || uri.AbsolutePath != "/v1/messages")
        {
            return null;
        }

        // VCR marks some streams with #stream; the body's "stream": true marks them all.
        var streaming = interaction.Request.IsStreaming || interaction.Request.Json?["stream"] is System.Text.Json.Nodes.JsonValue flag && flag.TryGetValue<bool>(out var on) && on;
        return interaction.Response.Status >= 400 ? "anthropic.error" : streaming ? "anthropic.stream" : "anthropic.chat";
    }

    public override IReadOnlyDictionary<string, FuzzCall> Bind(HttpClient http, ILoggerFactory logs, ProviderResilienceOptions resilience)
    {
        var client = new AnthropicClient(new AnthropicClientOptions
        {
            Endpoint = new Uri("https://api.anthropic.com"),
            ApiKey = Secret,
            HttpClient = http,
            LoggerFactory = logs,
            Environment = EnvironmentProvider.FromVariables(new Dictionary<string, string?>()),
            Resilience = resilience,
        });
        var chat = client.AsIChatClient(Model);
        ChatMessage[] messages = [new(ChatRole.User, "Hello")];
        return new Dictionary<string, FuzzCall>
        {
            ["chat"] = new(async () => Read(await chat.GetResponseAsync(messages).ConfigureAwait(false))),
            ["stream"] = new(() => ReadStreamAsync(chat, messages, null)),
            ["health"] = new(
                async () =>
                {
                    var result = await client.CheckHealthAsync(Model).ConfigureAwait(false);
                    return result.Description + " " + result.Exception?.Message;
                },
                NeverThrows: true),
        };
    }

    private static string Events(params (string Name, string Data)[] events) => string.Concat(events.Select(e => $"event: {e.Name}\ndata: {e.Data}\n\n"));
}
