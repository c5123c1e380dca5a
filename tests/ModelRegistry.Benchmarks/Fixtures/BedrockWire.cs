using System.Text.Json;

namespace ModelRegistry.Benchmarks.Fixtures;

/// <summary>
/// Our own Bedrock fixtures, written from the Bedrock Runtime API reference: Converse JSON and ConverseStream event
/// streams for our client, and for the Anthropic SDK (which calls InvokeModel with an Anthropic Messages body) the
/// Messages JSON and the <c>invoke-with-response-stream</c> event stream of base64 <c>chunk</c> events. Both
/// streams carry the same <see cref="Transcript.StreamTokens"/> text deltas; stream events carry Bedrock's
/// <c>p</c> padding field.
/// </summary>
internal static class BedrockWire
{
    public const string ModelId = "anthropic.claude-haiku-4-5-20251001-v1:0";
    public const string Region = "us-east-1";
    public const string RequestId = "7f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f";
    private const string Padding = "abcdefghijklmnopqrstuvwxyzABCDEF";

    /// <summary>Response headers Bedrock sends with every answer.</summary>
    public static readonly (string Name, string Value)[] Headers = [("x-amzn-RequestId", RequestId)];

    /// <summary>The headers of an InvokeModel stream; the Anthropic SDK insists on the payload content type.</summary>
    public static readonly (string Name, string Value)[] InvokeStreamHeaders =
        [("x-amzn-RequestId", RequestId), ("x-amzn-Bedrock-Content-Type", "application/json")];

    // ---- Converse (our client and the floor) -------------------------------------------------------------------

    public static byte[] ConverseResponse() => Converse("end_turn", 58, Transcript.AnswerTokens, w =>
    {
        w.WriteStartObject();
        w.WriteString("text", Transcript.Text(Transcript.AnswerTokens));
        w.WriteEndObject();
    });

    /// <summary>messageStart, a contentBlockDelta per token, contentBlockStop, messageStop, metadata.</summary>
    public static IReadOnlyList<byte[]> ConverseStreamMessages()
    {
        var messages = new List<byte[]>
        {
            EventFrame("messageStart", Padded(w => w.WriteString("role", "assistant"))),
        };
        for (var i = 0; i < Transcript.StreamTokens; i++)
        {
            var token = Transcript.Token(i);
            messages.Add(EventFrame("contentBlockDelta", Padded(w =>
            {
                w.WriteNumber("contentBlockIndex", 0);
                w.WriteStartObject("delta");
                w.WriteString("text", token);
                w.WriteEndObject();
            })));
        }

        messages.Add(EventFrame("contentBlockStop", Padded(w => w.WriteNumber("contentBlockIndex", 0))));
        messages.Add(EventFrame("messageStop", Padded(w => w.WriteString("stopReason", "end_turn"))));
        messages.Add(EventFrame("metadata", Padded(w =>
        {
            WriteConverseUsage(w, 58, Transcript.StreamTokens);
            w.WriteStartObject("metrics");
            w.WriteNumber("latencyMs", 9120);
            w.WriteEndObject();
        })));
        return messages;
    }

    /// <summary>The ConverseStream body whole, for the decoder benchmarks.</summary>
    public static byte[] ConverseStreamBody() => [.. ConverseStreamMessages().SelectMany(m => m)];

    /// <summary>A Converse answer calling two tools, as the model's turn in the 20-message tool conversation.</summary>
    public static byte[] ConverseToolUseResponse() => Converse("tool_use", 1834, 61, w =>
    {
        w.WriteStartObject();
        w.WriteString("text", "Let me check Annecy for that weekend.");
        w.WriteEndObject();
        foreach (var call in ToolConversation.AnswerCalls)
        {
            w.WriteStartObject();
            w.WriteStartObject("toolUse");
            w.WriteString("toolUseId", call.CallId);
            w.WriteString("name", call.Name);
            w.WritePropertyName("input");
            w.WriteRawValue(call.ArgumentsJson);
            w.WriteEndObject();
            w.WriteEndObject();
        }
    });

    /// <summary>A Converse response whose assistant message holds the content blocks written by <paramref name="blocks"/>.</summary>
    private static byte[] Converse(string stopReason, int inputTokens, int outputTokens, Action<Utf8JsonWriter> blocks) => Json.Write(w =>
    {
        w.WriteStartObject();
        w.WriteStartObject("metrics");
        w.WriteNumber("latencyMs", 1873);
        w.WriteEndObject();
        w.WriteStartObject("output");
        w.WriteStartObject("message");
        w.WriteStartArray("content");
        blocks(w);
        w.WriteEndArray();
        w.WriteString("role", "assistant");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteString("stopReason", stopReason);
        WriteConverseUsage(w, inputTokens, outputTokens);
        w.WriteEndObject();
    });

