using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Testing;

namespace ModelRegistry.OpenAI.Tests.Conformance;

/// <summary>
/// The Responses API wire for the conformance suite, written from OpenAI's API reference and the recorded Mantle
/// traffic: <c>POST /v1/responses</c> with the model in the body, <c>instructions</c> apart from the <c>input</c> items,
/// typed events (<c>response.created</c>, <c>response.output_text.delta</c>, <c>response.output_item.done</c>,
/// <c>response.completed</c>), flat function tools and <c>function_call</c> / <c>function_call_output</c> items,
/// <c>text.format</c> json_schema, <c>reasoning.effort</c>, reasoning items with a summary and encrypted content sent
/// back with their id, <c>input_image</c> / <c>input_file</c> parts with data URLs, and usage with cached tokens read
/// and (as Mantle reports them) written. Errors, the <c>GET /v1/models</c> probe and embeddings are the same as on the
/// Chat Completions wire (<see cref="OpenAIWireFixtures"/>).
/// </summary>
internal sealed class OpenAIResponsesWireFixtures : ProviderWireFixtures
{
    private const string ResponseId = "resp_Conformance0001";
    private const string MessageId = "msg_Conformance0001";
    private const string ReasoningId = "rs_Conformance0001";
    private const long Created = 1764257531;

    private static readonly OpenAIWireFixtures Shared = new();

    /// <inheritdoc />
    public override void AssertModel(ReceivedRequest request, string modelId)
    {
        ArgumentNullException.ThrowIfNull(request);
        Assert.Multiple(() =>
        {
            Assert.That(request.PathAndQuery, Is.EqualTo("/v1/responses"), "the model is named in the body, never in the path");
            Assert.That(WireJson.Text(request, "model"), Is.EqualTo(modelId), "the body's model");
        });
    }

    /// <inheritdoc />
    public override ScriptedResponse Text => Answer([Message(ConformanceData.Answer)], Usage(ConformanceData.InputTokens, ConformanceData.OutputTokens));

    /// <inheritdoc />
    public override void CheckTextRequest(ReceivedRequest request)
    {
        CheckQuestion(request, stream: false);
        Assert.Multiple(() =>
        {
            Assert.That(WireJson.Number(request, "temperature"), Is.EqualTo(ConformanceData.Temperature));
            Assert.That(WireJson.Number(request, "max_output_tokens"), Is.EqualTo(ConformanceData.MaxOutputTokens));
        });
    }

    /// <inheritdoc />
    public override WireStream TextStream => WireStream.ServerSentEvents(
        3,
        [
            Event(new JsonObject { ["type"] = "response.created", ["response"] = Response("in_progress", [], null) }),
            Event(new JsonObject { ["type"] = "response.output_item.added", ["output_index"] = 0, ["item"] = Message(string.Empty, "in_progress") }),
            .. ConformanceData.AnswerParts.Select(TextDelta),
            Event(new JsonObject { ["type"] = "response.output_item.done", ["output_index"] = 0, ["item"] = Message(ConformanceData.Answer) }),
            Completed([Message(ConformanceData.Answer)], Usage(ConformanceData.InputTokens, ConformanceData.OutputTokens)),
        ]);

    /// <inheritdoc />
    public override void CheckStreamRequest(ReceivedRequest request)
    {
        CheckQuestion(request, stream: true);
        Assert.That(WireJson.Number(request, "max_output_tokens"), Is.EqualTo(ConformanceData.MaxOutputTokens));
    }

    /// <inheritdoc />
    public override ScriptedResponse Error(int status, string message) => Shared.Error(status, message);

    /// <inheritdoc />
    public override IReadOnlyList<ScriptedResponse> HealthyProbe => Shared.HealthyProbe;

    /// <inheritdoc />
    public override IReadOnlyList<ScriptedResponse> UnhealthyProbe => Shared.UnhealthyProbe;

    /// <inheritdoc />
    public override void CheckProbeRequests(IReadOnlyList<ReceivedRequest> requests, string modelId) => Shared.CheckProbeRequests(requests, modelId);

    /// <inheritdoc />
    public override ScriptedResponse ToolCall => Answer([FunctionCall(ToolArguments())], Usage(30, 10));

