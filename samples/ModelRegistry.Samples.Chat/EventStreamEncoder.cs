using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using System.Text.Json.Nodes;

namespace ModelRegistry.Testing;

/// <summary>
/// Encodes <c>application/vnd.amazon.eventstream</c> messages, the body of Bedrock's ConverseStream, from the framing
/// spec: a 12-byte prelude (total length, headers length, CRC32 of those 8 bytes), string headers, the payload, and the
/// CRC32 of everything before it. Written apart from the provider's decoder, so streams built with it test that decoder.
/// </summary>
/// <remarks>
/// The repository's one event-stream encoder: the chat sample's offline demo streams with it, and the test kit
/// (tests/ModelRegistry.Testing) compiles this same file, which is why it lives in the kit's namespace.
/// </remarks>
public static class EventStreamEncoder
{
    private const byte StringHeader = 7;

    /// <summary>One message with string headers and a payload.</summary>
    /// <param name="headers">The headers, in order; a name is at most 255 UTF-8 bytes, a value at most 65,535.</param>
    /// <param name="payload">The payload, sent as is.</param>
    /// <returns>The message, both CRCs set.</returns>
    public static byte[] Message(IEnumerable<(string Name, string Value)> headers, byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(payload);
        using var headerBytes = new MemoryStream();
        Span<byte> length = stackalloc byte[2];
        foreach (var (name, value) in headers)
        {
            var nameBytes = Encoding.UTF8.GetBytes(name);
            var valueBytes = Encoding.UTF8.GetBytes(value);
            if (nameBytes.Length is 0 or > byte.MaxValue || valueBytes.Length > ushort.MaxValue)
            {
                throw new ArgumentException(
                    $"Header '{name}' does not fit an event-stream string header: its name takes {nameBytes.Length} UTF-8 bytes (1 to 255 allowed), its value {valueBytes.Length} (up to 65,535).",
                    nameof(headers));
            }

            headerBytes.WriteByte((byte)nameBytes.Length);
            headerBytes.Write(nameBytes);
            headerBytes.WriteByte(StringHeader);
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
        headerBytes.GetBuffer().AsSpan(0, headersLength).CopyTo(message.AsSpan(12));
        payload.CopyTo(message.AsSpan(12 + headersLength));
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(total - 4), Crc32.HashToUInt32(message.AsSpan(0, total - 4)));
        return message;
    }

    /// <summary>
    /// A ConverseStream event (<c>:event-type</c>, <c>:content-type application/json</c>, <c>:message-type event</c>)
    /// whose JSON object gets a <c>"p"</c> padding member, as Bedrock pads every event.
    /// </summary>
    /// <param name="eventType">The event type, e.g. <c>contentBlockDelta</c>.</param>
    /// <param name="json">The event's JSON object.</param>
    /// <returns>The message.</returns>
    public static byte[] Event(string eventType, string json) =>
        Message([(":event-type", eventType), (":content-type", "application/json"), (":message-type", "event")], Pad(json));

    /// <summary>A stream exception (<c>:message-type exception</c>) with a JSON <c>message</c>.</summary>
    /// <param name="exceptionType">The exception type, e.g. <c>throttlingException</c>.</param>
    /// <param name="message">The exception's message.</param>
    /// <returns>The message.</returns>
    public static byte[] Exception(string exceptionType, string message) =>
        Message([(":exception-type", exceptionType), (":content-type", "application/json"), (":message-type", "exception")],
            Encoding.UTF8.GetBytes(new JsonObject { ["message"] = message }.ToJsonString()));

    /// <summary>
    /// A copy of a message changed by <paramref name="change"/> (a header, a length), with both CRCs computed again, so a
    /// decoder gets past the checksums and meets the broken structure itself.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <param name="change">Changes the copy's bytes.</param>
    /// <returns>The changed message with valid CRCs.</returns>
    public static byte[] Changed(byte[] message, Action<byte[]> change)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(change);
        var copy = (byte[])message.Clone();
        change(copy);
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(8), Crc32.HashToUInt32(copy.AsSpan(0, 8)));
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(copy.Length - 4), Crc32.HashToUInt32(copy.AsSpan(0, copy.Length - 4)));
        return copy;
    }

    /// <summary>Concatenates messages into one body.</summary>
    /// <param name="messages">The messages, in order.</param>
    /// <returns>The body.</returns>
    public static byte[] Body(params byte[][] messages) => [.. messages.SelectMany(m => m)];

    private static byte[] Pad(string json)
    {
        var node = JsonNode.Parse(json)?.AsObject() ?? throw new ArgumentException("An event's payload is a JSON object.", nameof(json));
        node["p"] = "abcdefghijklmnopqrstuvwxyz";
        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }
}
