using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using NUnit.Framework;
using static ModelRegistry.Testing.TestWireAnswers;

namespace ModelRegistry.Testing;

/// <summary>
/// testwire's wire fixtures for the conformance suite: every answer in testwire's format (see <see cref="TestWireProvider"/>)
/// and every request check. A complete example of what a provider's fixtures hold.
/// </summary>
public sealed class TestWireFixtures : ProviderWireFixtures
{
    /// <inheritdoc />
    public override void AssertModel(ReceivedRequest request, string modelId)
    {
        ArgumentNullException.ThrowIfNull(request);
        Assert.That(request.PathAndQuery, Does.StartWith($"/v1/models/{Uri.EscapeDataString(modelId)}/"), "the model is the path's segment");
    }

    /// <inheritdoc />
    public override ScriptedResponse Text => Answer([Block("text", ("text", ConformanceData.Answer))], "stop", Usage(ConformanceData.InputTokens, ConformanceData.OutputTokens));

    /// <inheritdoc />
    public override void CheckTextRequest(ReceivedRequest request)
    {
        CheckQuestion(request, "chat", "application/json");
        Assert.Multiple(() =>
        {
            Assert.That(WireJson.Number(request, "temperature"), Is.EqualTo(ConformanceData.Temperature));
            Assert.That(WireJson.Number(request, "max_tokens"), Is.EqualTo(ConformanceData.MaxOutputTokens));
        });
    }

    /// <inheritdoc />
    public override WireStream TextStream => WireStream.ServerSentEvents(
        2,
        [Start(), .. ConformanceData.AnswerParts.Select(p => Event("text", ("text", p))), Done("stop", Usage(ConformanceData.InputTokens, ConformanceData.OutputTokens))]);

    /// <inheritdoc />
    public override void CheckStreamRequest(ReceivedRequest request)
    {
        CheckQuestion(request, "stream", "text/event-stream");
        Assert.That(WireJson.Number(request, "max_tokens"), Is.EqualTo(ConformanceData.MaxOutputTokens));
    }

    /// <inheritdoc />
    public override ScriptedResponse Error(int status, string message) => TestWireAnswers.Error(status, message);

    /// <inheritdoc />
    public override IReadOnlyList<ScriptedResponse> HealthyProbe => [Available("wire-large-1")];

    /// <inheritdoc />
    public override IReadOnlyList<ScriptedResponse> UnhealthyProbe => [Error(404, "no such model")];

    /// <inheritdoc />
    public override void CheckProbeRequests(IReadOnlyList<ReceivedRequest> requests, string modelId)
    {
        ArgumentNullException.ThrowIfNull(requests);
        Assert.That(requests.Select(r => $"{r.Method} {r.PathAndQuery} {r.Body.Length}"), Is.EqualTo(new[] { $"GET /v1/models/{modelId} 0" }));
    }

    /// <inheritdoc />
    public override ScriptedResponse ToolCall => Answer([ToolCallBlock()], "tool_calls", Usage(30, 10));

    /// <inheritdoc />
    public override WireStream ToolCallStream => WireStream.ServerSentEvents(1, Start(), Event("tool_call", ToolCallFields()), Done("tool_calls", Usage(30, 10)));

    /// <inheritdoc />
    public override void CheckToolMode(ReceivedRequest request, ChatToolMode mode)
    {
        Assert.Multiple(() =>
        {
            Assert.That(WireJson.Text(request, "tools[0].name"), Is.EqualTo(ConformanceData.ToolName));
            Assert.That(WireJson.Text(request, "tools[0].description"), Is.EqualTo(ConformanceData.ToolDescription));
            Assert.That(JsonEquivalence.Differences(ConformanceData.ToolSchema, WireJson.Raw(request, "tools[0].parameters") ?? "null"), Is.Empty);
            Assert.That(WireJson.Raw(request, "tool_choice"), Is.EqualTo(mode switch
            {
                NoneChatToolMode => "\"none\"",
                AutoChatToolMode => "\"auto\"",
                RequiredChatToolMode { RequiredFunctionName: null } => "\"required\"",
                RequiredChatToolMode { RequiredFunctionName: { } name } => $$"""{"name":"{{name}}"}""",
                _ => throw new ArgumentOutOfRangeException(nameof(mode)),
            }));
        });
    }

