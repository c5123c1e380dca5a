using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace ModelRegistry.Bedrock.Internal;

/// <summary>
/// One event-stream message read in place by <see cref="EventStreamReader"/>: slices of the reader's buffer, valid only
/// until the reader moves to the next message. Its CRCs and header layout were checked when it was read. The
/// <c>:message-type</c> and <c>:event-type</c> headers come as strings (the known values without allocating); any other
/// header is read on demand with <see cref="Header"/>.
/// </summary>
internal readonly struct EventStreamFrame
{
    private static readonly long MinMilliseconds = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly long MaxMilliseconds = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    private readonly ReadOnlyMemory<byte> _message;
    private readonly int _headersEnd;

    /// <summary>Creates a frame over a whole checked message whose headers end at <paramref name="headersEnd"/>.</summary>
    public EventStreamFrame(ReadOnlyMemory<byte> message, int headersEnd, string? messageType, string? eventType)
    {
        _message = message;
        _headersEnd = headersEnd;
        MessageType = messageType;
        EventType = eventType;
    }

    /// <summary>The <c>:message-type</c> header (<c>event</c>, <c>exception</c>, <c>error</c>), or <see langword="null"/>.</summary>
    public string? MessageType { get; }

    /// <summary>The <c>:event-type</c> header, or <see langword="null"/>.</summary>
    public string? EventType { get; }

    /// <summary>The payload, valid until the reader moves on.</summary>
    public ReadOnlyMemory<byte> Payload => _message[_headersEnd..^4];

    /// <summary>
    /// A header's value as text (non-string values as their invariant text, byte buffers as base64), or
    /// <see langword="null"/> when the message has no such header. Allocates; for the rare headers (error codes, tests).
    /// </summary>
    public string? Header(string name)
    {
        var span = _message.Span;
        var at = EventStreamReader.PreludeLength;
        while (at < _headersEnd)
        {
            var nameLength = span[at];
            var isMatch = Encoding.UTF8.GetString(span.Slice(at + 1, nameLength)) == name;
            at += 1 + nameLength;
            var type = span[at++];
            var length = EventStreamReader.HeaderValueLength(type, span[at..]);
            if (isMatch)
            {
                return Text(type, span.Slice(at, length));
            }

            at += length;
        }

        return null;
    }

    private static string Text(byte type, ReadOnlySpan<byte> value) => type switch
    {
        0 => "true",
        1 => "false",
        2 => ((sbyte)value[0]).ToString(CultureInfo.InvariantCulture),
        3 => BinaryPrimitives.ReadInt16BigEndian(value).ToString(CultureInfo.InvariantCulture),
        4 => BinaryPrimitives.ReadInt32BigEndian(value).ToString(CultureInfo.InvariantCulture),
        5 => BinaryPrimitives.ReadInt64BigEndian(value).ToString(CultureInfo.InvariantCulture),
        6 => Convert.ToBase64String(value[2..]),
        7 => Encoding.UTF8.GetString(value[2..]),
        8 => Timestamp(BinaryPrimitives.ReadInt64BigEndian(value)),
        _ => new Guid(value).ToString(), // byte order as AWSSDK.Core writes and reads it
    };

    /// <summary>A timestamp header (milliseconds since the epoch) as ISO 8601, or its number when no date can hold it.</summary>
    private static string Timestamp(long milliseconds) =>
        milliseconds >= MinMilliseconds && milliseconds <= MaxMilliseconds
            ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds).UtcDateTime.ToString("O", CultureInfo.InvariantCulture)
            : milliseconds.ToString(CultureInfo.InvariantCulture);
}
