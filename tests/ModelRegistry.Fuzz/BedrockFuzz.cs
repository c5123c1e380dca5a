using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using ModelRegistry.Bedrock;
using ModelRegistry.Providers;
using ModelRegistry.Testing;

namespace ModelRegistry.Fuzz;

/// <summary>
/// Bedrock through <see cref="BedrockClient"/>: Converse (plain and with a structured-output tool), ConverseStream's
/// event stream, Titan / Cohere / Nova embeddings, CountTokens, the availability probe, and error answers to them.
/// Authorised with an API key (bearer), so no AWS credential chain is read. The seeds below are ours.
/// </summary>
internal sealed class BedrockFuzz : FuzzProvider
{
    private const string Model = "anthropic.claude-haiku-4-5-20251001-v1:0";
    private const string EventStreamType = "application/vnd.amazon.eventstream";

    public override string Name => "bedrock";

    public override string Secret => "ABSK-test-Z3kP8qL2wX9mN4vB7";

    public override IReadOnlyList<(string Name, string[] Values)> Headers { get; } =
    [
        ("x-amzn-ErrorType", ["ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/", "ValidationException", "ModelNotReadyException", "ServiceUnavailableException", "InternalServerException", "ModelTimeoutException", "AccessDeniedException", "com.amazon.coral.service#ThrottlingException", "#", ":", "#:"]),
        ("x-amzn-RequestId", ["7d1f0c1e-2b3a-4c5d-8e9f-0a1b2c3d4e5f", "", "\u00e9\u00e9"]),
        ("x-amzn-bedrock-input-token-count", ["0", "5", "-1", "9223372036854775807", "99999999999999999999", "1e3", " 7"]),
    ];