    /// <inheritdoc />
    public override void CheckToolResultRequest(ReceivedRequest request) => Assert.Multiple(() =>
    {
        Assert.That(WireJson.Text(request, "messages[0].content[0].text"), Is.EqualTo(ConformanceData.Question));
        Assert.That(WireJson.Text(request, "messages[1].role"), Is.EqualTo("assistant"));
        Assert.That(JsonEquivalence.Differences(ToolCallBlock().ToJsonString(), WireJson.Raw(request, "messages[1].content[0]") ?? "null"), Is.Empty);
        Assert.That(WireJson.Text(request, "messages[2].role"), Is.EqualTo("tool"));
        Assert.That(
            JsonEquivalence.Differences(Block("tool_result", ("id", ConformanceData.ToolCallId), ("result", ConformanceData.ToolResult)).ToJsonString(), WireJson.Raw(request, "messages[2].content[0]") ?? "null"),
            Is.Empty);
    });

    /// <inheritdoc />
    public override ScriptedResponse Structured => Answer([Block("text", ("text", ConformanceData.StructuredAnswer))], "stop", Usage(20, 9));

    /// <inheritdoc />
    public override void CheckStructuredRequest(ReceivedRequest request) => Assert.Multiple(() =>
    {
        Assert.That(WireJson.Text(request, "response_format.type"), Is.EqualTo("json_schema"));
        Assert.That(WireJson.Text(request, "response_format.name"), Is.EqualTo(ConformanceData.SchemaName));
        Assert.That(WireJson.Text(request, "response_format.description"), Is.EqualTo(ConformanceData.SchemaDescription));
        Assert.That(JsonEquivalence.Differences(ConformanceData.Schema, WireJson.Raw(request, "response_format.schema") ?? "null"), Is.Empty);
        Assert.That(WireJson.Raw(request, "response_format.strict"), Is.EqualTo("true"));
    });

    /// <inheritdoc />
    public override ScriptedResponse Reasoning => Answer(
        [Block("reasoning", ("text", ConformanceData.Reasoning), ("signature", ConformanceData.ReasoningSignature)), Block("text", ("text", ConformanceData.ReasoningAnswer))],
        "stop",
        Usage(15, 25));

    /// <inheritdoc />
    public override WireStream ReasoningStream => WireStream.ServerSentEvents(
        2,
        [
            Start(),
            .. ConformanceData.ReasoningParts.Select(p => Event("reasoning", ("text", p))),
            Event("reasoning", ("text", string.Empty), ("signature", ConformanceData.ReasoningSignature)),
            Event("text", ("text", ConformanceData.ReasoningAnswer)),
            Done("stop", Usage(15, 25)),
        ]);

    /// <inheritdoc />
    public override void CheckReasoningRequest(ReceivedRequest request) =>
        Assert.That(WireJson.Text(request, "reasoning.effort"), Is.EqualTo("medium"));

    /// <inheritdoc />
    public override void CheckReasoningRoundTrip(ReceivedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var assistant = WireJson.At(request, "messages[1]");
        var blocks = WireJson.At(assistant, "content")?.AsArray() ?? [];
        var reasoning = blocks.Where(b => (string?)b?["type"] == "reasoning").ToList();
        Assert.Multiple(() =>
        {
            Assert.That((string?)assistant?["role"], Is.EqualTo("assistant"));
            Assert.That(string.Concat(reasoning.Select(b => (string?)b?["text"])), Is.EqualTo(ConformanceData.Reasoning), "the reasoning, sent back");
            Assert.That(reasoning.Select(b => (string?)b?["signature"]).Where(s => s is not null), Is.EqualTo(new[] { ConformanceData.ReasoningSignature }), "its signature");
            Assert.That((string?)blocks.Last()?["text"], Is.EqualTo(ConformanceData.ReasoningAnswer), "then the answer");
            Assert.That(WireJson.Text(request, "messages[2].content[0].text"), Is.EqualTo(ConformanceData.FollowUp));
        });
    }

