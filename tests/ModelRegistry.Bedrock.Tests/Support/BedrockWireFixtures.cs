using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Testing;

namespace ModelRegistry.Bedrock.Tests.Support;

/// <summary>
/// Bedrock's wire for the provider conformance suite, written by us from the Converse, ConverseStream, CountTokens,
/// InvokeModel and GetFoundationModelAvailability shapes of the botocore service models: Converse JSON, ConverseStream
/// event-stream messages (encoded with the test kit's <see cref="EventStreamEncoder"/>), errors typed by
/// <c>x-amzn-ErrorType</c>, Titan embeddings and the control plane's availability answer. The entry is Claude Sonnet
/// 4.5 (reasoning with a token budget), signed with SigV4 at the suite's fixed time; structured output is native
/// (<c>outputConfig</c>), or the forced tool every family without native support gets (the entry's
/// <c>structured_output</c> set to <c>tool</c>).
/// </summary>
/// <param name="forcedToolOutput">Whether the entry asks for structured output through a forced tool.</param>
internal sealed class BedrockWireFixtures(bool forcedToolOutput) : ProviderWireFixtures
{
    /// <summary>The entry's chat model: an inference profile id, so the path needs <c>%3A</c> and the probe drops <c>us.</c>.</summary>
    public const string ChatModel = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";

    /// <summary>The embeddings entry's model: Titan Text Embeddings v2 (one text per call, <c>normalize</c> default true).</summary>
    public const string EmbeddingModel = "amazon.titan-embed-text-v2:0";

    /// <summary>The foundation model behind <see cref="ChatModel"/>: what the probe and CountTokens name.</summary>
    private const string FoundationModel = "anthropic.claude-sonnet-4-5-20250929-v1:0";

    private const string EventStream = "application/vnd.amazon.eventstream";

    private const string RequestId = "b7f3c0de-0000-4c0f-9a11-conformance01";

    /// <summary>A model of another family: Amazon Nova Micro through its US inference profile.</summary>
    public override string AlternateModelId => "us.amazon.nova-micro-v1:0";

    /// <summary>Titan Text Embeddings v1, whose answers read like v2's but whose body is <c>inputText</c> alone.</summary>
    public override string AlternateEmbeddingModelId => "amazon.titan-embed-text-v1";

    /// <inheritdoc />
    public override void AssertModel(ReceivedRequest request, string modelId)
    {
        ArgumentNullException.ThrowIfNull(request);
        Assert.That(request.PathAndQuery, Does.StartWith($"/model/{Segment(modelId)}/converse"), "the model is the path's one encoded segment");
    }

    /// <inheritdoc />
    public override ScriptedResponse Text => Converse([TextBlock(ConformanceData.Answer)], "end_turn", Usage(ConformanceData.InputTokens, ConformanceData.OutputTokens));

    /// <inheritdoc />
    public override void CheckTextRequest(ReceivedRequest request) => CheckQuestion(request, "converse", "application/json");

    /// <inheritdoc />
    public override WireStream TextStream => Stream(
        2,
        [
            .. ConformanceData.AnswerParts.Select(p => Delta(0, new JsonObject { ["text"] = p })),
            BlockStop(0),
        ],
        "end_turn",
        Usage(ConformanceData.InputTokens, ConformanceData.OutputTokens));

    /// <inheritdoc />
    public override void CheckStreamRequest(ReceivedRequest request) => CheckQuestion(request, "converse-stream", EventStream);

    /// <summary>
    /// An error as Bedrock sends it: <c>{"message": ...}</c>, the error type in <c>x-amzn-ErrorType</c> (with the
    /// service's namespace after a colon) for the statuses the service model lists; 401 and 413 come from in front of
    /// the service, untyped.
    /// </summary>
    public override ScriptedResponse Error(int status, string message)
    {
        var type = status switch
        {
            400 => "ValidationException",
            403 => "AccessDeniedException",
            404 => "ResourceNotFoundException",
            408 => "ModelTimeoutException",
            429 => "ThrottlingException",
            500 => "InternalServerException",
            503 => "ServiceUnavailableException",
            _ => null,
        };
        var body = new JsonObject { ["message"] = message }.ToJsonString();
        return type is null
            ? ScriptedResponse.Json(body, status, ("x-amzn-RequestId", RequestId))
            : ScriptedResponse.Json(body, status, ("x-amzn-RequestId", RequestId), ("x-amzn-ErrorType", $"{type}:http://internal.amazon.com/coral/com.amazon.bedrock/"));
    }