    /// <summary>The call as the API streams it: the item added with empty arguments, the arguments in two deltas, the item done.</summary>
    public override WireStream ToolCallStream
    {
        get
        {
            var arguments = ToolArguments();
            var half = arguments.Length / 2;
            return WireStream.ServerSentEvents(
                2,
                Event(new JsonObject { ["type"] = "response.created", ["response"] = Response("in_progress", [], null) }),
                Event(new JsonObject { ["type"] = "response.output_item.added", ["output_index"] = 0, ["item"] = FunctionCall(string.Empty, "in_progress") }),
                ArgumentsDelta(arguments[..half]),
                ArgumentsDelta(arguments[half..]),
                Event(new JsonObject { ["type"] = "response.output_item.done", ["output_index"] = 0, ["item"] = FunctionCall(arguments) }),
                Completed([FunctionCall(arguments)], Usage(30, 10)));
        }
    }

    /// <inheritdoc />
    public override void CheckToolMode(ReceivedRequest request, ChatToolMode mode) => Assert.Multiple(() =>
    {
        Assert.That(WireJson.Text(request, "tools[0].type"), Is.EqualTo("function"));
        Assert.That(WireJson.Text(request, "tools[0].name"), Is.EqualTo(ConformanceData.ToolName));
        Assert.That(WireJson.Text(request, "tools[0].description"), Is.EqualTo(ConformanceData.ToolDescription));
        Assert.That(JsonEquivalence.Differences(ConformanceData.ToolSchema, WireJson.Raw(request, "tools[0].parameters") ?? "null"), Is.Empty);
        Assert.That(WireJson.Raw(request, "tool_choice"), Is.EqualTo(mode switch
        {
            NoneChatToolMode => "\"none\"",
            AutoChatToolMode => "\"auto\"",
            RequiredChatToolMode { RequiredFunctionName: null } => "\"required\"",
            RequiredChatToolMode { RequiredFunctionName: { } name } => $$"""{"type":"function","name":"{{name}}"}""",
            _ => throw new ArgumentOutOfRangeException(nameof(mode)),
        }));
    });

    /// <inheritdoc />
    public override void CheckToolResultRequest(ReceivedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Assert.Multiple(() =>
        {
            Assert.That(WireJson.At(request, "input")?.AsArray(), Has.Count.EqualTo(3), "question, call, result");
            Assert.That(WireJson.Text(request, "input[0].role"), Is.EqualTo("user"));
            Assert.That(WireJson.Text(request, "input[0].content"), Is.EqualTo(ConformanceData.Question));
            Assert.That(WireJson.Text(request, "input[1].type"), Is.EqualTo("function_call"));
            Assert.That(WireJson.Text(request, "input[1].call_id"), Is.EqualTo(ConformanceData.ToolCallId));
            Assert.That(WireJson.Text(request, "input[1].name"), Is.EqualTo(ConformanceData.ToolName));
            Assert.That(JsonEquivalence.Differences(ToolArguments(), WireJson.Text(request, "input[1].arguments") ?? "null"), Is.Empty, "arguments as a JSON string");
            Assert.That(WireJson.Text(request, "input[2].type"), Is.EqualTo("function_call_output"));
            Assert.That(WireJson.Text(request, "input[2].call_id"), Is.EqualTo(ConformanceData.ToolCallId));
            Assert.That(WireJson.Text(request, "input[2].output"), Is.EqualTo(ConformanceData.ToolResult));
        });
    }

    /// <inheritdoc />
    public override ScriptedResponse Structured => Answer([Message(ConformanceData.StructuredAnswer)], Usage(20, 9));

    /// <inheritdoc />
    public override void CheckStructuredRequest(ReceivedRequest request) => Assert.Multiple(() =>
    {
        Assert.That(WireJson.Text(request, "text.format.type"), Is.EqualTo("json_schema"));
        Assert.That(WireJson.Text(request, "text.format.name"), Is.EqualTo(ConformanceData.SchemaName));
        Assert.That(WireJson.Text(request, "text.format.description"), Is.EqualTo(ConformanceData.SchemaDescription));
        Assert.That(JsonEquivalence.Differences(ConformanceData.Schema, WireJson.Raw(request, "text.format.schema") ?? "null"), Is.Empty);
        Assert.That(WireJson.Raw(request, "text.format.strict"), Is.EqualTo("true"));
    });

    /// <summary>A reasoning item (summary and encrypted content, the wire's signature) before the answer's message.</summary>
    public override ScriptedResponse Reasoning => Answer([ReasoningItem(), Message(ConformanceData.ReasoningAnswer)], ReasoningUsage());

