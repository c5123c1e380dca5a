using System.Text.Json;

namespace ModelRegistry.Benchmarks.Fixtures;

/// <summary>
/// Our own Mistral chat completion fixtures in the API's wire format (the OpenAI-shaped <c>/v1/chat/completions</c>
/// JSON and its <c>text/event-stream</c> chunks, ended by <c>data: [DONE]</c>), written from the published API
/// reference: ids, usage and the role-only first chunk look like what Mistral sends.
/// </summary>
internal static class MistralWire
{
    public const string Model = "mistral-large-latest";
    public const string ResponseId = "5d9c0a8e3f2b4c61a7e0b9d2c4f8e1a3";
    private const long Created = 1767225600;

    /// <summary>The non-streaming answer: <see cref="Transcript.AnswerTokens"/> tokens of text, finish reason and usage.</summary>
    public static byte[] ChatCompletion() => Completion("stop", 58, Transcript.AnswerTokens, w =>
    {
        w.WriteString("content", Transcript.Text(Transcript.AnswerTokens));
        w.WriteNull("tool_calls");
        w.WriteBoolean("prefix", false);
    });

    /// <summary>
    /// The events of a long stream, each a complete SSE event (<c>data: ...\n\n</c>): a role-only first chunk,
    /// <see cref="Transcript.StreamTokens"/> content chunks, a final chunk with finish reason and usage, then <c>[DONE]</c>.
    /// </summary>
    public static IReadOnlyList<byte[]> StreamEvents() => StreamEvents(Transcript.StreamTokens);

    /// <summary>The same stream with <paramref name="tokens"/> content chunks (the load benchmarks stream short answers).</summary>
    public static IReadOnlyList<byte[]> StreamEvents(int tokens)
    {
        var events = new List<byte[]> { Event(Chunk(w => w.WriteString("role", "assistant"), content: "", finish: null, usage: false)) };
        for (var i = 0; i < tokens; i++)
        {
            events.Add(Event(Chunk(null, Transcript.Token(i), finish: null, usage: false)));
        }

        events.Add(Event(Chunk(null, "", finish: "stop", usage: true)));
        events.Add("data: [DONE]\n\n"u8.ToArray());
        return events;
    }

    /// <summary>The chunks a client turns into updates (every event but <c>[DONE]</c>).</summary>
    public static int StreamChunkCount => Transcript.StreamTokens + 2;

    /// <summary>The whole stream body, for the decoder benchmarks.</summary>
    public static byte[] StreamBody() => [.. StreamEvents().SelectMany(e => e)];

    /// <summary>An answer calling two tools, as the model's turn in the 20-message tool conversation.</summary>
    public static byte[] ToolCallCompletion() => Completion("tool_calls", 1834, 61, w =>
    {
        w.WriteString("content", "");
        w.WriteStartArray("tool_calls");
        foreach (var call in ToolConversation.AnswerCalls)
        {
            w.WriteStartObject();
            w.WriteString("id", call.CallId);
            w.WriteString("type", "function");
            w.WriteStartObject("function");
            w.WriteString("name", call.Name);
            w.WriteString("arguments", call.ArgumentsJson);
            w.WriteEndObject();
            w.WriteNumber("index", 0);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    });

    /// <summary>A <c>chat.completion</c> with one choice whose assistant message has the given members.</summary>
    private static byte[] Completion(string finishReason, int promptTokens, int completionTokens, Action<Utf8JsonWriter> message) => Json.Write(w =>
    {
        w.WriteStartObject();
        WriteHeader(w, "chat.completion");
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        w.WriteStartObject("message");
        w.WriteString("role", "assistant");
        message(w);
        w.WriteEndObject();
        w.WriteString("finish_reason", finishReason);
        w.WriteEndObject();
        w.WriteEndArray();
        WriteUsage(w, promptTokens, completionTokens);
        w.WriteEndObject();
    });

    private static byte[] Event(byte[] json) => [.. "data: "u8, .. json, .. "\n\n"u8];

    private static byte[] Chunk(Action<Utf8JsonWriter>? role, string content, string? finish, bool usage) => Json.Write(w =>
    {
        w.WriteStartObject();
        WriteHeader(w, "chat.completion.chunk");
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        w.WriteStartObject("delta");
        role?.Invoke(w);
        w.WriteString("content", content);
        w.WriteEndObject();
        if (finish is null)
        {
            w.WriteNull("finish_reason");
        }
        else
        {
            w.WriteString("finish_reason", finish);
        }

        w.WriteEndObject();
        w.WriteEndArray();
        if (usage)
        {
            WriteUsage(w, 58, Transcript.StreamTokens);
        }

        w.WriteEndObject();
    });

    private static void WriteHeader(Utf8JsonWriter w, string type)
    {
        w.WriteString("id", ResponseId);
        w.WriteString("object", type);
        w.WriteNumber("created", Created);
        w.WriteString("model", Model);
    }

    private static void WriteUsage(Utf8JsonWriter w, int prompt, int completion)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", prompt);
        w.WriteNumber("total_tokens", prompt + completion);
        w.WriteNumber("completion_tokens", completion);
        w.WriteEndObject();
    }

    /// <summary>The stream's text, for the set-up checks.</summary>
    public static string StreamText => Transcript.Text(Transcript.StreamTokens);
}
