using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Testing;

namespace ModelRegistry.Mistral.Tests.Conformance;

/// <summary>
/// Mistral's wire for the conformance suite, written from Mistral's API reference: chat completions
/// (<c>POST /v1/chat/completions</c>, the model in the body), server-sent chunks ended by <c>data: [DONE]</c>, tool
/// calls with nine-character ids and JSON-string arguments, <c>json_schema</c> response formats, reasoning as
/// <c>thinking</c> content chunks (with the signature Mistral uses to replay reasoning across turns), images as
/// <c>image_url</c> and documents as <c>document_url</c> data URLs, cached prompt tokens in
/// <c>usage.prompt_tokens_details</c>, the model card probe <c>GET /v1/models/{id}</c>, <c>/v1/embeddings</c>, and
/// error bodies in the shapes the layers in front of the API answer with.
/// </summary>
internal sealed class MistralWireFixtures : ProviderWireFixtures
{
    /// <summary>The chat entry's model.</summary>
    public const string ModelId = "mistral-large-latest";

    /// <summary>The embeddings entry's model.</summary>
    public const string EmbeddingModelId = "mistral-embed";

    private const string ResponseId = "5f0a9c3e1b7d4e2a8c6f0b1d3e5a7c9f";
    private const long Created = 1764257531;

    /// <inheritdoc />
    public override string AlternateEmbeddingModelId => "codestral-embed";

    /// <inheritdoc />
    public override void AssertModel(ReceivedRequest request, string modelId)
    {
        ArgumentNullException.ThrowIfNull(request);
        Assert.Multiple(() =>
        {
            Assert.That(request.PathAndQuery, Is.EqualTo("/v1/chat/completions"), "Mistral names the model in the body, never in the path");
            Assert.That(WireJson.Text(request, "model"), Is.EqualTo(modelId), "the body's model");
        });
    }

    /// <inheritdoc />
    public override ScriptedResponse Text => Completion(Message(ConformanceData.Answer), "stop", Usage(ConformanceData.InputTokens, ConformanceData.OutputTokens));

    /// <inheritdoc />
    public override void CheckTextRequest(ReceivedRequest request)
    {
        CheckQuestion(request, stream: false);
        Assert.Multiple(() =>
        {
            Assert.That(WireJson.Number(request, "temperature"), Is.EqualTo(ConformanceData.Temperature));
            Assert.That(WireJson.Number(request, "max_tokens"), Is.EqualTo(ConformanceData.MaxOutputTokens));
        });
    }

    /// <inheritdoc />
    public override WireStream TextStream => WireStream.ServerSentEvents(
        2,
        [
            Chunk(new JsonObject { ["role"] = "assistant", ["content"] = string.Empty }),
            .. ConformanceData.AnswerParts.Take(ConformanceData.AnswerParts.Count - 1).Select(p => Chunk(new JsonObject { ["content"] = p })),
            Chunk(new JsonObject { ["content"] = ConformanceData.AnswerParts[^1] }, "stop", Usage(ConformanceData.InputTokens, ConformanceData.OutputTokens)),
            Done,
        ]);

    /// <inheritdoc />
    public override void CheckStreamRequest(ReceivedRequest request)
    {
        CheckQuestion(request, stream: true);
        Assert.That(WireJson.Number(request, "max_tokens"), Is.EqualTo(ConformanceData.MaxOutputTokens));
    }

    /// <summary>
    /// The error body of each status in a shape Mistral's layers use: the gateway's <c>{"message","request_id"}</c> for
    /// 401, FastAPI's <c>{"detail"}</c> for 404, a plain-text proxy page for 408 and 413, the 2026 application error with
    /// <c>raw_status_code</c> for 429, and the application error <c>{"object":"error",...}</c> otherwise.
    /// </summary>
    public override ScriptedResponse Error(int status, string message) => status switch
    {
        401 => ScriptedResponse.Json(new JsonObject { ["message"] = message, ["request_id"] = "c61f2f15a3b04e7d9a1c2b3d4e5f6a7b" }.ToJsonString(), status),
        404 => ScriptedResponse.Json(new JsonObject { ["detail"] = message }.ToJsonString(), status),
        408 or 413 => new ScriptedResponse { Status = status, Headers = [new("Content-Type", "text/plain; charset=utf-8")], Body = Encoding.UTF8.GetBytes(message) },
        429 => ScriptedResponse.Json(ApplicationError(message, "rate_limited", "1300", status).ToJsonString(), status),
        _ => ScriptedResponse.Json(ApplicationError(message, status >= 500 ? "server_error" : "invalid_request_error", null, null).ToJsonString(), status),
    };