    /// <summary>The summary in deltas; the encrypted content with the reasoning item when it is done.</summary>
    public override WireStream ReasoningStream => WireStream.ServerSentEvents(
        3,
        [
            Event(new JsonObject { ["type"] = "response.created", ["response"] = Response("in_progress", [], null) }),
            Event(new JsonObject { ["type"] = "response.output_item.added", ["output_index"] = 0, ["item"] = new JsonObject { ["type"] = "reasoning", ["id"] = ReasoningId, ["summary"] = new JsonArray() } }),
            .. ConformanceData.ReasoningParts.Select(part => Event(new JsonObject
            {
                ["type"] = "response.reasoning_summary_text.delta",
                ["item_id"] = ReasoningId,
                ["output_index"] = 0,
                ["summary_index"] = 0,
                ["delta"] = part,
            })),
            Event(new JsonObject { ["type"] = "response.output_item.done", ["output_index"] = 0, ["item"] = ReasoningItem() }),
            Event(new JsonObject { ["type"] = "response.output_item.added", ["output_index"] = 1, ["item"] = Message(string.Empty, "in_progress") }),
            TextDelta(ConformanceData.ReasoningAnswer),
            Event(new JsonObject { ["type"] = "response.output_item.done", ["output_index"] = 1, ["item"] = Message(ConformanceData.ReasoningAnswer) }),
            Completed([ReasoningItem(), Message(ConformanceData.ReasoningAnswer)], ReasoningUsage()),
        ]);

    /// <inheritdoc />
    public override void CheckReasoningRequest(ReceivedRequest request) =>
        Assert.That(WireJson.Text(request, "reasoning.effort"), Is.EqualTo("medium"));

    /// <summary>The reasoning item goes back with its id and encrypted content, then the answer's message with its id, then the follow-up.</summary>
    public override void CheckReasoningRoundTrip(ReceivedRequest request) => Assert.Multiple(() =>
    {
        Assert.That(WireJson.Text(request, "input[1].type"), Is.EqualTo("reasoning"));
        Assert.That(WireJson.Text(request, "input[1].id"), Is.EqualTo(ReasoningId));
        Assert.That(WireJson.Text(request, "input[1].encrypted_content"), Is.EqualTo(ConformanceData.ReasoningSignature));
        Assert.That(WireJson.Text(request, "input[2].type"), Is.EqualTo("message"));
        Assert.That(WireJson.Text(request, "input[2].role"), Is.EqualTo("assistant"));
        Assert.That(WireJson.Text(request, "input[2].id"), Is.EqualTo(MessageId));
        Assert.That(WireJson.Text(request, "input[2].content[0].text"), Is.EqualTo(ConformanceData.ReasoningAnswer));
        Assert.That(WireJson.Text(request, "input[3].role"), Is.EqualTo("user"));
        Assert.That(WireJson.Text(request, "input[3].content"), Is.EqualTo(ConformanceData.FollowUp));
    });

    /// <inheritdoc />
    public override void CheckImageRequest(ReceivedRequest request) => Assert.Multiple(() =>
    {
        CheckPrompt(request);
        Assert.That(WireJson.Text(request, "input[0].content[1].type"), Is.EqualTo("input_image"));
        Assert.That(WireJson.Text(request, "input[0].content[1].image_url"), Is.EqualTo(DataUrl("image/png", ConformanceData.Png)));
    });

    /// <inheritdoc />
    public override void CheckDocumentRequest(ReceivedRequest request) => Assert.Multiple(() =>
    {
        CheckPrompt(request);
        Assert.That(WireJson.Text(request, "input[0].content[1].type"), Is.EqualTo("input_file"));
        Assert.That(WireJson.Text(request, "input[0].content[1].file_data"), Is.EqualTo(DataUrl("application/pdf", ConformanceData.Pdf)));
        Assert.That(WireJson.Text(request, "input[0].content[1].filename"), Is.EqualTo(ConformanceData.DocumentName));
    });

    /// <summary>Cached tokens read in <c>input_tokens_details.cached_tokens</c> and written in <c>cache_write_tokens</c> (Mantle's field), both within <c>input_tokens</c>.</summary>
    public override ScriptedResponse CachedUsage
    {
        get
        {
            var usage = Usage(ConformanceData.CachedUsageInputTokens, ConformanceData.CachedUsageOutputTokens);
            usage["input_tokens_details"] = new JsonObject { ["cached_tokens"] = ConformanceData.CacheReadTokens, ["cache_write_tokens"] = ConformanceData.CacheWriteTokens };
            return Answer([Message(ConformanceData.Answer)], usage);
        }
    }

    /// <inheritdoc />
    public override string AlternateEmbeddingModelId => Shared.AlternateEmbeddingModelId;

    /// <inheritdoc />
    public override IReadOnlyList<ScriptedResponse> Embeddings => Shared.Embeddings;

    /// <inheritdoc />
    public override void CheckEmbeddingRequests(IReadOnlyList<ReceivedRequest> requests, string modelId) => Shared.CheckEmbeddingRequests(requests, modelId);

