using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using System.Text.Json.Nodes;

namespace ModelRegistry.Bedrock.Tests.Support;

/// <summary>
/// Our own encoder of <c>application/vnd.amazon.eventstream</c> messages, written from the framing spec (12-byte
/// prelude with CRC32, string headers, payload, message CRC32), to build stream fixtures independently of the decoder.
/// </summary>
internal static class EventStreamEncoder
{
    /// <summary>One message with string headers.</summary>
    public static byte[] Message(IEnumerable<(string Name, string Value)> headers, byte[] payload)
    {
        using var headerBytes = new MemoryStream();
        foreach (var (name, value) in headers)
        {
            var nameBytes = Encoding.UTF8.GetBytes(name);
            var valueBytes = Encoding.UTF8.GetBytes(value);
            headerBytes.WriteByte((byte)nameBytes.Length);
            headerBytes.Write(nameBytes);
            headerBytes.WriteByte(7); // string
            var length = new byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)valueBytes.Length);
            headerBytes.Write(length);
            headerBytes.Write(valueBytes);
        }

        var headersLength = (int)headerBytes.Length;
        var total = 12 + headersLength + payload.Length + 4;
        var message = new byte[total];
        BinaryPrimitives.WriteUInt32BigEndian(message, (uint)total);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), (uint)headersLength);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(8), Crc32.HashToUInt32(message.AsSpan(0, 8)));
        headerBytes.ToArray().CopyTo(message, 12);
        payload.CopyTo(message, 12 + headersLength);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(total - 4), Crc32.HashToUInt32(message.AsSpan(0, total - 4)));
        return message;
    }

    /// <summary>A ConverseStream event (<c>:message-type event</c>) with a JSON payload, padded like Bedrock's ("p").</summary>
    public static byte[] Event(string eventType, string json) =>
        Message([(":event-type", eventType), (":content-type", "application/json"), (":message-type", "event")], Pad(json));

    /// <summary>A stream exception event.</summary>
    public static byte[] Exception(string exceptionType, string message) =>
        Message([(":exception-type", exceptionType), (":content-type", "application/json"), (":message-type", "exception")],
            Encoding.UTF8.GetBytes(new JsonObject { ["message"] = message }.ToJsonString()));

    /// <summary>A copy of a message changed by <paramref name="change"/>, with both CRCs computed anew so only the change is wrong.</summary>
    public static byte[] Changed(byte[] message, Action<byte[]> change)
    {
        var copy = (byte[])message.Clone();
        change(copy);
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(8), Crc32.HashToUInt32(copy.AsSpan(0, 8)));
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(copy.Length - 4), Crc32.HashToUInt32(copy.AsSpan(0, copy.Length - 4)));
        return copy;
    }

    /// <summary>Concatenates messages into one body.</summary>
    public static byte[] Body(params byte[][] messages) => [.. messages.SelectMany(m => m)];

    private static byte[] Pad(string json)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        node["p"] = "abcdefghijklmnopqrstuvwxyz";
        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }
}
