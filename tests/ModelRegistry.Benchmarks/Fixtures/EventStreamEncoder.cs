using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace ModelRegistry.Benchmarks.Fixtures;

/// <summary>
/// Encodes <c>application/vnd.amazon.eventstream</c> messages from the framing spec: prelude (total length, headers
/// length, CRC32 of those 8 bytes), string headers (type 7), payload, CRC32 of everything before it.
/// </summary>
internal static class EventStreamEncoder
{
    private const byte StringHeader = 7;

    /// <summary>An event message: <c>:event-type</c>, <c>:content-type application/json</c>, <c>:message-type event</c>.</summary>
    public static byte[] Event(string eventType, byte[] jsonPayload)
    {
        using var headers = new MemoryStream();
        WriteHeader(headers, ":event-type", eventType);
        WriteHeader(headers, ":content-type", "application/json");
        WriteHeader(headers, ":message-type", "event");

        var total = 12 + (int)headers.Length + jsonPayload.Length + 4;
        var message = new byte[total];
        BinaryPrimitives.WriteInt32BigEndian(message, total);
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(4), (int)headers.Length);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(8), Crc32.HashToUInt32(message.AsSpan(0, 8)));
        headers.GetBuffer().AsSpan(0, (int)headers.Length).CopyTo(message.AsSpan(12));
        jsonPayload.CopyTo(message.AsSpan(12 + (int)headers.Length));
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(total - 4), Crc32.HashToUInt32(message.AsSpan(0, total - 4)));
        return message;
    }

    private static void WriteHeader(Stream to, string name, string value)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var valueBytes = Encoding.UTF8.GetBytes(value);
        to.WriteByte((byte)nameBytes.Length);
        to.Write(nameBytes);
        to.WriteByte(StringHeader);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)valueBytes.Length);
        to.Write(length);
        to.Write(valueBytes);
    }
}
