using System.Text;

namespace ModelRegistry.Testing;

/// <summary>
/// What the replay server answers to one request: a recorded response, or a scripted one with faults
/// (a delay before the headers, a body sent in timed chunks, a body cut short, a reset connection).
/// </summary>
public sealed class ScriptedResponse
{
    /// <summary>The HTTP status. Default 200.</summary>
    public int Status { get; init; } = 200;

    /// <summary>Response headers; <c>Content-Length</c> and transfer headers are set by the server.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>The body. Sent in one write unless <see cref="Chunks"/> is set.</summary>
    public byte[] Body { get; init; } = [];

    /// <summary>When set, the body is sent as these parts, each flushed after its delay (no Content-Length).</summary>
    public IReadOnlyList<(byte[] Bytes, TimeSpan Delay)>? Chunks { get; init; }

    /// <summary>A wait before the status line, e.g. to trip a client's timeout.</summary>
    public TimeSpan DelayBeforeHeaders { get; init; }

    /// <summary>Completes when the server may answer: until then the request is held (counted in <see cref="ReplayServer.InFlight"/>), with no timing window.</summary>
    public Task? HoldUntil { get; init; }

    /// <summary>When set, only this many body bytes are sent, then the connection is aborted (a truncated body).</summary>
    public int? TruncateAfter { get; init; }

    /// <summary>When true, the connection is aborted without any response.</summary>
    public bool ResetConnection { get; init; }

    /// <summary>A JSON response.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="status">The status.</param>
    /// <param name="headers">Extra headers as name/value pairs.</param>
    public static ScriptedResponse Json(string json, int status = 200, params (string Name, string Value)[] headers) => new()
    {
        Status = status,
        Body = Encoding.UTF8.GetBytes(json),
        Headers = [new("Content-Type", "application/json"), .. headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value))],
    };

    /// <summary>The recorded response of a cassette interaction, byte for byte.</summary>
    /// <param name="response">The recorded response.</param>
    public static ScriptedResponse From(CassetteResponse response) => new()
    {
        Status = response.Status,
        Body = response.Body,
        Headers = response.Headers,
    };
}
