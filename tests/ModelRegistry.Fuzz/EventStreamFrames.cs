using System.Buffers.Binary;
using System.IO.Hashing;

namespace ModelRegistry.Fuzz;

/// <summary>One event-stream header: name, type byte and raw value bytes (after the type; length prefixes included for types 6 and 7).</summary>
internal sealed record EventStreamHeader(byte[] Name, byte Type, byte[] Value);

/// <summary>One <c>application/vnd.amazon.eventstream</c> message: prelude, headers, payload, CRCs.</summary>
internal sealed class EventStreamFrame
{
    public List<EventStreamHeader> Headers { get; init; } = [];

    public byte[] Payload { get; set; } = [];

    /// <summary>Encodes the frame with correct lengths and CRCs.</summary>
    public byte[] Encode()
    {
        using var headers = new MemoryStream();
        foreach (var header in Headers)
        {
            headers.WriteByte((byte)header.Name.Length);
            headers.Write(header.Name);
            headers.WriteByte(header.Type);
            headers.Write(header.Value);
        }

        var headerLength = (int)headers.Length;
        var total = 12 + headerLength + Payload.Length + 4;
        var message = new byte[total];
        BinaryPrimitives.WriteUInt32BigEndian(message, (uint)total);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), (uint)headerLength);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(8), Crc32.HashToUInt32(message.AsSpan(0, 8)));
        headers.GetBuffer().AsSpan(0, headerLength).CopyTo(message.AsSpan(12));
        Payload.CopyTo(message.AsSpan(12 + headerLength));
        FixCrcs(message);
        return message;
    }

    /// <summary>Recomputes both CRCs of an encoded message in place, from whatever its bytes now say.</summary>
    public static void FixCrcs(byte[] message)
    {
        if (message.Length < 16)
        {
            return;
        }

        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(8), Crc32.HashToUInt32(message.AsSpan(0, 8)));
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(message.Length - 4), Crc32.HashToUInt32(message.AsSpan(0, message.Length - 4)));
    }
}

/// <summary>An event-stream body split into its messages (as far as the framing holds), to mutate and re-encode.</summary>
internal sealed class EventStreamFrames
{
    public List<EventStreamFrame> Frames { get; } = [];

    /// <summary>The encoded messages, as they were in the body.</summary>
    public List<byte[]> Raw { get; } = [];

    /// <summary>Bytes after the last whole message.</summary>
    public byte[] Rest { get; private set; } = [];

    public static EventStreamFrames Parse(ReadOnlySpan<byte> body)
    {
        var result = new EventStreamFrames();
        while (body.Length >= 16)
        {
            var total = BinaryPrimitives.ReadUInt32BigEndian(body);
            var headerLength = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
            if (total < 16 || total > body.Length || headerLength > total - 16)
            {
                break;
            }

            var message = body[..(int)total];
            var frame = new EventStreamFrame { Payload = message[(12 + (int)headerLength)..^4].ToArray() };
            if (!ReadHeaders(message.Slice(12, (int)headerLength), frame.Headers))
            {
                break;
            }

            result.Frames.Add(frame);
            result.Raw.Add(message.ToArray());
            body = body[(int)total..];
        }

        result.Rest = body.ToArray();
        return result;
    }

    private static bool ReadHeaders(ReadOnlySpan<byte> headers, List<EventStreamHeader> into)
    {
        while (!headers.IsEmpty)
        {
            var nameLength = headers[0];
            if (headers.Length < 2 + nameLength)
            {
                return false;
            }

            var name = headers.Slice(1, nameLength).ToArray();
            var type = headers[1 + nameLength];
            headers = headers[(2 + nameLength)..];
            int valueLength = type switch
            {
                0 or 1 => 0,
                2 => 1,
                3 => 2,
                4 => 4,
                5 or 8 => 8,
                9 => 16,
                6 or 7 when headers.Length >= 2 => 2 + BinaryPrimitives.ReadUInt16BigEndian(headers),
                _ => -1,
            };
            if (valueLength < 0 || valueLength > headers.Length)
            {
                return false;
            }

            into.Add(new(name, type, headers[..valueLength].ToArray()));
            headers = headers[valueLength..];
        }

        return true;
    }
}