    /// <inheritdoc />
    public override void CheckImageRequest(ReceivedRequest request) => CheckAttachment(request, "image", "image/png", null, ConformanceData.Png);

    /// <inheritdoc />
    public override void CheckDocumentRequest(ReceivedRequest request) =>
        CheckAttachment(request, "document", "application/pdf", ConformanceData.DocumentName, ConformanceData.Pdf);

    /// <inheritdoc />
    public override ScriptedResponse CachedUsage => Answer(
        [Block("text", ("text", ConformanceData.Answer))],
        "stop",
        new JsonObject
        {
            ["input"] = ConformanceData.CachedUsageInputTokens,
            ["output"] = ConformanceData.CachedUsageOutputTokens,
            ["cache_read"] = ConformanceData.CacheReadTokens,
            ["cache_write"] = ConformanceData.CacheWriteTokens,
        });

    /// <inheritdoc />
    public override IReadOnlyList<ScriptedResponse> Embeddings => [TestWireAnswers.Embeddings([.. ConformanceData.EmbeddingVectors])];

    /// <inheritdoc />
    public override void CheckEmbeddingRequests(IReadOnlyList<ReceivedRequest> requests, string modelId)
    {
        ArgumentNullException.ThrowIfNull(requests);
        Assert.That(requests, Has.Count.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That($"{requests[0].Method} {requests[0].PathAndQuery}", Is.EqualTo($"POST /v1/models/{modelId}/embed"));
            Assert.That(JsonEquivalence.Differences("""{"input":["alpha","beta"]}""", requests[0].BodyText), Is.Empty);
        });
    }

    /// <inheritdoc />
    public override ScriptedResponse TokenCount => ScriptedResponse.Json(new JsonObject { ["input_tokens"] = ConformanceData.TokenCount }.ToJsonString());

    /// <inheritdoc />
    public override void CheckTokenCountRequest(ReceivedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Assert.Multiple(() =>
        {
            Assert.That(request.PathAndQuery, Does.EndWith("/count"));
            Assert.That(WireJson.Text(request, "system"), Is.EqualTo(ConformanceData.Instructions));
            Assert.That(WireJson.Text(request, "messages[0].content[0].text"), Is.EqualTo(ConformanceData.Question));
        });
    }

    private static void CheckQuestion(ReceivedRequest request, string action, string accept)
    {
        ArgumentNullException.ThrowIfNull(request);
        Assert.Multiple(() =>
        {
            Assert.That(request.Method, Is.EqualTo("POST"));
            Assert.That(request.PathAndQuery, Does.EndWith("/" + action));
            Assert.That(request.Header("accept"), Is.EqualTo(accept));
            Assert.That(WireJson.Text(request, "system"), Is.EqualTo(ConformanceData.Instructions));
            Assert.That(WireJson.At(request, "messages")?.AsArray(), Has.Count.EqualTo(1));
            Assert.That(WireJson.Text(request, "messages[0].role"), Is.EqualTo("user"));
            Assert.That(WireJson.Text(request, "messages[0].content[0].text"), Is.EqualTo(ConformanceData.Question));
        });
    }

    private static void CheckAttachment(ReceivedRequest request, string type, string mediaType, string? name, ReadOnlyMemory<byte> data) => Assert.Multiple(() =>
    {
        Assert.That(WireJson.Text(request, "messages[0].content[0].text"), Is.EqualTo(ConformanceData.DescribePrompt));
        Assert.That(WireJson.Text(request, "messages[0].content[1].type"), Is.EqualTo(type));
        Assert.That(WireJson.Text(request, "messages[0].content[1].media_type"), Is.EqualTo(mediaType));
        Assert.That(WireJson.Text(request, "messages[0].content[1].name"), Is.EqualTo(name));
        Assert.That(WireJson.Text(request, "messages[0].content[1].data"), Is.EqualTo(Convert.ToBase64String(data.Span)));
    });

    private static JsonObject ToolCallBlock() => Block("tool_call", ToolCallFields());

    private static (string, JsonNode?)[] ToolCallFields() =>
        [("id", ConformanceData.ToolCallId), ("name", ConformanceData.ToolName), ("arguments", new JsonObject { ["city"] = ConformanceData.ToolCity })];
}