    // ---- InvokeModel with an Anthropic Messages body (the Anthropic SDK) ---------------------------------------

    public static byte[] AnthropicMessageResponse() => Json.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("id", "msg_bdrk_01BenchmarkFixture0001");
        w.WriteString("type", "message");
        w.WriteString("role", "assistant");
        w.WriteString("model", "claude-haiku-4-5-20251001");
        w.WriteStartArray("content");
        w.WriteStartObject();
        w.WriteString("type", "text");
        w.WriteString("text", Transcript.Text(Transcript.AnswerTokens));
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteString("stop_reason", "end_turn");
        w.WriteNull("stop_sequence");
        WriteAnthropicUsage(w, 58, Transcript.AnswerTokens);
        w.WriteEndObject();
    });

    /// <summary>
    /// The <c>invoke-with-response-stream</c> body: <c>chunk</c> events whose payload is <c>{"bytes": base64(event)}</c>,
    /// the events being Anthropic's message_start, content_block_start, a content_block_delta per token,
    /// content_block_stop, message_delta and message_stop.
    /// </summary>
    public static IReadOnlyList<byte[]> AnthropicStreamMessages()
    {
        var events = new List<byte[]>
        {
            Json.Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("type", "message_start");
                w.WriteStartObject("message");
                w.WriteString("id", "msg_bdrk_01BenchmarkFixture0002");
                w.WriteString("type", "message");
                w.WriteString("role", "assistant");
                w.WriteString("model", "claude-haiku-4-5-20251001");
                w.WriteStartArray("content");
                w.WriteEndArray();
                w.WriteNull("stop_reason");
                w.WriteNull("stop_sequence");
                WriteAnthropicUsage(w, 58, 1);
                w.WriteEndObject();
                w.WriteEndObject();
            }),
            Json.Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("type", "content_block_start");
                w.WriteNumber("index", 0);
                w.WriteStartObject("content_block");
                w.WriteString("type", "text");
                w.WriteString("text", "");
                w.WriteEndObject();
                w.WriteEndObject();
            }),
        };
        for (var i = 0; i < Transcript.StreamTokens; i++)
        {
            var token = Transcript.Token(i);
            events.Add(Json.Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("type", "content_block_delta");
                w.WriteNumber("index", 0);
                w.WriteStartObject("delta");
                w.WriteString("type", "text_delta");
                w.WriteString("text", token);
                w.WriteEndObject();
                w.WriteEndObject();
            }));
        }

        events.Add(Json.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "content_block_stop");
            w.WriteNumber("index", 0);
            w.WriteEndObject();
        }));
        events.Add(Json.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "message_delta");
            w.WriteStartObject("delta");
            w.WriteString("stop_reason", "end_turn");
            w.WriteNull("stop_sequence");
            w.WriteEndObject();
            w.WriteStartObject("usage");
            w.WriteNumber("output_tokens", Transcript.StreamTokens);
            w.WriteEndObject();
            w.WriteEndObject();
        }));
        events.Add(Json.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "message_stop");
            w.WriteStartObject("amazon-bedrock-invocationMetrics");
            w.WriteNumber("inputTokenCount", 58);
            w.WriteNumber("outputTokenCount", Transcript.StreamTokens);
            w.WriteNumber("invocationLatency", 9120);
            w.WriteNumber("firstByteLatency", 402);
            w.WriteEndObject();
            w.WriteEndObject();
        }));

        return [.. events.Select(e => EventFrame("chunk", Json.Write(w =>
        {
            w.WriteStartObject();
            w.WriteBase64String("bytes", e);
            w.WriteString("p", Padding);
            w.WriteEndObject();
        })))];
    }

    private static byte[] Padded(Action<Utf8JsonWriter> members) => Json.Write(w =>
    {
        w.WriteStartObject();
        members(w);
        w.WriteString("p", Padding);
        w.WriteEndObject();
    });

    private static void WriteConverseUsage(Utf8JsonWriter w, int input, int output)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("inputTokens", input);
        w.WriteNumber("outputTokens", output);
        w.WriteNumber("totalTokens", input + output);
        w.WriteEndObject();
    }

    private static void WriteAnthropicUsage(Utf8JsonWriter w, int input, int output)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("input_tokens", input);
        w.WriteNumber("cache_creation_input_tokens", 0);
        w.WriteNumber("cache_read_input_tokens", 0);
        w.WriteNumber("output_tokens", output);
        w.WriteEndObject();
    }

    /// <summary>A ConverseStream event frame with an already-encoded JSON payload, from the test kit's one encoder.</summary>
    private static byte[] EventFrame(string eventType, byte[] jsonPayload) =>
        ModelRegistry.Testing.EventStreamEncoder.Message([(":event-type", eventType), (":content-type", "application/json"), (":message-type", "event")], jsonPayload);
}
