using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Testing;

namespace ModelRegistry.OpenAI.Tests.Conformance;

/// <summary>
/// The Chat Completions wire for the conformance suite, written from OpenAI's API reference: <c>POST /v1/chat/completions</c>
/// with the model in the body, server-sent chunks ended by <c>data: [DONE]</c> with usage on a last chunk without choices
/// (<c>stream_options.include_usage</c>), tool calls with JSON-string arguments, <c>json_schema</c> response formats,
/// <c>reasoning_effort</c> for a reasoning model and reasoning text as compatible servers send it (<c>reasoning_content</c>,
/// no signature; Chat Completions takes no reasoning back), images as <c>image_url</c> and PDFs as <c>file</c> parts with
/// data URLs, cached prompt tokens in <c>usage.prompt_tokens_details</c>, the <c>GET /v1/models</c> list probe, and
/// <c>POST /v1/embeddings</c>, and <c>{"error":{...}}</c> error bodies.
/// </summary>
internal sealed class OpenAIWireFixtures : ProviderWireFixtures
{
    /// <summary>The chat entry's model: a reasoning model, so <c>reasoning_effort</c> is sent by the model-name rule.</summary>
    public const string ModelId = "gpt-5-mini";

    /// <summary>The embeddings entry's model.</summary>
    public const string EmbeddingModelId = "text-embedding-3-small";

    private const string ResponseId = "chatcmpl-Conformance0001";
    private const long Created = 1764257531;

    /// <inheritdoc />
    public override void AssertModel(ReceivedRequest request, string modelId)
    {
        ArgumentNullException.ThrowIfNull(request);
        Assert.Multiple(() =>
        {
            Assert.That(request.PathAndQuery, Is.EqualTo("/v1/chat/completions"), "the model is named in the body, never in the path");
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
            Assert.That(WireJson.Number(request, "max_completion_tokens"), Is.EqualTo(ConformanceData.MaxOutputTokens));
            Assert.That(WireJson.At(request, "stream_options"), Is.Null);
        });
    }

    /// <inheritdoc />
    public override WireStream TextStream => WireStream.ServerSentEvents(
        2,
        [
            Chunk(new JsonObject { ["role"] = "assistant", ["content"] = string.Empty }),
            .. ConformanceData.AnswerParts.Select(p => Chunk(new JsonObject { ["content"] = p })),
            Chunk(new JsonObject(), "stop"),
            UsageChunk(Usage(ConformanceData.InputTokens, ConformanceData.OutputTokens)),
            Done,
        ]);

    /// <inheritdoc />
    public override void CheckStreamRequest(ReceivedRequest request)
    {
        CheckQuestion(request, stream: true);
        Assert.Multiple(() =>
        {
            Assert.That(WireJson.Number(request, "max_completion_tokens"), Is.EqualTo(ConformanceData.MaxOutputTokens));
            Assert.That(WireJson.Raw(request, "stream_options.include_usage"), Is.EqualTo("true"));
        });
    }