    /// <inheritdoc />
    public override IReadOnlyList<ScriptedResponse> HealthyProbe => [Availability("AVAILABLE", "AUTHORIZED", "AVAILABLE")];

    /// <summary>The account may not use the model: not authorised, no entitlement, the agreement not accepted.</summary>
    public override IReadOnlyList<ScriptedResponse> UnhealthyProbe => [Availability("NOT_AVAILABLE", "NOT_AUTHORIZED", "NOT_AVAILABLE")];

    /// <inheritdoc />
    public override void CheckProbeRequests(IReadOnlyList<ReceivedRequest> requests, string modelId)
    {
        ArgumentNullException.ThrowIfNull(requests);
        Assert.That(modelId, Is.EqualTo(ChatModel));
        Assert.That(requests.Select(r => $"{r.Method} {r.PathAndQuery} {r.Body.Length}"), Is.EqualTo(new[] { $"GET /foundation-model-availability/{Segment(FoundationModel)} 0" }));
        CheckSigned(requests[0]);
    }

    /// <inheritdoc />
    public override ScriptedResponse ToolCall => Converse([ToolUse()], "tool_use", Usage(30, 10));

    /// <inheritdoc />
    public override WireStream ToolCallStream => Stream(
        2,
        [
            Event("contentBlockStart", new JsonObject
            {
                ["contentBlockIndex"] = 0,
                ["start"] = new JsonObject { ["toolUse"] = new JsonObject { ["toolUseId"] = ConformanceData.ToolCallId, ["name"] = ConformanceData.ToolName } },
            }),
            Delta(0, new JsonObject { ["toolUse"] = new JsonObject { ["input"] = "{\"city\":" } }),
            Delta(0, new JsonObject { ["toolUse"] = new JsonObject { ["input"] = $"\"{ConformanceData.ToolCity}\"}}" } }),
            BlockStop(0),
        ],
        "tool_use",
        Usage(30, 10));

    /// <summary>
    /// The tool as a <c>toolSpec</c>, and the mode as <c>toolChoice</c> <c>auto</c>, <c>any</c> or <c>tool</c>. Converse
    /// has no "none" choice: with <see cref="NoneChatToolMode"/> the client sends no tools at all.
    /// </summary>
    public override void CheckToolMode(ReceivedRequest request, ChatToolMode mode)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (mode is NoneChatToolMode)
        {
            Assert.That(WireJson.At(request, "toolConfig"), Is.Null, "no toolConfig: the model cannot call what it is not offered");
            return;
        }