    private static void CheckQuestion(ReceivedRequest request, bool stream)
    {
        ArgumentNullException.ThrowIfNull(request);
        Assert.Multiple(() =>
        {
            Assert.That(request.Method, Is.EqualTo("POST"));
            Assert.That(request.Header("accept"), Is.EqualTo(stream ? "text/event-stream" : "application/json"));
            Assert.That(request.Header("content-type"), Does.StartWith("application/json"));
            Assert.That(WireJson.Raw(request, "stream"), Is.EqualTo(stream ? "true" : "false"));
            Assert.That(WireJson.Text(request, "instructions"), Is.EqualTo(ConformanceData.Instructions), "the instructions apart from the input");
            Assert.That(WireJson.At(request, "input")?.AsArray(), Has.Count.EqualTo(1), "the question");
            Assert.That(WireJson.Text(request, "input[0].role"), Is.EqualTo("user"));
            Assert.That(WireJson.Text(request, "input[0].content"), Is.EqualTo(ConformanceData.Question));
        });
    }

    private static void CheckPrompt(ReceivedRequest request)
    {
        Assert.That(WireJson.Text(request, "input[0].role"), Is.EqualTo("user"));
        Assert.That(WireJson.Text(request, "input[0].content[0].type"), Is.EqualTo("input_text"));
        Assert.That(WireJson.Text(request, "input[0].content[0].text"), Is.EqualTo(ConformanceData.DescribePrompt));
    }

    private static string DataUrl(string mediaType, ReadOnlyMemory<byte> data) => $"data:{mediaType};base64,{Convert.ToBase64String(data.Span)}";

    private static JsonObject Response(string status, JsonArray output, JsonObject? usage) => new()
    {
        ["id"] = ResponseId,
        ["object"] = "response",
        ["created_at"] = Created,
        ["status"] = status,
        ["error"] = null,
        ["incomplete_details"] = null,
        ["model"] = OpenAIWireFixtures.ModelId + "-2025-08-07",
        ["output"] = output,
        ["store"] = true,
        ["usage"] = usage,
    };

    private static ScriptedResponse Answer(JsonNode[] output, JsonObject usage) =>
        ScriptedResponse.Json(Response("completed", new JsonArray(output), usage).ToJsonString());

    private static JsonObject Message(string text, string status = "completed") => new()
    {
        ["type"] = "message",
        ["id"] = MessageId,
        ["status"] = status,
        ["role"] = "assistant",
        ["content"] = text.Length == 0 ? new JsonArray() : new JsonArray(new JsonObject { ["type"] = "output_text", ["text"] = text, ["annotations"] = new JsonArray() }),
    };

    private static JsonObject FunctionCall(string arguments, string status = "completed") => new()
    {
        ["type"] = "function_call",
        ["id"] = "fc_Conformance0001",
        ["call_id"] = ConformanceData.ToolCallId,
        ["name"] = ConformanceData.ToolName,
        ["arguments"] = arguments,
        ["status"] = status,
    };

    private static JsonObject ReasoningItem() => new()
    {
        ["type"] = "reasoning",
        ["id"] = ReasoningId,
        ["encrypted_content"] = ConformanceData.ReasoningSignature,
        ["summary"] = new JsonArray(new JsonObject { ["type"] = "summary_text", ["text"] = ConformanceData.Reasoning }),
    };

    private static string ToolArguments() => new JsonObject { ["city"] = ConformanceData.ToolCity }.ToJsonString();

    private static JsonObject Usage(long input, long output) =>
        new() { ["input_tokens"] = input, ["output_tokens"] = output, ["total_tokens"] = input + output };

    private static JsonObject ReasoningUsage()
    {
        var usage = Usage(15, 25);
        usage["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = 18 };
        return usage;
    }

    private static string TextDelta(string delta) => Event(new JsonObject
    {
        ["type"] = "response.output_text.delta",
        ["item_id"] = MessageId,
        ["output_index"] = 0,
        ["content_index"] = 0,
        ["delta"] = delta,
    });

    private static string ArgumentsDelta(string delta) => Event(new JsonObject
    {
        ["type"] = "response.function_call_arguments.delta",
        ["item_id"] = "fc_Conformance0001",
        ["output_index"] = 0,
        ["delta"] = delta,
    });

    private static string Completed(JsonNode[] output, JsonObject usage) =>
        Event(new JsonObject { ["type"] = "response.completed", ["response"] = Response("completed", new JsonArray(output), usage) });

    /// <summary>One SSE event as OpenAI frames it: the type as the event name, the JSON as its data.</summary>
    private static string Event(JsonObject data) => $"event: {(string?)data["type"]}\ndata: {data.ToJsonString()}";
}