    public override IReadOnlyList<FuzzTarget> CreateTargets()
    {
        var converse = Target("bedrock.converse", BodyFormat.Json, ["chat", "chat-json"]);
        Add(converse, "own:text", """
            {"output":{"message":{"role":"assistant","content":[{"text":"Hello there."}]}},"stopReason":"end_turn",
             "usage":{"inputTokens":12,"outputTokens":4,"totalTokens":16,"cacheReadInputTokens":0,"cacheWriteInputTokens":0},"metrics":{"latencyMs":321}}
            """);
        Add(converse, "own:tool-use", """
            {"output":{"message":{"role":"assistant","content":[{"text":"Let me check."},
              {"toolUse":{"toolUseId":"tooluse_kZJMlvQmRJ6eAyJE5GIl7Q","name":"get_weather","input":{"city":"Paris","days":3}}}]}},
             "stopReason":"tool_use","usage":{"inputTokens":402,"outputTokens":58,"totalTokens":460},"metrics":{"latencyMs":1180}}
            """);
        Add(converse, "own:structured-output-tool", """
            {"output":{"message":{"role":"assistant","content":[{"toolUse":{"toolUseId":"tooluse_1","name":"json_response","input":{"answer":42}}}]}},
             "stopReason":"tool_use","usage":{"inputTokens":30,"outputTokens":9,"totalTokens":39}}
            """);
        Add(converse, "own:reasoning-and-media", """
            {"output":{"message":{"role":"assistant","content":[
              {"reasoningContent":{"reasoningText":{"text":"The user asks for a number.","signature":"EqQBCkgIARABGAIiQL"}}},
              {"reasoningContent":{"redactedContent":"cmVkYWN0ZWQgcmVhc29uaW5n"}},
              {"image":{"format":"png","source":{"bytes":"iVBORw0KGgo="}}},
              {"document":{"format":"txt","name":"notes","source":{"bytes":"aGVsbG8="}}},
              {"text":"42"}]}},
             "stopReason":"end_turn","usage":{"inputTokens":20,"outputTokens":80,"totalTokens":100,"cacheReadInputTokens":1024,"cacheWriteInputTokens":8},
             "additionalModelResponseFields":{"stop_sequence":null},"performanceConfig":{"latency":"standard"},"serviceTier":{"type":"default"}}
            """);
        Add(converse, "own:citations-guardrail", """
            {"output":{"message":{"role":"assistant","content":[
              {"citationsContent":{"content":[{"text":"The sky is blue."}],"citations":[{"title":"Sky facts","sourceContent":[{"text":"blue sky"}],
                "location":{"documentChar":{"documentIndex":0,"start":0,"end":8}}},{"title":"Web","location":{"web":{"url":"https://example.com/sky","domain":"example.com"}}}]}},
              {"toolResult":{"toolUseId":"srv_1","type":"nova_code_interpreter_result","content":[{"text":"4"},{"json":{"stdout":"4"}}]}}]}},
             "stopReason":"guardrail_intervened","trace":{"guardrail":{"inputAssessment":{}}},"usage":{"inputTokens":5,"outputTokens":6,"totalTokens":11}}
            """);

        var stream = Target("bedrock.converse-stream", BodyFormat.EventStream, ["stream", "stream-json"]);
        Add(stream, "own:stream-text", Frames(
            EventStreamEncoder.Event("messageStart", """{"role":"assistant"}"""),
            EventStreamEncoder.Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"Hello"}}"""),
            EventStreamEncoder.Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":" world"}}"""),
            EventStreamEncoder.Event("contentBlockStop", """{"contentBlockIndex":0}"""),
            EventStreamEncoder.Event("messageStop", """{"stopReason":"end_turn"}"""),
            EventStreamEncoder.Event("metadata", """{"usage":{"inputTokens":10,"outputTokens":3,"totalTokens":13,"cacheReadInputTokens":2},"metrics":{"latencyMs":120}}""")));
        Add(stream, "own:stream-tool-use", Frames(
            EventStreamEncoder.Event("messageStart", """{"role":"assistant"}"""),
            EventStreamEncoder.Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"Checking."}}"""),
            EventStreamEncoder.Event("contentBlockStop", """{"contentBlockIndex":0}"""),
            EventStreamEncoder.Event("contentBlockStart", """{"contentBlockIndex":1,"start":{"toolUse":{"toolUseId":"tooluse_abc","name":"get_weather"}}}"""),
            EventStreamEncoder.Event("contentBlockDelta", """{"contentBlockIndex":1,"delta":{"toolUse":{"input":"{\"city\":"}}}"""),
            EventStreamEncoder.Event("contentBlockDelta", """{"contentBlockIndex":1,"delta":{"toolUse":{"input":"\"Paris\"}"}}}"""),
            EventStreamEncoder.Event("contentBlockStop", """{"contentBlockIndex":1}"""),
            EventStreamEncoder.Event("contentBlockStart", """{"contentBlockIndex":2,"start":{"toolUse":{"toolUseId":"tooluse_out","name":"json_response"}}}"""),
            EventStreamEncoder.Event("contentBlockDelta", """{"contentBlockIndex":2,"delta":{"toolUse":{"input":"{\"answer\":42}"}}}"""),
            EventStreamEncoder.Event("contentBlockStop", """{"contentBlockIndex":2}"""),
            EventStreamEncoder.Event("messageStop", """{"stopReason":"tool_use"}"""),
            EventStreamEncoder.Event("metadata", """{"usage":{"inputTokens":300,"outputTokens":40,"totalTokens":340},"metrics":{"latencyMs":900}}""")));
        Add(stream, "own:stream-reasoning-citations", Frames(
            EventStreamEncoder.Event("messageStart", """{"role":"assistant"}"""),
            EventStreamEncoder.Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"Thinking"}}}"""),
            EventStreamEncoder.Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"reasoningContent":{"signature":"c2lnbmF0dXJl"}}}"""),
            EventStreamEncoder.Event("contentBlockDelta", """{"contentBlockIndex":1,"delta":{"reasoningContent":{"redactedContent":"cmVkYWN0ZWQ="}}}"""),
            EventStreamEncoder.Event("contentBlockDelta", """{"contentBlockIndex":2,"delta":{"citation":{"title":"Doc","sourceContent":[{"text":"cited"}],"location":{"web":{"url":"https://example.com"}}}}}"""),
            EventStreamEncoder.Event("contentBlockStart", """{"contentBlockIndex":3,"start":{"toolResult":{"toolUseId":"srv_2","type":"nova_code_interpreter_result"}}}"""),
            EventStreamEncoder.Event("contentBlockDelta", """{"contentBlockIndex":3,"delta":{"toolResult":[{"text":"4"}]}}"""),
            EventStreamEncoder.Event("contentBlockStop", """{"contentBlockIndex":3}"""),
            EventStreamEncoder.Event("messageStop", """{"stopReason":"end_turn","additionalModelResponseFields":{"x":1}}"""),
            EventStreamEncoder.Event("metadata", """{"usage":{"inputTokens":1,"outputTokens":2,"totalTokens":3},"trace":{"guardrail":{}}}""")));
        Add(stream, "own:stream-exception", Frames(
            EventStreamEncoder.Event("messageStart", """{"role":"assistant"}"""),
            EventStreamEncoder.Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"Par"}}"""),
            EventStreamEncoder.Exception("throttlingException", "Too many requests, please wait before trying again.")));
        Add(stream, "own:stream-error-message", Frames(
            EventStreamEncoder.Event("messageStart", """{"role":"assistant"}"""),
            EventStreamEncoder.Message([(":message-type", "error"), (":error-code", "InternalFailure"), (":error-message", "An internal error occurred.")], [])));

        var embeddings = Target("bedrock.embeddings", BodyFormat.Json, ["embed-titan", "embed-cohere", "embed-nova"]);
        Add(embeddings, "own:titan", """{"embedding":[0.125,-0.25,0.5,1e-3],"embeddingsByType":{"float":[0.125,-0.25,0.5,1e-3]},"inputTextTokenCount":3}""");
        Add(embeddings, "own:cohere", """{"id":"5a1b","texts":["alpha","beta"],"embeddings":[[0.1,0.2,0.3],[-0.1,-0.2,-0.3]],"response_type":"embeddings_floats"}""");
        Add(embeddings, "own:cohere-by-type", """{"id":"5a1c","embeddings":{"float":[[1,2],[3,4]]},"response_type":"embeddings_by_type"}""");
        Add(embeddings, "own:nova", """{"embeddings":[{"embeddingType":"TEXT","embedding":[0.5,0.25,-0.75]}]}""");

        var count = Target("bedrock.count-tokens", BodyFormat.Json, ["count-tokens"]);
        Add(count, "own:count", """{"inputTokens":42}""");

        var health = Target("bedrock.health", BodyFormat.Json, ["health"]);
        Add(health, "own:available", """
            {"agreementAvailability":{"status":"AVAILABLE"},"authorizationStatus":"AUTHORIZED","entitlementAvailability":"AVAILABLE",
             "modelId":"anthropic.claude-haiku-4-5-20251001-v1:0","regionAvailability":"AVAILABLE"}
            """);
        Add(health, "own:not-available-echoing-key", $$"""
            {"agreementAvailability":{"status":"NOT_AVAILABLE","errorMessage":"No agreement for the caller authenticated with Bearer {{Secret}}"},
             "authorizationStatus":"NOT_AUTHORIZED","entitlementAvailability":"NOT_AVAILABLE","regionAvailability":"AVAILABLE"}
            """);

        var errors = Target("bedrock.error", BodyFormat.Json, ["chat", "stream", "embed-titan", "count-tokens", "health"], errorStatuses: true);
        Add(errors, "own:validation", """{"message":"The provided model identifier is invalid."}""", 400,
            [new("x-amzn-ErrorType", "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/"), new("Content-Type", "application/json")]);
        Add(errors, "own:throttled", """{"message":"Too many requests, please wait before trying again."}""", 429,
            [new("x-amzn-ErrorType", "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"), new("Retry-After", "2")]);
        Add(errors, "own:access-denied", """{"Message":"User: arn:aws:iam::123456789012:user/fuzz is not authorized to perform: bedrock:InvokeModel"}""", 403);
        Add(errors, "own:internal", """{"__type":"com.amazon.coral.service#InternalServerException","message":"Internal error"}""", 500);
        Add(errors, "own:plain-503", "Service Unavailable", 503, [new("Content-Type", "text/plain")]);
        Add(errors, "own:model-error", """{"message":"Received error from model","originalStatusCode":500,"resourceName":"arn:aws:bedrock:us-east-1::foundation-model/x"}""", 424,
            [new("x-amzn-ErrorType", "ModelErrorException")]);
        Add(errors, "own:echoed-key", $$"""{"message":"Invalid bearer token: Bearer {{Secret}}"}""", 401);

        // A message whose echoed key sits where the kit cuts messages (2000 characters): the cut must not leave part of it.
        Add(errors, "own:long-message-echoing-key", $$"""{"message":"{{new string('m', 1985)}} Bearer {{Secret}} trailing text"}""", 400);
        return [converse, stream, embeddings, count, health, errors];
    }

    public override string? TargetOf(CassetteInteraction interaction)
    {
        var uri = new Uri(interaction.Request.Uri);
        var host = uri.Host;
        if (host.StartsWith("bedrock.", StringComparison.OrdinalIgnoreCase) && host.EndsWith(".amazonaws.com", StringComparison.OrdinalIgnoreCase)
            && uri.AbsolutePath.StartsWith("/foundation-model-availability/", StringComparison.Ordinal))
        {
            return interaction.Response.Status >= 400 ? "bedrock.error" : "bedrock.health";
        }

        if (!host.StartsWith("bedrock-runtime.", StringComparison.OrdinalIgnoreCase) || !host.EndsWith(".amazonaws.com", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (interaction.Response.Status >= 400)
        {
            return "bedrock.error";
        }

        var path = uri.AbsolutePath;
        return path.EndsWith("/converse-stream", StringComparison.Ordinal) ? "bedrock.converse-stream"
            : path.EndsWith("/converse", StringComparison.Ordinal) ? "bedrock.converse"
            : path.EndsWith("/count-tokens", StringComparison.Ordinal) ? "bedrock.count-tokens"
            : path.EndsWith("/invoke", StringComparison.Ordinal) && path.Contains("embed", StringComparison.OrdinalIgnoreCase) ? "bedrock.embeddings"
            : null;
    }

    public override IReadOnlyDictionary<string, FuzzCall> Bind(HttpClient http, ILoggerFactory logs, ProviderResilienceOptions resilience)
    {
        BedrockClient Client(BedrockStructuredOutputMode mode) => new(new BedrockClientOptions
        {
            Region = "us-east-1",
            ApiKey = Secret,
            HttpClient = http,
            LoggerFactory = logs,
            Environment = EnvironmentProvider.FromVariables(new Dictionary<string, string?>()),
            Resilience = resilience,
            StructuredOutput = mode,
        });
        var client = Client(BedrockStructuredOutputMode.Auto);
        var chat = client.AsIChatClient(Model);
        var structured = Client(BedrockStructuredOutputMode.Tool).AsIChatClient(Model);
        var counter = chat.GetService<IChatTokenCounter>() ?? throw new InvalidOperationException("The Bedrock chat client counts no tokens.");
        var titan = client.AsIEmbeddingGenerator("amazon.titan-embed-text-v2:0");
        var cohere = client.AsIEmbeddingGenerator("cohere.embed-english-v3");
        var nova = client.AsIEmbeddingGenerator("amazon.nova-2-multimodal-embeddings-v1:0");
        ChatMessage[] messages = [new(ChatRole.User, "Hello")];
        var json = new ChatOptions { ResponseFormat = ChatResponseFormat.Json };
        return new Dictionary<string, FuzzCall>
        {
            ["chat"] = new(async () => Read(await chat.GetResponseAsync(messages).ConfigureAwait(false))),
            ["chat-json"] = new(async () => Read(await structured.GetResponseAsync(messages, json).ConfigureAwait(false))),
            ["stream"] = new(() => ReadStreamAsync(chat, messages, null)),
            ["stream-json"] = new(() => ReadStreamAsync(structured, messages, json)),
            ["embed-titan"] = new(() => EmbedAsync(titan)),
            ["embed-cohere"] = new(() => EmbedAsync(cohere)),
            ["embed-nova"] = new(() => EmbedAsync(nova)),
            ["count-tokens"] = new(async () => (await counter.CountTokensAsync(messages).ConfigureAwait(false)) < 0 ? "negative count" : null),
            ["health"] = new(
                async () =>
                {
                    var result = await client.CheckHealthAsync(Model).ConfigureAwait(false);
                    return result.Description + " " + result.Exception?.Message + " " + string.Join(' ', result.Data.Values);
                },
                NeverThrows: true),
        };
    }

    private static async Task<string?> EmbedAsync(IEmbeddingGenerator<string, Embedding<float>> generator)
    {
        var result = await generator.GenerateAsync(["alpha", "beta"]).ConfigureAwait(false);
        return result.Count == 2 ? null : $"{result.Count} embeddings for 2 inputs";
    }

    private static byte[] Frames(params byte[][] frames) => EventStreamEncoder.Body(frames);

    private static void Add(FuzzTarget target, string name, string body, int status = 200, IReadOnlyList<KeyValuePair<string, string>>? headers = null) =>
        Add(target, name, Encoding.UTF8.GetBytes(body), status, headers);

    private static void Add(FuzzTarget target, string name, byte[] body, int status = 200, IReadOnlyList<KeyValuePair<string, string>>? headers = null) =>
        target.Seeds.Add(new Seed(
            name,
            body,
            status,
            headers ?? [new("Content-Type", target.Format == BodyFormat.EventStream ? EventStreamType : "application/json"), new("x-amzn-RequestId", "7d1f0c1e-2b3a-4c5d-8e9f-0a1b2c3d4e5f")],
            target.Format));
}