    /// <summary>OpenAI's error object for every status, except a plain-text proxy page for 408 and 413.</summary>
    public override ScriptedResponse Error(int status, string message) => status switch
    {
        408 or 413 => new ScriptedResponse { Status = status, Headers = [new("Content-Type", "text/plain; charset=utf-8")], Body = Encoding.UTF8.GetBytes(message) },
        _ => ScriptedResponse.Json(new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["message"] = message,
                ["type"] = status switch { 401 => "invalid_request_error", 429 => "requests", >= 500 => "server_error", _ => "invalid_request_error" },
                ["param"] = null,
                ["code"] = status switch { 401 => "invalid_api_key", 404 => "model_not_found", 429 => "rate_limit_exceeded", _ => null },
            },
        }.ToJsonString(), status),
    };

    /// <inheritdoc />
    public override IReadOnlyList<ScriptedResponse> HealthyProbe =>
    [
        ScriptedResponse.Json(new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(
                new JsonObject { ["id"] = "gpt-4.1-mini", ["object"] = "model", ["created"] = Created, ["owned_by"] = "system" },
                new JsonObject { ["id"] = ModelId, ["object"] = "model", ["created"] = Created, ["owned_by"] = "system" }),
        }.ToJsonString()),
    ];

    /// <summary>A list that answers but does not hold the model: the model is not available to the key.</summary>
    public override IReadOnlyList<ScriptedResponse> UnhealthyProbe =>
        [ScriptedResponse.Json("""{"object":"list","data":[{"id":"gpt-4.1-mini","object":"model","created":1764257531,"owned_by":"system"}]}""")];

    /// <inheritdoc />
    public override void CheckProbeRequests(IReadOnlyList<ReceivedRequest> requests, string modelId)
    {
        ArgumentNullException.ThrowIfNull(requests);
        Assert.That(requests.Select(r => $"{r.Method} {r.PathAndQuery} {r.Body.Length}"), Is.EqualTo(new[] { "GET /v1/models 0" }));
    }

    /// <inheritdoc />
    public override ScriptedResponse ToolCall => Completion(ToolCallMessage(), "tool_calls", Usage(30, 10));

    /// <summary>The call streamed as OpenAI does: id and name first, then the arguments in pieces at the same index.</summary>
    public override WireStream ToolCallStream
    {
        get
        {
            var arguments = ToolArguments().ToJsonString();
            var half = arguments.Length / 2;
            return WireStream.ServerSentEvents(
                2,
                Chunk(new JsonObject { ["role"] = "assistant", ["content"] = null, ["tool_calls"] = new JsonArray(StreamedCall(withHeader: true, string.Empty)) }),
                Chunk(new JsonObject { ["tool_calls"] = new JsonArray(StreamedCall(withHeader: false, arguments[..half])) }),
                Chunk(new JsonObject { ["tool_calls"] = new JsonArray(StreamedCall(withHeader: false, arguments[half..])) }),
                Chunk(new JsonObject(), "tool_calls"),
                UsageChunk(Usage(30, 10)),
                Done);
        }
    }

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
            RequiredChatToolMode { RequiredFunctionName: null } => "\"required\"",
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
    public override ScriptedResponse Reasoning
    {
        get
        {
            var message = Message(ConformanceData.ReasoningAnswer);
            message["reasoning_content"] = ConformanceData.Reasoning;
            return Completion(message, "stop", ReasoningUsage());
        }
    }

    /// <inheritdoc />
    public override WireStream ReasoningStream => WireStream.ServerSentEvents(
        2,
        [
            .. ConformanceData.ReasoningParts.Select((part, i) => Chunk(new JsonObject
            {
                ["role"] = i == 0 ? "assistant" : null,
                ["content"] = null,
                ["reasoning_content"] = part,
            })),
            Chunk(new JsonObject { ["content"] = ConformanceData.ReasoningAnswer }),
            Chunk(new JsonObject(), "stop"),
            UsageChunk(ReasoningUsage()),
            Done,
        ]);

    /// <inheritdoc />
    public override void CheckReasoningRequest(ReceivedRequest request) =>
        Assert.That(WireJson.Text(request, "reasoning_effort"), Is.EqualTo("medium"));

    /// <summary>Chat Completions takes no reasoning back: the assistant turn is its answer alone.</summary>
    public override void CheckReasoningRoundTrip(ReceivedRequest request) => Assert.Multiple(() =>
    {
        Assert.That(WireJson.Text(request, "messages[1].role"), Is.EqualTo("assistant"));
        Assert.That(WireJson.Text(request, "messages[1].content"), Is.EqualTo(ConformanceData.ReasoningAnswer), "the answer, without the reasoning");
        Assert.That(WireJson.At(request, "messages[1].reasoning_content"), Is.Null);
        Assert.That(WireJson.Text(request, "messages[2].role"), Is.EqualTo("user"));
        Assert.That(WireJson.Text(request, "messages[2].content"), Is.EqualTo(ConformanceData.FollowUp));
    });

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
        Assert.That(WireJson.Text(request, "messages[0].content[1].type"), Is.EqualTo("file"));
        Assert.That(WireJson.Text(request, "messages[0].content[1].file.file_data"), Is.EqualTo(DataUrl("application/pdf", ConformanceData.Pdf)));
        Assert.That(WireJson.Text(request, "messages[0].content[1].file.filename"), Is.EqualTo(ConformanceData.DocumentName));
    });

    /// <summary>Cached prompt tokens (reads) in <c>usage.prompt_tokens_details.cached_tokens</c>, included in <c>prompt_tokens</c>; no cache writes.</summary>
    public override ScriptedResponse CachedUsage
    {
        get
        {
            var usage = Usage(ConformanceData.CachedUsageInputTokens, ConformanceData.CachedUsageOutputTokens);
            usage["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = ConformanceData.CacheReadTokens, ["audio_tokens"] = 0 };
            return Completion(Message(ConformanceData.Answer), "stop", usage);
        }
    }

    /// <inheritdoc />
    public override string AlternateEmbeddingModelId => "text-embedding-3-large";

    /// <inheritdoc />
    public override IReadOnlyList<ScriptedResponse> Embeddings =>
    [
        ScriptedResponse.Json(new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray([.. ConformanceData.EmbeddingVectors.Select((v, i) => new JsonObject
            {
                ["object"] = "embedding",
                ["index"] = i,
                ["embedding"] = new JsonArray([.. v.Select(x => JsonValue.Create(x))]),
            })]),
            ["model"] = EmbeddingModelId,
            ["usage"] = new JsonObject { ["prompt_tokens"] = 2, ["total_tokens"] = 2 },
        }.ToJsonString()),
    ];

    /// <inheritdoc />
    public override void CheckEmbeddingRequests(IReadOnlyList<ReceivedRequest> requests, string modelId)
    {
        ArgumentNullException.ThrowIfNull(requests);
        Assert.That(requests, Has.Count.EqualTo(1), "two inputs make one batch");
        Assert.Multiple(() =>
        {
            Assert.That($"{requests[0].Method} {requests[0].PathAndQuery}", Is.EqualTo("POST /v1/embeddings"));
            Assert.That(JsonEquivalence.Differences(
                new JsonObject { ["model"] = modelId, ["input"] = new JsonArray("alpha", "beta"), ["encoding_format"] = "float" }.ToJsonString(),
                requests[0].BodyText), Is.Empty);
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

    private static ScriptedResponse Completion(JsonObject message, string finish, JsonObject usage) => ScriptedResponse.Json(new JsonObject
    {
        ["id"] = ResponseId,
        ["object"] = "chat.completion",
        ["created"] = Created,
        ["model"] = ModelId + "-2025-08-07",
        ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message, ["logprobs"] = null, ["finish_reason"] = finish }),
        ["usage"] = usage,
        ["service_tier"] = "default",
        ["system_fingerprint"] = null,
    }.ToJsonString());

    private static JsonObject Message(JsonNode content) =>
        new() { ["role"] = "assistant", ["content"] = content, ["refusal"] = null, ["annotations"] = new JsonArray() };

    private static JsonObject ToolCallMessage() =>
        new() { ["role"] = "assistant", ["content"] = null, ["refusal"] = null, ["tool_calls"] = new JsonArray(WireToolCall()) };

    private static JsonObject WireToolCall() => new()
    {
        ["id"] = ConformanceData.ToolCallId,
        ["type"] = "function",
        ["function"] = new JsonObject { ["name"] = ConformanceData.ToolName, ["arguments"] = ToolArguments().ToJsonString() },
    };

    private static JsonObject StreamedCall(bool withHeader, string arguments)
    {
        var call = new JsonObject { ["index"] = 0 };
        if (withHeader)
        {
            call["id"] = ConformanceData.ToolCallId;
            call["type"] = "function";
            call["function"] = new JsonObject { ["name"] = ConformanceData.ToolName, ["arguments"] = arguments };
        }
        else
        {
            call["function"] = new JsonObject { ["arguments"] = arguments };
        }

        return call;
    }

    private static JsonObject ToolArguments() => new() { ["city"] = ConformanceData.ToolCity };

    private static JsonObject Usage(long input, long output) =>
        new() { ["prompt_tokens"] = input, ["completion_tokens"] = output, ["total_tokens"] = input + output };

    private static JsonObject ReasoningUsage()
    {
        var usage = Usage(15, 25);
        usage["completion_tokens_details"] = new JsonObject { ["reasoning_tokens"] = 18 };
        return usage;
    }

    /// <summary>One <c>data:</c> line of a chat completion chunk; <c>choices[0].delta</c> is <paramref name="delta"/>.</summary>
    private static string Chunk(JsonObject delta, string? finish = null) => "data: " + new JsonObject
    {
        ["id"] = ResponseId,
        ["object"] = "chat.completion.chunk",
        ["created"] = Created,
        ["model"] = ModelId + "-2025-08-07",
        ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
        ["usage"] = null,
    }.ToJsonString();

    /// <summary>The last chunk of a stream asked for with <c>include_usage</c>: no choices, the usage.</summary>
    private static string UsageChunk(JsonObject usage) => "data: " + new JsonObject
    {
        ["id"] = ResponseId,
        ["object"] = "chat.completion.chunk",
        ["created"] = Created,
        ["model"] = ModelId + "-2025-08-07",
        ["choices"] = new JsonArray(),
        ["usage"] = usage,
    }.ToJsonString();
}
