using System.Buffers.Binary;
using System.Text;

namespace ModelRegistry.Samples.Chat;

/// <summary>
/// Writes AWS event-stream frames (the body of Bedrock's ConverseStream): prelude (total and header lengths, CRC32),
/// string headers, the JSON payload, and the frame's CRC32.
/// </summary>
internal static class EventStreamWriter
{
    private static readonly uint[] Table = BuildTable();

    public static byte[] Event(string eventType, string json)
    {
        var headers = new MemoryStream();
        foreach (var (name, value) in new[] { (":event-type", eventType), (":content-type", "application/json"), (":message-type", "event") })
        {
            var nameBytes = Encoding.UTF8.GetBytes(name);
            var valueBytes = Encoding.UTF8.GetBytes(value);
            headers.WriteByte((byte)nameBytes.Length);
            headers.Write(nameBytes);
            headers.WriteByte(7); // string
            headers.WriteByte((byte)(valueBytes.Length >> 8));
            headers.WriteByte((byte)valueBytes.Length);
            headers.Write(valueBytes);
        }

        var payload = Encoding.UTF8.GetBytes(json);
        var total = 12 + (int)headers.Length + payload.Length + 4;
        var frame = new byte[total];
        BinaryPrimitives.WriteInt32BigEndian(frame, total);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(4), (int)headers.Length);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(8), Crc32(frame.AsSpan(0, 8)));
        headers.ToArray().CopyTo(frame, 12);
        payload.CopyTo(frame, 12 + (int)headers.Length);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(total - 4), Crc32(frame.AsSpan(0, total - 4)));
        return frame;
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (var i = 0u; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