    /// <inheritdoc />
    public override IReadOnlyList<ScriptedResponse> HealthyProbe =>
    [
        ScriptedResponse.Json(new JsonObject
        {
            ["id"] = ModelId,
            ["object"] = "model",
            ["created"] = Created,
            ["owned_by"] = "mistralai",
            ["capabilities"] = new JsonObject { ["completion_chat"] = true, ["function_calling"] = true, ["vision"] = true },
            ["name"] = ModelId,
            ["max_context_length"] = 131072,
            ["aliases"] = new JsonArray(),
            ["deprecation"] = null,
            ["default_model_temperature"] = 0.7,
            ["type"] = "base",
        }.ToJsonString()),
    ];

    /// <inheritdoc />
    public override IReadOnlyList<ScriptedResponse> UnhealthyProbe => [ScriptedResponse.Json("""{"detail":"Not Found"}""", 404)];

    /// <inheritdoc />
    public override void CheckProbeRequests(IReadOnlyList<ReceivedRequest> requests, string modelId)
    {
        ArgumentNullException.ThrowIfNull(requests);
        Assert.That(requests.Select(r => $"{r.Method} {r.PathAndQuery} {r.Body.Length}"), Is.EqualTo(new[] { $"GET /v1/models/{Uri.EscapeDataString(modelId)} 0" }));
    }

    /// <inheritdoc />
    public override ScriptedResponse ToolCall => Completion(ToolCallMessage(), "tool_calls", Usage(30, 10));

    /// <inheritdoc />
    public override WireStream ToolCallStream => WireStream.ServerSentEvents(
        1,
        Chunk(new JsonObject { ["role"] = "assistant", ["content"] = string.Empty }),
        Chunk(new JsonObject { ["content"] = null, ["tool_calls"] = new JsonArray(WireToolCall()) }, "tool_calls", Usage(30, 10)),
        Done);

    /// <inheritdoc />
    public override void CheckToolMode(ReceivedRequest request, ChatToolMode mode) => Assert.Multiple(() =>
    {
        Assert.That(WireJson.Text(request, "tools[0].type"), Is.EqualTo("function"));
        Assert.That(WireJson.Text(request, "tools[0].function.name"), Is.EqualTo(ConformanceData.ToolName));
        Assert.That(WireJson.Text(request, "tools[0].function.description"), Is.EqualTo(ConformanceData.ToolDescription));
        Assert.That(JsonEquivalence.Differences(ConformanceData.ToolSchema, WireJson.Raw(request, "tools[0].function.parameters") ?? "null"), Is.Empty);
        Assert.That(WireJson.Raw(request, "tool_choice"), Is.EqualTo(mode switch
        {
            NoneChatToolMode => "\"none\"",
            AutoChatToolMode => "\"auto\"",
            RequiredChatToolMode { RequiredFunctionName: null } => "\"any\"",
            RequiredChatToolMode { RequiredFunctionName: { } name } => $$$"""{"type":"function","function":{"name":"{{{name}}}"}}""",
            _ => throw new ArgumentOutOfRangeException(nameof(mode)),
        }));
    });

