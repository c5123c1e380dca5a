using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Testing;

namespace ModelRegistry.Anthropic.Tests.Conformance;

/// <summary>
/// The Messages API's wire for the conformance suite, written from Anthropic's API reference: <c>POST /v1/messages</c>
/// with the model, <c>max_tokens</c> and top-level <c>system</c> in the body; answers as content blocks with a
/// <c>stop_reason</c>; streams of <c>message_start</c> / <c>content_block_*</c> / <c>message_delta</c> /
/// <c>message_stop</c> events; <c>tool_use</c> / <c>tool_result</c> blocks; extended thinking as <c>thinking</c> blocks
/// signed by <c>signature</c>; images and documents as base64 sources; cache reads and writes in usage; the model card
/// probe <c>GET /v1/models/{id}</c>; and errors as <c>{"type":"error","error":{"type","message"}}</c>.
/// </summary>
internal sealed class AnthropicWireFixtures : ProviderWireFixtures
{
    /// <summary>The entry's model: one that takes a thinking budget, so the reasoning case checks <c>budget_tokens</c>.</summary>
    public const string ModelId = "claude-sonnet-4-5";

    public override void AssertModel(ReceivedRequest request, string modelId)
    {
        ArgumentNullException.ThrowIfNull(request);
        Assert.Multiple(() =>
        {
            Assert.That(request.PathAndQuery, Is.EqualTo("/v1/messages"), "the model goes in the body, never in the path");
            Assert.That(WireJson.Text(request, "model"), Is.EqualTo(modelId));
        });
    }

    public override ScriptedResponse Text => Message([TextBlock(ConformanceData.Answer)], "end_turn", Usage(ConformanceData.InputTokens, ConformanceData.OutputTokens));

    public override void CheckTextRequest(ReceivedRequest request) => CheckQuestion(request, stream: false);

    public override WireStream TextStream => WireStream.ServerSentEvents(
        3,
        [
            Event("message_start", MessageStart(ConformanceData.InputTokens)),
            Event("content_block_start", new JsonObject { ["type"] = "content_block_start", ["index"] = 0, ["content_block"] = TextBlock(string.Empty) }),
            .. ConformanceData.AnswerParts.Select(part => Event("content_block_delta", Delta(0, new JsonObject { ["type"] = "text_delta", ["text"] = part }))),
            Event("content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = 0 }),
            Event("message_delta", MessageDelta("end_turn", ConformanceData.OutputTokens)),
            Event("message_stop", new JsonObject { ["type"] = "message_stop" }),
        ]);

    public override void CheckStreamRequest(ReceivedRequest request) => CheckQuestion(request, stream: true);

    public override ScriptedResponse Error(int status, string message)
    {
        var type = status switch
        {
            400 or 413 => status == 413 ? "request_too_large" : "invalid_request_error",
            401 => "authentication_error",
            403 => "permission_error",
            404 => "not_found_error",
            429 => "rate_limit_error",
            408 => "timeout_error",
            _ => "api_error",
        };
        return ScriptedResponse.Json(new JsonObject
        {
            ["type"] = "error",
            ["error"] = new JsonObject { ["type"] = type, ["message"] = message },
            ["request_id"] = "req_011CConformance",
        }.ToJsonString(), status);
    }

    public override IReadOnlyList<ScriptedResponse> HealthyProbe =>
        [ScriptedResponse.Json("""{"type":"model","id":"claude-sonnet-4-5-20250929","display_name":"Claude Sonnet 4.5","created_at":"2025-09-29T00:00:00Z"}""")];

    public override IReadOnlyList<ScriptedResponse> UnhealthyProbe => [Error(404, "model: unknown-model")];

    public override void CheckProbeRequests(IReadOnlyList<ReceivedRequest> requests, string modelId)
    {
        ArgumentNullException.ThrowIfNull(requests);
        Assert.That(requests.Select(r => $"{r.Method} {r.PathAndQuery} {r.Body.Length}"), Is.EqualTo(new[] { $"GET /v1/models/{Uri.EscapeDataString(modelId)} 0" }));
    }

    public override ScriptedResponse ToolCall => Message([ToolUse()], "tool_use", Usage(30, 10));

    public override WireStream ToolCallStream => WireStream.ServerSentEvents(
        2,
        [
            Event("message_start", MessageStart(30)),
            Event("content_block_start", new JsonObject
            {
                ["type"] = "content_block_start", ["index"] = 0,
                ["content_block"] = new JsonObject { ["type"] = "tool_use", ["id"] = ConformanceData.ToolCallId, ["name"] = ConformanceData.ToolName, ["input"] = new JsonObject() },
            }),
            Event("content_block_delta", Delta(0, new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = "{\"city\": \"Pa" })),
            Event("content_block_delta", Delta(0, new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = "ris\"}" })),
            Event("content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = 0 }),
            Event("message_delta", MessageDelta("tool_use", 10)),
            Event("message_stop", new JsonObject { ["type"] = "message_stop" }),
        ]);

