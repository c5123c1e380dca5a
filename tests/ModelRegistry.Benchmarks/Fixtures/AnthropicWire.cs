using System.Text;
using System.Text.Json;

namespace ModelRegistry.Benchmarks.Fixtures;

/// <summary>
/// Our own Anthropic Messages API fixtures, written from the public API reference: the <c>POST /v1/messages</c>
/// answer (the 400-token paragraph) and its server-sent event stream as api.anthropic.com sends it (message_start,
/// content_block_start, a ping, a text_delta per token, content_block_stop, message_delta, message_stop), one
/// <c>event:</c>/<c>data:</c> pair per event.
/// </summary>
internal static class AnthropicWire
{
    public const string Model = "claude-haiku-4-5-20251001";

    /// <summary>Events a stream carries: <see cref="Transcript.StreamTokens"/> deltas and seven others.</summary>
    public const int StreamEventCount = Transcript.StreamTokens + 7;

    /// <summary>Response headers the API sends with every answer.</summary>
    public static readonly (string Name, string Value)[] Headers = [("request-id", "req_011CBenchmarkFixture0001")];

    public static byte[] MessageResponse() => Json.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("id", "msg_01BenchmarkFixture0001");
        w.WriteString("type", "message");
        w.WriteString("role", "assistant");
        w.WriteString("model", Model);
        w.WriteStartArray("content");
        w.WriteStartObject();
        w.WriteString("type", "text");
        w.WriteString("text", Transcript.Text(Transcript.AnswerTokens));
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteString("stop_reason", "end_turn");
        w.WriteNull("stop_sequence");
        WriteUsage(w, 58, Transcript.AnswerTokens);
        w.WriteEndObject();
    });

    /// <summary>The SSE events of a streamed answer, each encoded whole (one HTTP chunk apiece).</summary>
    public static IEnumerable<byte[]> StreamEvents()
    {
        yield return Event("message_start", w =>
        {
            w.WriteStartObject("message");
            w.WriteString("id", "msg_01BenchmarkFixture0002");
            w.WriteString("type", "message");
            w.WriteString("role", "assistant");
            w.WriteString("model", Model);
            w.WriteStartArray("content");
            w.WriteEndArray();
            w.WriteNull("stop_reason");
            w.WriteNull("stop_sequence");
            WriteUsage(w, 58, 1);
            w.WriteEndObject();
        });
        yield return Event("content_block_start", w =>
        {
            w.WriteNumber("index", 0);
            w.WriteStartObject("content_block");
            w.WriteString("type", "text");
            w.WriteString("text", "");
            w.WriteEndObject();
        });
        yield return Event("ping", _ => { });
        for (var i = 0; i < Transcript.StreamTokens; i++)
        {
            var token = Transcript.Token(i);
            yield return Event("content_block_delta", w =>
            {
                w.WriteNumber("index", 0);
                w.WriteStartObject("delta");
                w.WriteString("type", "text_delta");
                w.WriteString("text", token);
                w.WriteEndObject();
            });
        }

        yield return Event("content_block_stop", w => w.WriteNumber("index", 0));
        yield return Event("message_delta", w =>
        {
            w.WriteStartObject("delta");
            w.WriteString("stop_reason", "end_turn");
            w.WriteNull("stop_sequence");
            w.WriteEndObject();
            w.WriteStartObject("usage");
            w.WriteNumber("output_tokens", Transcript.StreamTokens);
            w.WriteEndObject();
        });
        yield return Event("message_stop", _ => { });
    }

    /// <summary>The text the stream's deltas carry.</summary>
    public static string StreamText => Transcript.Text(Transcript.StreamTokens);

    private static byte[] Event(string type, Action<Utf8JsonWriter> members)
    {
        var data = Json.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("type", type);
            members(w);
            w.WriteEndObject();
        });
        return [.. Encoding.UTF8.GetBytes($"event: {type}\ndata: "), .. data, .. "\n\n"u8];
    }

    private static void WriteUsage(Utf8JsonWriter w, int input, int output)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("input_tokens", input);
        w.WriteNumber("cache_creation_input_tokens", 0);
        w.WriteNumber("cache_read_input_tokens", 0);
        w.WriteNumber("output_tokens", output);
        w.WriteEndObject();
    }
}
