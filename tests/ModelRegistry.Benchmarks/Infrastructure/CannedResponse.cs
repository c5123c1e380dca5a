using System.Text;

namespace ModelRegistry.Benchmarks.Infrastructure;

/// <summary>
/// A whole HTTP/1.1 response (status line, headers, body) encoded once, so serving it costs one socket write.
/// Streams use chunked transfer encoding with one chunk per event, the way a provider flushes each event.
/// </summary>
internal sealed class CannedResponse
{
    private CannedResponse(byte[] bytes) => Bytes = bytes;

    /// <summary>The response as it goes on the wire.</summary>
    public byte[] Bytes { get; }

    /// <summary>A 200 with a JSON body and a Content-Length.</summary>
    public static CannedResponse Json(byte[] body, params (string Name, string Value)[] headers)
    {
        var head = Head("application/json", headers) + $"Content-Length: {body.Length}\r\n\r\n";
        return new CannedResponse([.. Encoding.ASCII.GetBytes(head), .. body]);
    }

    /// <summary>A 200 whose body is sent with chunked transfer encoding, one HTTP chunk per piece.</summary>
    public static CannedResponse Chunked(string contentType, IEnumerable<byte[]> pieces, params (string Name, string Value)[] headers)
    {
        using var wire = new MemoryStream();
        wire.Write(Encoding.ASCII.GetBytes(Head(contentType, headers) + "Transfer-Encoding: chunked\r\n\r\n"));
        foreach (var piece in pieces)
        {
            wire.Write(Encoding.ASCII.GetBytes($"{piece.Length:x}\r\n"));
            wire.Write(piece);
            wire.Write("\r\n"u8);
        }

        wire.Write("0\r\n\r\n"u8);
        return new CannedResponse(wire.ToArray());
    }

    /// <summary>A bare status, e.g. 404 for a path a benchmark did not expect (so a wrong route fails loudly).</summary>
    public static CannedResponse Status(int code, string reason)
    {
        var body = Encoding.UTF8.GetBytes($"{{\"message\":\"{reason}\"}}");
        var head = $"HTTP/1.1 {code} {reason}\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n";
        return new CannedResponse([.. Encoding.ASCII.GetBytes(head), .. body]);
    }

    private static string Head(string contentType, (string Name, string Value)[] headers)
    {
        var head = new StringBuilder("HTTP/1.1 200 OK\r\n");
        head.Append("Content-Type: ").Append(contentType).Append("\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        return head.ToString();
    }
}