    public override void CheckToolMode(ReceivedRequest request, ChatToolMode mode) => Assert.Multiple(() =>
    {
        Assert.That(WireJson.Text(request, "tools[0].name"), Is.EqualTo(ConformanceData.ToolName));
        Assert.That(WireJson.Text(request, "tools[0].description"), Is.EqualTo(ConformanceData.ToolDescription));
        Assert.That(JsonEquivalence.Differences(ConformanceData.ToolSchema, WireJson.Raw(request, "tools[0].input_schema") ?? "null"), Is.Empty, "the schema");
        var expected = mode switch
        {
            NoneChatToolMode => """{"type":"none"}""",
            RequiredChatToolMode { RequiredFunctionName: { } name } => $$"""{"type":"tool","name":"{{name}}"}""",
            RequiredChatToolMode => """{"type":"any"}""",
            _ => """{"type":"auto"}""",
        };
        Assert.That(JsonEquivalence.Differences(expected, WireJson.Raw(request, "tool_choice") ?? "null"), Is.Empty, "tool_choice");
    });

    public override void CheckToolResultRequest(ReceivedRequest request) => Assert.Multiple(() =>
    {
        Assert.That(JsonEquivalence.Differences(
            new JsonArray
            {
                new JsonObject { ["role"] = "user", ["content"] = new JsonArray { TextBlock(ConformanceData.Question) } },
                new JsonObject { ["role"] = "assistant", ["content"] = new JsonArray { ToolUse() } },
                new JsonObject
                {
                    ["role"] = "user",
                    ["content"] = new JsonArray { new JsonObject { ["type"] = "tool_result", ["tool_use_id"] = ConformanceData.ToolCallId, ["content"] = ConformanceData.ToolResult } },
                },
            },
            WireJson.At(request, "messages")), Is.Empty, "question, call, result");
    });

    public override ScriptedResponse Reasoning => Message(
        [
            new JsonObject { ["type"] = "thinking", ["thinking"] = ConformanceData.Reasoning, ["signature"] = ConformanceData.ReasoningSignature },
            TextBlock(ConformanceData.ReasoningAnswer),
        ],
        "end_turn",
        Usage(20, 30));

