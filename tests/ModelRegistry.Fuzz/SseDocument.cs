namespace ModelRegistry.Fuzz;

/// <summary>One server-sent event: its lines, without line ends.</summary>
internal sealed class SseEvent
{
    public List<byte[]> Lines { get; init; } = [];

    /// <summary>The event's data: its <c>data</c> lines' values joined by LF, as a reader sees them.</summary>
    public byte[] Data()
    {
        var parts = new List<byte[]>();
        foreach (var line in Lines)
        {
            if (line.AsSpan().StartsWith("data:"u8))
            {
                var value = line.AsSpan(5);
                parts.Add((value.Length > 0 && value[0] == (byte)' ' ? value[1..] : value).ToArray());
            }
        }

        return parts.Count == 1 ? parts[0] : [.. parts.SelectMany((p, i) => i == 0 ? p : [(byte)'\n', .. p])];
    }

    /// <summary>Replaces the data lines by one <c>data: ...</c> line where the first was.</summary>
    public void SetData(byte[] data)
    {
        var first = Lines.FindIndex(l => l.AsSpan().StartsWith("data:"u8));
        Lines.RemoveAll(l => l.AsSpan().StartsWith("data:"u8));
        Lines.Insert(first < 0 ? Lines.Count : first, [.. "data: "u8, .. data]);
    }

    public SseEvent Copy() => new() { Lines = [.. Lines] };
}

/// <summary>A <c>text/event-stream</c> body as events, to remove, repeat, reorder or rewrite them and write them back.</summary>
internal sealed class SseDocument
{
    public List<SseEvent> Events { get; } = [];

    /// <summary>Whether the body used CRLF line ends.</summary>
    public bool CrLf { get; private set; }

    public static SseDocument Parse(ReadOnlySpan<byte> body)
    {
        var document = new SseDocument { CrLf = body.IndexOf("\r\n"u8) >= 0 };
        var current = new SseEvent();
        while (!body.IsEmpty)
        {
            var end = body.IndexOfAny((byte)'\r', (byte)'\n');
            var line = end < 0 ? body : body[..end];
            if (end < 0)
            {
                body = default;
            }
            else
            {
                var skip = body[end] == (byte)'\r' && end + 1 < body.Length && body[end + 1] == (byte)'\n' ? 2 : 1;
                body = body[(end + skip)..];
            }

            if (line.IsEmpty)
            {
                if (current.Lines.Count > 0)
                {
                    document.Events.Add(current);
                    current = new SseEvent();
                }
            }
            else
            {
                current.Lines.Add(line.ToArray());
            }
        }

        if (current.Lines.Count > 0)
        {
            document.Events.Add(current);
        }

        return document;
    }

    /// <summary>
    /// Writes the events back; <paramref name="newline"/> picks each line end (LF, CRLF or CR, mixed if asked), and
    /// <paramref name="trailing"/> how many of the last event's line ends stay: 2 (line end and blank line), 1 or 0.
    /// </summary>
    public byte[] ToBytes(Func<byte[]> newline, int trailing = 2)
    {
        using var output = new MemoryStream();
        for (var i = 0; i < Events.Count; i++)
        {
            var lines = Events[i].Lines;
            for (var k = 0; k < lines.Count; k++)
            {
                output.Write(lines[k]);
                if (i < Events.Count - 1 || k < lines.Count - 1 || trailing > 0)
                {
                    output.Write(newline());
                }
            }

            if (i < Events.Count - 1 || trailing > 1)
            {
                output.Write(newline());
            }
        }

        return output.ToArray();
    }
}