    /// <inheritdoc />
    public override void CheckToolResultRequest(ReceivedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var call = WireJson.At(request, "messages[1].tool_calls[0]");
        Assert.Multiple(() =>
        {
            Assert.That(WireJson.At(request, "messages")?.AsArray(), Has.Count.EqualTo(3), "question, call, result");
            Assert.That(WireJson.Text(request, "messages[0].role"), Is.EqualTo("user"));
            Assert.That(WireJson.Text(request, "messages[0].content"), Is.EqualTo(ConformanceData.Question));
            Assert.That(WireJson.Text(request, "messages[1].role"), Is.EqualTo("assistant"));
            Assert.That(WireJson.At(request, "messages[1].tool_calls")?.AsArray(), Has.Count.EqualTo(1), "one call");
            Assert.That((string?)call?["id"], Is.EqualTo(ConformanceData.ToolCallId));
            Assert.That((string?)call?["type"], Is.EqualTo("function"));
            Assert.That((string?)call?["function"]?["name"], Is.EqualTo(ConformanceData.ToolName));
            Assert.That(JsonEquivalence.Differences(ToolArguments().ToJsonString(), (string?)call?["function"]?["arguments"] ?? "null"), Is.Empty, "arguments as a JSON string");
            Assert.That(WireJson.Text(request, "messages[2].role"), Is.EqualTo("tool"));
            Assert.That(WireJson.Text(request, "messages[2].tool_call_id"), Is.EqualTo(ConformanceData.ToolCallId));
            Assert.That(WireJson.Text(request, "messages[2].name"), Is.EqualTo(ConformanceData.ToolName));
            Assert.That(WireJson.Text(request, "messages[2].content"), Is.EqualTo(ConformanceData.ToolResult));
        });
    }

    /// <inheritdoc />
    public override ScriptedResponse Structured => Completion(Message(ConformanceData.StructuredAnswer), "stop", Usage(20, 9));

    /// <inheritdoc />
    public override void CheckStructuredRequest(ReceivedRequest request) => Assert.Multiple(() =>
    {
        Assert.That(WireJson.Text(request, "response_format.type"), Is.EqualTo("json_schema"));
        Assert.That(WireJson.Text(request, "response_format.json_schema.name"), Is.EqualTo(ConformanceData.SchemaName));
        Assert.That(WireJson.Text(request, "response_format.json_schema.description"), Is.EqualTo(ConformanceData.SchemaDescription));
        Assert.That(JsonEquivalence.Differences(ConformanceData.Schema, WireJson.Raw(request, "response_format.json_schema.schema") ?? "null"), Is.Empty);
        Assert.That(WireJson.Raw(request, "response_format.json_schema.strict"), Is.EqualTo("true"));
    });

    /// <inheritdoc />
    public override ScriptedResponse Reasoning => Completion(
        Message(new JsonArray(
            Thinking(ConformanceData.ReasoningSignature, ConformanceData.Reasoning),
            new JsonObject { ["type"] = "text", ["text"] = ConformanceData.ReasoningAnswer })),
        "stop",
        ReasoningUsage());

    /// <summary>
    /// Thinking chunks while the model reasons, then at the transition a list with the closing thinking chunk (its
    /// signature, no more text) and the first text chunk, then plain text with the finish reason and usage.
    /// </summary>
    public override WireStream ReasoningStream => WireStream.ServerSentEvents(
        2,
        [
            .. ConformanceData.ReasoningParts.Select((part, i) => Chunk(new JsonObject
            {
                ["role"] = i == 0 ? "assistant" : null,
                ["content"] = new JsonArray(Thinking(null, part)),
            })),
            Chunk(new JsonObject
            {
                ["content"] = new JsonArray(Thinking(ConformanceData.ReasoningSignature), new JsonObject { ["type"] = "text", ["text"] = ConformanceData.ReasoningAnswer }),
            }),
            Chunk(new JsonObject { ["content"] = string.Empty }, "stop", ReasoningUsage()),
            Done,
        ]);

    /// <inheritdoc />
    public override void CheckReasoningRequest(ReceivedRequest request) => Assert.Multiple(() =>
    {
        Assert.That(WireJson.Text(request, "reasoning_effort"), Is.EqualTo("medium"));
        Assert.That(WireJson.At(request, "prompt_mode"), Is.Null, "prompt_mode is for Magistral models only");
    });