        Assert.Multiple(() =>
        {
            CheckToolDeclared(request);
            Assert.That(WireJson.Raw(request, "toolConfig.toolChoice"), Is.EqualTo(mode switch
            {
                AutoChatToolMode => """{"auto":{}}""",
                RequiredChatToolMode { RequiredFunctionName: null } => """{"any":{}}""",
                RequiredChatToolMode { RequiredFunctionName: { } name } => new JsonObject { ["tool"] = new JsonObject { ["name"] = name } }.ToJsonString(),
                _ => throw new ArgumentOutOfRangeException(nameof(mode)),
            }));
        });
    }

    /// <inheritdoc />
    public override void CheckToolResultRequest(ReceivedRequest request) => Assert.Multiple(() =>
    {
        Assert.That(WireJson.At(request, "messages")?.AsArray(), Has.Count.EqualTo(3));
        Assert.That(JsonEquivalence.Differences(UserText(ConformanceData.Question), WireJson.At(request, "messages[0]")), Is.Empty, "the question");
        Assert.That(WireJson.Text(request, "messages[1].role"), Is.EqualTo("assistant"));
        Assert.That(JsonEquivalence.Differences(ToolUse(), WireJson.At(request, "messages[1].content[0]")), Is.Empty, "the call, sent back");
        Assert.That(WireJson.Text(request, "messages[2].role"), Is.EqualTo("user"), "a tool result goes in a user turn");
        Assert.That(
            JsonEquivalence.Differences(
                new JsonObject
                {
                    ["toolResult"] = new JsonObject
                    {
                        ["toolUseId"] = ConformanceData.ToolCallId,
                        ["content"] = new JsonArray(new JsonObject { ["text"] = ConformanceData.ToolResult }),
                        ["status"] = "success",
                    },
                },
                WireJson.At(request, "messages[2].content[0]")),
            Is.Empty,
            "the result, for the call's id");
        CheckToolDeclared(request);
    });

    /// <summary>Natively, the answer's text; through the forced tool, the tool's input (and the stop reason <c>tool_use</c>).</summary>
    public override ScriptedResponse Structured => forcedToolOutput
        ? Converse([OutputToolUse()], "tool_use", Usage(20, 9))
        : Converse([TextBlock(ConformanceData.StructuredAnswer)], "end_turn", Usage(20, 9));

    /// <summary>
    /// Natively: <c>outputConfig.textFormat</c> with the schema as a JSON string, its name and description (constrained
    /// decoding is what the native form does, so the wire has no strict flag), and no tool. Through a tool: one strict
    /// <c>toolSpec</c> named after the schema, whose input schema is the response schema, and the tool forced.
    /// </summary>
    public override void CheckStructuredRequest(ReceivedRequest request)
    {
        if (forcedToolOutput)
        {
            CheckOutputTool(request);
            return;
        }

        CheckNativeOutput(request);
    }

    private static void CheckOutputTool(ReceivedRequest request) => Assert.Multiple(() =>
    {
        var spec = new JsonObject
        {
            ["toolSpec"] = new JsonObject
            {
                ["name"] = ConformanceData.SchemaName,
                ["description"] = ConformanceData.SchemaDescription,
                ["inputSchema"] = new JsonObject { ["json"] = JsonNode.Parse(ConformanceData.Schema) },
                ["strict"] = true,
            },
        };
        Assert.That(JsonEquivalence.Differences(new JsonArray(spec), WireJson.At(request, "toolConfig.tools")), Is.Empty, "the schema as the one tool, strict");
        Assert.That(WireJson.Raw(request, "toolConfig.toolChoice"), Is.EqualTo(new JsonObject { ["tool"] = new JsonObject { ["name"] = ConformanceData.SchemaName } }.ToJsonString()));
        Assert.That(WireJson.At(request, "outputConfig"), Is.Null, "no native format beside the tool");
    });

    private static void CheckNativeOutput(ReceivedRequest request) => Assert.Multiple(() =>
    {
        Assert.That(WireJson.Text(request, "outputConfig.textFormat.type"), Is.EqualTo("json_schema"));
        Assert.That(WireJson.Text(request, "outputConfig.textFormat.structure.jsonSchema.name"), Is.EqualTo(ConformanceData.SchemaName));
        Assert.That(WireJson.Text(request, "outputConfig.textFormat.structure.jsonSchema.description"), Is.EqualTo(ConformanceData.SchemaDescription));
        var schema = WireJson.Text(request, "outputConfig.textFormat.structure.jsonSchema.schema");
        Assert.That(schema, Is.Not.Null, "the schema is a string member");
        Assert.That(JsonEquivalence.Differences(ConformanceData.Schema, schema ?? "null"), Is.Empty);
        Assert.That(WireJson.At(request, "toolConfig"), Is.Null, "no forced tool beside the native format");
    });

    /// <inheritdoc />
    public override ScriptedResponse Reasoning => Converse([ReasoningBlock(), TextBlock(ConformanceData.ReasoningAnswer)], "end_turn", Usage(15, 25));

    /// <summary>Reasoning has no contentBlockStart: its deltas (text, then the signature) open block 0; the answer is block 1.</summary>
    public override WireStream ReasoningStream => Stream(
        2,
        [
            .. ConformanceData.ReasoningParts.Select(p => Delta(0, new JsonObject { ["reasoningContent"] = new JsonObject { ["text"] = p } })),
            Delta(0, new JsonObject { ["reasoningContent"] = new JsonObject { ["signature"] = ConformanceData.ReasoningSignature } }),
            BlockStop(0),
            Delta(1, new JsonObject { ["text"] = ConformanceData.ReasoningAnswer }),
            BlockStop(1),
        ],
        "end_turn",
        Usage(15, 25));

    /// <summary>Claude Sonnet 4.5 thinks with a budget: medium effort is 4,096 tokens in <c>additionalModelRequestFields.thinking</c>.</summary>
    public override void CheckReasoningRequest(ReceivedRequest request) =>
        Assert.That(JsonEquivalence.Differences("""{"type":"enabled","budget_tokens":4096}""", WireJson.Raw(request, "additionalModelRequestFields.thinking") ?? "null"), Is.Empty);

    /// <summary>The assistant's turn goes back whole: one reasoningContent block (text and signature unmodified, as Bedrock requires), then the answer.</summary>
    public override void CheckReasoningRoundTrip(ReceivedRequest request) => Assert.Multiple(() =>
    {
        Assert.That(WireJson.At(request, "messages")?.AsArray(), Has.Count.EqualTo(3));
        Assert.That(JsonEquivalence.Differences(UserText(ConformanceData.Question), WireJson.At(request, "messages[0]")), Is.Empty, "the question");
        Assert.That(
            JsonEquivalence.Differences(
                new JsonObject { ["role"] = "assistant", ["content"] = new JsonArray(ReasoningBlock(), TextBlock(ConformanceData.ReasoningAnswer)) },
                WireJson.At(request, "messages[1]")),
            Is.Empty);
        Assert.That(JsonEquivalence.Differences(UserText(ConformanceData.FollowUp), WireJson.At(request, "messages[2]")), Is.Empty, "the next question");
        CheckReasoningRequest(request);
    });

    /// <inheritdoc />
    public override void CheckImageRequest(ReceivedRequest request) =>
        CheckAttachment(request, new JsonObject { ["image"] = new JsonObject { ["format"] = "png", ["source"] = Bytes(ConformanceData.Png) } });

    /// <inheritdoc />
    public override void CheckDocumentRequest(ReceivedRequest request) => CheckAttachment(
        request,
        new JsonObject { ["document"] = new JsonObject { ["format"] = "pdf", ["name"] = ConformanceData.DocumentName, ["source"] = Bytes(ConformanceData.Pdf) } });

    /// <summary>Bedrock reports cache reads and writes apart from <c>inputTokens</c>; <c>totalTokens</c> counts them all.</summary>
    public override ScriptedResponse CachedUsage
    {
        get
        {
            var uncached = ConformanceData.CachedUsageInputTokens - ConformanceData.CacheReadTokens - ConformanceData.CacheWriteTokens;
            var usage = Usage(uncached, ConformanceData.CachedUsageOutputTokens);
            usage["totalTokens"] = ConformanceData.CachedUsageInputTokens + ConformanceData.CachedUsageOutputTokens;
            usage["cacheReadInputTokens"] = ConformanceData.CacheReadTokens;
            usage["cacheWriteInputTokens"] = ConformanceData.CacheWriteTokens;
            return Converse([TextBlock(ConformanceData.Answer)], "end_turn", usage);
        }
    }

    /// <summary>Titan takes one text per InvokeModel call: one answer per input.</summary>
    public override IReadOnlyList<ScriptedResponse> Embeddings =>
    [
        .. ConformanceData.EmbeddingVectors.Select(v => ScriptedResponse.Json(
            new JsonObject { ["embedding"] = new JsonArray([.. v.Select(x => (JsonNode?)JsonValue.Create(x))]), ["inputTextTokenCount"] = 1 }.ToJsonString(),
            200,
            ("x-amzn-RequestId", RequestId),
            ("x-amzn-bedrock-input-token-count", "1"))),
    ];

    /// <summary>One InvokeModel call per text, in order: v2 with <c>normalize</c> (its documented default, true), v1 with <c>inputText</c> alone.</summary>
    public override void CheckEmbeddingRequests(IReadOnlyList<ReceivedRequest> requests, string modelId)
    {
        ArgumentNullException.ThrowIfNull(requests);
        Assert.That(modelId, Is.EqualTo(EmbeddingModel).Or.EqualTo(AlternateEmbeddingModelId));
        Assert.That(requests, Has.Count.EqualTo(ConformanceData.EmbeddingInputs.Count));
        Assert.Multiple(() =>
        {
            for (var i = 0; i < requests.Count; i++)
            {
                var expected = new JsonObject { ["inputText"] = ConformanceData.EmbeddingInputs[i] };
                if (modelId == EmbeddingModel)
                {
                    expected["normalize"] = true;
                }

                Assert.That($"{requests[i].Method} {requests[i].PathAndQuery}", Is.EqualTo($"POST /model/{Segment(modelId)}/invoke"));
                Assert.That(JsonEquivalence.Differences(expected, requests[i].Json), Is.Empty, $"request {i}");
                CheckSigned(requests[i]);
            }
        });
    }

    /// <inheritdoc />
    public override ScriptedResponse TokenCount =>
        ScriptedResponse.Json(new JsonObject { ["inputTokens"] = ConformanceData.TokenCount }.ToJsonString(), 200, ("x-amzn-RequestId", RequestId));

    /// <summary>CountTokens on the foundation model (the geographic prefix dropped), with the Converse fields it takes and nothing that generates.</summary>
    public override void CheckTokenCountRequest(ReceivedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var expected = new JsonObject
        {
            ["input"] = new JsonObject
            {
                ["converse"] = new JsonObject
                {
                    ["system"] = new JsonArray(new JsonObject { ["text"] = ConformanceData.Instructions }),
                    ["messages"] = new JsonArray(UserText(ConformanceData.Question)),
                },
            },
        };
        Assert.Multiple(() =>
        {
            Assert.That($"{request.Method} {request.PathAndQuery}", Is.EqualTo($"POST /model/{Segment(FoundationModel)}/count-tokens"));
            Assert.That(JsonEquivalence.Differences(expected, request.Json), Is.Empty);
            CheckSigned(request);
        });
    }

    /// <summary>A model id as the one path segment botocore makes of it (everything but <c>A-Za-z0-9-_.~</c> percent-encoded).</summary>
    private static string Segment(string modelId) => Uri.EscapeDataString(modelId);

    /// <summary>The text and stream requests: the instructions in <c>system</c>, the question, temperature and maxTokens, signed.</summary>
    private static void CheckQuestion(ReceivedRequest request, string operation, string accept)
    {
        ArgumentNullException.ThrowIfNull(request);
        Assert.Multiple(() =>
        {
            Assert.That($"{request.Method} {request.PathAndQuery}", Is.EqualTo($"POST /model/{Segment(ChatModel)}/{operation}"));
            Assert.That(request.Header("accept"), Is.EqualTo(accept));
            Assert.That(request.Header("content-type"), Does.StartWith("application/json"));
            Assert.That(JsonEquivalence.Differences(new JsonArray(new JsonObject { ["text"] = ConformanceData.Instructions }), WireJson.At(request, "system")), Is.Empty, "the instructions");
            Assert.That(WireJson.At(request, "messages")?.AsArray(), Has.Count.EqualTo(1));
            Assert.That(JsonEquivalence.Differences(UserText(ConformanceData.Question), WireJson.At(request, "messages[0]")), Is.Empty, "the question");
            Assert.That(WireJson.Number(request, "inferenceConfig.temperature"), Is.EqualTo(ConformanceData.Temperature));
            Assert.That(WireJson.Number(request, "inferenceConfig.maxTokens"), Is.EqualTo(ConformanceData.MaxOutputTokens));
            CheckSigned(request);
        });
    }

    /// <summary>SigV4 with the entry's fake credentials, region us-east-1, signing name bedrock, at the suite clock's time.</summary>
    private static void CheckSigned(ReceivedRequest request) => Assert.Multiple(() =>
    {
        Assert.That(request.Header("authorization"), Does.StartWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260301/us-east-1/bedrock/aws4_request, SignedHeaders="));
        Assert.That(request.Header("x-amz-date"), Is.EqualTo("20260301T120000Z"));
    });

    private static void CheckToolDeclared(ReceivedRequest request)
    {
        var spec = new JsonObject
        {
            ["toolSpec"] = new JsonObject
            {
                ["name"] = ConformanceData.ToolName,
                ["description"] = ConformanceData.ToolDescription,
                ["inputSchema"] = new JsonObject { ["json"] = JsonNode.Parse(ConformanceData.ToolSchema) },
            },
        };
        Assert.That(JsonEquivalence.Differences(new JsonArray(spec), WireJson.At(request, "toolConfig.tools")), Is.Empty, "the one tool, as a toolSpec");
    }

    private static void CheckAttachment(ReceivedRequest request, JsonObject block) => Assert.Multiple(() =>
    {
        Assert.That(WireJson.Text(request, "messages[0].role"), Is.EqualTo("user"));
        Assert.That(WireJson.Text(request, "messages[0].content[0].text"), Is.EqualTo(ConformanceData.DescribePrompt));
        Assert.That(JsonEquivalence.Differences(block, WireJson.At(request, "messages[0].content[1]")), Is.Empty);
        Assert.That(WireJson.At(request, "messages[0].content")?.AsArray(), Has.Count.EqualTo(2));
    });

    private static JsonObject Bytes(ReadOnlyMemory<byte> data) => new() { ["bytes"] = Convert.ToBase64String(data.Span) };

    private static JsonObject UserText(string text) => new() { ["role"] = "user", ["content"] = new JsonArray(new JsonObject { ["text"] = text }) };

    private static JsonObject TextBlock(string text) => new() { ["text"] = text };

    private static JsonObject ToolUse() => new()
    {
        ["toolUse"] = new JsonObject
        {
            ["toolUseId"] = ConformanceData.ToolCallId,
            ["name"] = ConformanceData.ToolName,
            ["input"] = new JsonObject { ["city"] = ConformanceData.ToolCity },
        },
    };

    private static JsonObject OutputToolUse() => new()
    {
        ["toolUse"] = new JsonObject
        {
            ["toolUseId"] = "tooluse_conformance2",
            ["name"] = ConformanceData.SchemaName,
            ["input"] = JsonNode.Parse(ConformanceData.StructuredAnswer),
        },
    };

    private static JsonObject ReasoningBlock() => new()
    {
        ["reasoningContent"] = new JsonObject
        {
            ["reasoningText"] = new JsonObject { ["text"] = ConformanceData.Reasoning, ["signature"] = ConformanceData.ReasoningSignature },
        },
    };

    private static JsonObject Usage(long input, long output) => new() { ["inputTokens"] = input, ["outputTokens"] = output, ["totalTokens"] = input + output };

    /// <summary>A Converse answer: the assistant's blocks, the stop reason, usage and latency, with the request id header.</summary>
    private static ScriptedResponse Converse(JsonObject[] content, string stopReason, JsonObject usage) => ScriptedResponse.Json(
        new JsonObject
        {
            ["output"] = new JsonObject { ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = new JsonArray(content) } },
            ["stopReason"] = stopReason,
            ["usage"] = usage,
            ["metrics"] = new JsonObject { ["latencyMs"] = 312 },
        }.ToJsonString(),
        200,
        ("x-amzn-RequestId", RequestId));

    /// <summary>A ConverseStream answer: messageStart, the blocks' events, messageStop with the stop reason, then metadata with usage.</summary>
    private static WireStream Stream(int cutAfter, byte[][] blocks, string stopReason, JsonObject usage) => new(
        [
            Event("messageStart", new JsonObject { ["role"] = "assistant" }),
            .. blocks,
            Event("messageStop", new JsonObject { ["stopReason"] = stopReason }),
            Event("metadata", new JsonObject { ["usage"] = usage, ["metrics"] = new JsonObject { ["latencyMs"] = 298 } }),
        ],
        cutAfter,
        EventStream,
        ("x-amzn-RequestId", RequestId));

    private static byte[] Delta(int index, JsonObject delta) => Event("contentBlockDelta", new JsonObject { ["contentBlockIndex"] = index, ["delta"] = delta });

    private static byte[] BlockStop(int index) => Event("contentBlockStop", new JsonObject { ["contentBlockIndex"] = index });

    private static byte[] Event(string type, JsonObject payload) => EventStreamEncoder.Event(type, payload.ToJsonString());

    private static ScriptedResponse Availability(string agreement, string authorization, string entitlement) => ScriptedResponse.Json(
        new JsonObject
        {
            ["modelId"] = FoundationModel,
            ["agreementAvailability"] = new JsonObject { ["status"] = agreement },
            ["authorizationStatus"] = authorization,
            ["entitlementAvailability"] = entitlement,
            ["regionAvailability"] = "AVAILABLE",
        }.ToJsonString(),
        200,
        ("x-amzn-RequestId", RequestId));
}