    public override WireStream ReasoningStream => WireStream.ServerSentEvents(
        3,
        [
            Event("message_start", MessageStart(20)),
            Event("content_block_start", new JsonObject
            {
                ["type"] = "content_block_start", ["index"] = 0,
                ["content_block"] = new JsonObject { ["type"] = "thinking", ["thinking"] = string.Empty, ["signature"] = string.Empty },
            }),
            .. ConformanceData.ReasoningParts.Select(part => Event("content_block_delta", Delta(0, new JsonObject { ["type"] = "thinking_delta", ["thinking"] = part }))),
            Event("content_block_delta", Delta(0, new JsonObject { ["type"] = "signature_delta", ["signature"] = ConformanceData.ReasoningSignature })),
            Event("content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = 0 }),
            Event("content_block_start", new JsonObject { ["type"] = "content_block_start", ["index"] = 1, ["content_block"] = TextBlock(string.Empty) }),
            Event("content_block_delta", Delta(1, new JsonObject { ["type"] = "text_delta", ["text"] = ConformanceData.ReasoningAnswer })),
            Event("content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = 1 }),
            Event("message_delta", MessageDelta("end_turn", 30)),
            Event("message_stop", new JsonObject { ["type"] = "message_stop" }),
        ]);

    public override void CheckReasoningRequest(ReceivedRequest request) =>
        // Medium effort's budget, halved to leave room for the answer under the default max_tokens of 4096.
        Assert.That(JsonEquivalence.Differences("""{"type":"enabled","budget_tokens":2048}""", WireJson.Raw(request, "thinking") ?? "null"), Is.Empty);

    public override void CheckReasoningRoundTrip(ReceivedRequest request) =>
        Assert.That(JsonEquivalence.Differences(
            new JsonArray
            {
                new JsonObject { ["role"] = "user", ["content"] = new JsonArray { TextBlock(ConformanceData.Question) } },
                new JsonObject
                {
                    ["role"] = "assistant",
                    ["content"] = new JsonArray
                    {
                        new JsonObject { ["type"] = "thinking", ["thinking"] = ConformanceData.Reasoning, ["signature"] = ConformanceData.ReasoningSignature },
                        TextBlock(ConformanceData.ReasoningAnswer),
                    },
                },
                new JsonObject { ["role"] = "user", ["content"] = new JsonArray { TextBlock(ConformanceData.FollowUp) } },
            },
            WireJson.At(request, "messages")), Is.Empty, "the signed thinking block goes back before the answer");

    public override void CheckImageRequest(ReceivedRequest request) => Assert.Multiple(() =>
    {
        Assert.That(WireJson.Text(request, "messages[0].content[0].text"), Is.EqualTo(ConformanceData.DescribePrompt));
        Assert.That(JsonEquivalence.Differences(
            new JsonObject
            {
                ["type"] = "image",
                ["source"] = new JsonObject { ["type"] = "base64", ["media_type"] = "image/png", ["data"] = Convert.ToBase64String(ConformanceData.Png.Span) },
            },
            WireJson.At(request, "messages[0].content[1]")), Is.Empty);
    });

    public override void CheckDocumentRequest(ReceivedRequest request) => Assert.Multiple(() =>
    {
        Assert.That(WireJson.Text(request, "messages[0].content[0].text"), Is.EqualTo(ConformanceData.DescribePrompt));
        Assert.That(JsonEquivalence.Differences(
            new JsonObject
            {
                ["type"] = "document",
                ["source"] = new JsonObject { ["type"] = "base64", ["media_type"] = "application/pdf", ["data"] = Convert.ToBase64String(ConformanceData.Pdf.Span) },
                ["title"] = ConformanceData.DocumentName,
            },
            WireJson.At(request, "messages[0].content[1]")), Is.Empty);
    });

    public override ScriptedResponse CachedUsage => Message(
        [TextBlock(ConformanceData.Answer)],
        "end_turn",
        new JsonObject
        {
            ["input_tokens"] = ConformanceData.CachedUsageInputTokens - ConformanceData.CacheReadTokens - ConformanceData.CacheWriteTokens,
            ["cache_read_input_tokens"] = ConformanceData.CacheReadTokens,
            ["cache_creation_input_tokens"] = ConformanceData.CacheWriteTokens,
            ["output_tokens"] = ConformanceData.CachedUsageOutputTokens,
        });

    /// <summary>The structured answer: a call of the output tool (named after the schema) whose input is the answer.</summary>
    public override ScriptedResponse Structured => Message(
        [new JsonObject { ["type"] = "tool_use", ["id"] = "toolu_01Structured", ["name"] = ConformanceData.SchemaName, ["input"] = JsonNode.Parse(ConformanceData.StructuredAnswer) }],
        "tool_use",
        Usage(20, 9));

    /// <summary>One strict tool named after the schema, described by its description, whose input schema is the response schema; that tool forced.</summary>
    public override void CheckStructuredRequest(ReceivedRequest request) => Assert.Multiple(() =>
    {
        var tool = new JsonObject
        {
            ["name"] = ConformanceData.SchemaName,
            ["description"] = ConformanceData.SchemaDescription,
            ["input_schema"] = JsonNode.Parse(ConformanceData.Schema),
            ["strict"] = true,
        };
        Assert.That(JsonEquivalence.Differences(new JsonArray(tool), WireJson.At(request, "tools")), Is.Empty, "the schema as the one tool, strict");
        Assert.That(JsonEquivalence.Differences($$"""{"type":"tool","name":"{{ConformanceData.SchemaName}}"}""", WireJson.Raw(request, "tool_choice") ?? "null"), Is.Empty, "the tool forced");
        Assert.That(WireJson.At(request, "thinking"), Is.Null, "no thinking beside a forced tool");
        Assert.That(WireJson.At(request, "output_format"), Is.Null, "no native format beside the tool");
    });

    public override ScriptedResponse TokenCount => ScriptedResponse.Json(new JsonObject { ["input_tokens"] = ConformanceData.TokenCount }.ToJsonString());

    public override void CheckTokenCountRequest(ReceivedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Assert.Multiple(() =>
        {
            Assert.That(request.PathAndQuery, Is.EqualTo("/v1/messages/count_tokens"));
            Assert.That(request.Header("anthropic-version"), Is.EqualTo("2023-06-01"));
            Assert.That(WireJson.Text(request, "system"), Is.EqualTo(ConformanceData.Instructions));
            Assert.That(JsonEquivalence.Differences(
                new JsonArray { new JsonObject { ["role"] = "user", ["content"] = new JsonArray { TextBlock(ConformanceData.Question) } } },
                WireJson.At(request, "messages")), Is.Empty, "one user turn");
            foreach (var generation in (string[])["max_tokens", "stream", "temperature"])
            {
                Assert.That(WireJson.At(request, generation), Is.Null, $"a count takes no '{generation}'");
            }
        });
    }

    private static void CheckQuestion(ReceivedRequest request, bool stream)
    {
        ArgumentNullException.ThrowIfNull(request);
        Assert.Multiple(() =>
        {
            Assert.That(request.Header("anthropic-version"), Is.EqualTo("2023-06-01"));
            Assert.That(request.Json?["stream"]?.GetValue<bool>(), Is.EqualTo(stream));
            Assert.That(request.Header("accept"), Is.EqualTo(stream ? "text/event-stream" : "application/json"));
            Assert.That(WireJson.Text(request, "system"), Is.EqualTo(ConformanceData.Instructions));
            Assert.That(JsonEquivalence.Differences(
                new JsonArray { new JsonObject { ["role"] = "user", ["content"] = new JsonArray { TextBlock(ConformanceData.Question) } } },
                WireJson.At(request, "messages")), Is.Empty, "one user turn");
            Assert.That(WireJson.Number(request, "temperature"), Is.EqualTo(ConformanceData.Temperature));
            Assert.That(WireJson.Number(request, "max_tokens"), Is.EqualTo(ConformanceData.MaxOutputTokens));
        });
    }

    private static ScriptedResponse Message(JsonArray content, string stop, JsonObject usage) => ScriptedResponse.Json(new JsonObject
    {
        ["id"] = "msg_01Conformance",
        ["type"] = "message",
        ["role"] = "assistant",
        ["model"] = "claude-sonnet-4-5-20250929",
        ["content"] = content,
        ["stop_reason"] = stop,
        ["stop_sequence"] = null,
        ["usage"] = usage,
    }.ToJsonString());

    private static JsonObject Usage(long input, long output) => new() { ["input_tokens"] = input, ["output_tokens"] = output };

    private static JsonObject TextBlock(string text) => new() { ["type"] = "text", ["text"] = text };

    private static JsonObject ToolUse() => new()
    {
        ["type"] = "tool_use",
        ["id"] = ConformanceData.ToolCallId,
        ["name"] = ConformanceData.ToolName,
        ["input"] = new JsonObject { ["city"] = ConformanceData.ToolCity },
    };

    private static JsonObject MessageStart(long inputTokens) => new()
    {
        ["type"] = "message_start",
        ["message"] = new JsonObject
        {
            ["id"] = "msg_01Conformance", ["type"] = "message", ["role"] = "assistant", ["model"] = "claude-sonnet-4-5-20250929",
            ["content"] = new JsonArray(), ["stop_reason"] = null, ["usage"] = new JsonObject { ["input_tokens"] = inputTokens, ["output_tokens"] = 1 },
        },
    };

    private static JsonObject MessageDelta(string stop, long outputTokens) => new()
    {
        ["type"] = "message_delta",
        ["delta"] = new JsonObject { ["stop_reason"] = stop, ["stop_sequence"] = null },
        ["usage"] = new JsonObject { ["output_tokens"] = outputTokens },
    };

    private static JsonObject Delta(int index, JsonObject delta) => new() { ["type"] = "content_block_delta", ["index"] = index, ["delta"] = delta };

    private static string Event(string name, JsonObject data) => $"event: {name}\ndata: {data.ToJsonString()}";
}