    /// <inheritdoc />
    public override void CheckReasoningRoundTrip(ReceivedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var content = WireJson.At(request, "messages[1].content")?.AsArray() ?? [];
        var thinking = content.Where(c => (string?)c?["type"] == "thinking").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(WireJson.Text(request, "messages[1].role"), Is.EqualTo("assistant"));
            Assert.That(WireJson.At(request, "messages[1].prefix"), Is.Null, "not the last message, so no prefix");
            Assert.That(thinking, Has.Count.EqualTo(1), "the reasoning as one thinking chunk");
            Assert.That(
                string.Concat(thinking.SelectMany(t => t?["thinking"]?.AsArray() ?? []).Select(p => (string?)p?["text"])),
                Is.EqualTo(ConformanceData.Reasoning),
                "the reasoning, sent back");
            Assert.That(thinking.Select(t => (string?)t?["signature"]), Is.EqualTo(new[] { ConformanceData.ReasoningSignature }), "its signature");
            Assert.That((string?)content.LastOrDefault()?["type"], Is.EqualTo("text"));
            Assert.That((string?)content.LastOrDefault()?["text"], Is.EqualTo(ConformanceData.ReasoningAnswer), "then the answer");
            Assert.That(WireJson.Text(request, "messages[2].role"), Is.EqualTo("user"));
            Assert.That(WireJson.Text(request, "messages[2].content"), Is.EqualTo(ConformanceData.FollowUp));
        });
    }

    /// <inheritdoc />
    public override void CheckImageRequest(ReceivedRequest request) => Assert.Multiple(() =>
    {
        CheckPrompt(request);
        Assert.That(WireJson.Text(request, "messages[0].content[1].type"), Is.EqualTo("image_url"));
        Assert.That(WireJson.Text(request, "messages[0].content[1].image_url.url"), Is.EqualTo(DataUrl("image/png", ConformanceData.Png)));
    });

    /// <inheritdoc />
    public override void CheckDocumentRequest(ReceivedRequest request) => Assert.Multiple(() =>
    {
        CheckPrompt(request);
        Assert.That(WireJson.Text(request, "messages[0].content[1].type"), Is.EqualTo("document_url"));
        Assert.That(WireJson.Text(request, "messages[0].content[1].document_url"), Is.EqualTo(DataUrl("application/pdf", ConformanceData.Pdf)));
        Assert.That(WireJson.Text(request, "messages[0].content[1].document_name"), Is.EqualTo(ConformanceData.DocumentName));
    });

    /// <summary>Mistral reports cached prompt tokens (reads) in <c>usage.prompt_tokens_details.cached_tokens</c>, included in <c>prompt_tokens</c>; it reports no cache writes.</summary>
    public override ScriptedResponse CachedUsage
    {
        get
        {
            var usage = Usage(ConformanceData.CachedUsageInputTokens, ConformanceData.CachedUsageOutputTokens);
            usage["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = ConformanceData.CacheReadTokens };
            return Completion(Message(ConformanceData.Answer), "stop", usage);
        }
    }

    /// <inheritdoc />
    public override IReadOnlyList<ScriptedResponse> Embeddings =>
    [
        ScriptedResponse.Json(new JsonObject
        {
            ["id"] = "e1b2c3d4e5f60718293a4b5c6d7e8f90",
            ["object"] = "list",
            ["data"] = new JsonArray([.. ConformanceData.EmbeddingVectors.Select((v, i) => new JsonObject
            {
                ["object"] = "embedding",
                ["embedding"] = new JsonArray([.. v.Select(x => JsonValue.Create(x))]),
                ["index"] = i,
            })]),
            ["model"] = EmbeddingModelId,
            ["usage"] = new JsonObject { ["prompt_tokens"] = 2, ["total_tokens"] = 2, ["completion_tokens"] = 0 },
        }.ToJsonString()),
    ];

    /// <inheritdoc />
    public override void CheckEmbeddingRequests(IReadOnlyList<ReceivedRequest> requests, string modelId)
    {
        ArgumentNullException.ThrowIfNull(requests);
        Assert.That(requests, Has.Count.EqualTo(1), "two short inputs make one batch");
        Assert.Multiple(() =>
        {
            Assert.That($"{requests[0].Method} {requests[0].PathAndQuery}", Is.EqualTo("POST /v1/embeddings"));
            Assert.That(JsonEquivalence.Differences(new JsonObject { ["model"] = modelId, ["input"] = new JsonArray("alpha", "beta") }.ToJsonString(), requests[0].BodyText), Is.Empty);
        });
    }

    private static string Done => "data: [DONE]";

    private static void CheckQuestion(ReceivedRequest request, bool stream)
    {
        ArgumentNullException.ThrowIfNull(request);
        Assert.Multiple(() =>
        {
            Assert.That(request.Method, Is.EqualTo("POST"));
            Assert.That(request.Header("accept"), Is.EqualTo(stream ? "text/event-stream" : "application/json"));
            Assert.That(request.Header("content-type"), Does.StartWith("application/json"));
            Assert.That(WireJson.Raw(request, "stream"), Is.EqualTo(stream ? "true" : "false"));
            Assert.That(WireJson.At(request, "messages")?.AsArray(), Has.Count.EqualTo(2), "the instructions as a system message, then the question");
            Assert.That(WireJson.Text(request, "messages[0].role"), Is.EqualTo("system"));
            Assert.That(WireJson.Text(request, "messages[0].content"), Is.EqualTo(ConformanceData.Instructions));
            Assert.That(WireJson.Text(request, "messages[1].role"), Is.EqualTo("user"));
            Assert.That(WireJson.Text(request, "messages[1].content"), Is.EqualTo(ConformanceData.Question));
        });
    }

    private static void CheckPrompt(ReceivedRequest request)
    {
        Assert.That(WireJson.Text(request, "messages[0].role"), Is.EqualTo("user"));
        Assert.That(WireJson.Text(request, "messages[0].content[0].type"), Is.EqualTo("text"));
        Assert.That(WireJson.Text(request, "messages[0].content[0].text"), Is.EqualTo(ConformanceData.DescribePrompt));
    }

    private static string DataUrl(string mediaType, ReadOnlyMemory<byte> data) => $"data:{mediaType};base64,{Convert.ToBase64String(data.Span)}";

    private static JsonObject ApplicationError(string message, string type, string? code, int? rawStatus)
    {
        var error = new JsonObject { ["object"] = "error", ["message"] = message, ["type"] = type, ["param"] = null, ["code"] = code };
        if (rawStatus is { } status)
        {
            error["raw_status_code"] = status;
        }

        return error;
    }

    private static ScriptedResponse Completion(JsonObject message, string finish, JsonObject usage) => ScriptedResponse.Json(new JsonObject
    {
        ["id"] = ResponseId,
        ["object"] = "chat.completion",
        ["model"] = ModelId,
        ["usage"] = usage,
        ["created"] = Created,
        ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message, ["finish_reason"] = finish }),
    }.ToJsonString());

    private static JsonObject Message(JsonNode content) =>
        new() { ["role"] = "assistant", ["content"] = content, ["tool_calls"] = null, ["prefix"] = false };

    private static JsonObject ToolCallMessage() =>
        new() { ["role"] = "assistant", ["content"] = string.Empty, ["tool_calls"] = new JsonArray(WireToolCall()), ["prefix"] = false };

    private static JsonObject WireToolCall() => new()
    {
        ["id"] = ConformanceData.ToolCallId,
        ["type"] = "function",
        ["function"] = new JsonObject { ["name"] = ConformanceData.ToolName, ["arguments"] = ToolArguments().ToJsonString() },
        ["index"] = 0,
    };

    private static JsonObject ToolArguments() => new() { ["city"] = ConformanceData.ToolCity };

    private static JsonObject Thinking(string? signature, params string[] texts)
    {
        var chunk = new JsonObject
        {
            ["type"] = "thinking",
            ["thinking"] = new JsonArray([.. texts.Select(t => new JsonObject { ["type"] = "text", ["text"] = t })]),
        };
        if (signature is not null)
        {
            chunk["signature"] = signature;
        }

        return chunk;
    }

    private static JsonObject Usage(long input, long output) =>
        new() { ["prompt_tokens"] = input, ["completion_tokens"] = output, ["total_tokens"] = input + output };

    private static JsonObject ReasoningUsage()
    {
        var usage = Usage(15, 25);
        usage["completion_tokens_details"] = new JsonObject { ["reasoning_tokens"] = 18 };
        return usage;
    }

    /// <summary>One <c>data:</c> line of a chat completion chunk; <c>choices[0].delta</c> is <paramref name="delta"/>.</summary>
    private static string Chunk(JsonObject delta, string? finish = null, JsonObject? usage = null)
    {
        var chunk = new JsonObject
        {
            ["id"] = ResponseId,
            ["object"] = "chat.completion.chunk",
            ["created"] = Created,
            ["model"] = ModelId,
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
        };
        if (usage is not null)
        {
            chunk["usage"] = usage;
        }

        return "data: " + chunk.ToJsonString();
    }
}
