using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Text;
using ModelRegistry.Providers;

namespace ModelRegistry.Bedrock.Internal;

/// <summary>
/// Reads <c>application/vnd.amazon.eventstream</c> messages from a stream as they arrive, in place: a message may be split
/// across reads at any byte; each complete message has its prelude CRC32 and message CRC32 checked and its headers walked
/// where it lies in a pooled buffer, and is handed out as an <see cref="EventStreamFrame"/> of slices of that buffer, valid
/// until the next message is asked for (nothing is copied or allocated per message). Each message is bounded by
/// <see cref="ProviderStream.MaxEventBytes"/> and the protocol's 16 MiB, and the buffer grows with the bytes that arrive (never beyond what the prelude declares, nor ahead of the bytes
/// themselves: a prelude's claim alone allocates nothing). It throws only
/// <see cref="InvalidDataException"/> (corrupt framing), <see cref="EndOfStreamException"/> (the body ends inside a
/// message) and the stream's <see cref="ProviderStream.EventTooLarge"/>.
/// </summary>
internal static class EventStreamReader
{
    /// <summary>The prelude: total length, headers length, prelude CRC.</summary>
    public const int PreludeLength = 12;

    /// <summary>Prelude plus the trailing message CRC.</summary>
    private const int MinimumMessageLength = 16;

    /// <summary>The largest message the protocol allows (16 MiB).</summary>
    private const int ProtocolLimit = 16 * 1024 * 1024;

    /// <summary>The header value type of strings.</summary>
    private const byte StringType = 7;

    /// <summary>The header values the client reads on every message, as constant strings: no allocation for them.</summary>
    private static readonly string[] KnownValues =
    [
        "event", "exception", "error", "messageStart", "contentBlockStart", "contentBlockDelta", "contentBlockStop", "messageStop", "metadata",
        "initial-response",
    ];

    private static readonly byte[][] KnownBytes = [.. KnownValues.Select(Encoding.UTF8.GetBytes)];

    /// <summary>Reads messages until the body ends.</summary>
    public static async IAsyncEnumerable<EventStreamFrame> ReadAsync(ProviderStream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var limit = (int)Math.Min(stream.MaxEventBytes, ProtocolLimit);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(16 * 1024, limit));
        var start = 0;
        var end = 0;
        try
        {
            while (true)
            {
                // Hand out every complete message already buffered.
                while (end - start >= PreludeLength)
                {
                    var total = TotalLength(buffer.AsSpan(start), stream, limit);
                    if (end - start < total)
                    {
                        break;
                    }

                    var frame = Frame(buffer.AsMemory(start, total));
                    start += total;
                    yield return frame;
                }

                // Move the partial message to the front; grow the buffer for a message larger than it only once the buffer
                // is full, doubling up to the declared length, so a prelude that claims more than arrives takes no more.
                if (start > 0)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                }

                var needed = end >= PreludeLength ? TotalLength(buffer, stream, limit) : PreludeLength;
                if (end == buffer.Length && needed > buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(needed, 2L * buffer.Length));
                    Buffer.BlockCopy(buffer, 0, larger, 0, end);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await stream.Body.ReadAsync(buffer.AsMemory(end), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    if (end > 0)
                    {
                        var expected = end >= PreludeLength ? TotalLength(buffer, stream, limit).ToString(CultureInfo.InvariantCulture) : "at least 16";
                        throw new EndOfStreamException($"the Bedrock event stream ended in the middle of a message: {end} bytes of {expected} arrived.");
                    }

                    yield break;
                }

                end += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads and checks a prelude's lengths: the total within the bounds, the headers within the total.</summary>
    private static int TotalLength(ReadOnlySpan<byte> prelude, ProviderStream stream, int limit)
    {
        var total = BinaryPrimitives.ReadUInt32BigEndian(prelude);
        var headers = BinaryPrimitives.ReadUInt32BigEndian(prelude[4..]);
        if (total < MinimumMessageLength || total > ProtocolLimit || headers > total - MinimumMessageLength)
        {
            throw new InvalidDataException(
                $"The Bedrock event stream is corrupt: a message prelude gives a total length of {total} and a headers length of {headers} bytes.");
        }

        if (total > limit)
        {
            throw stream.EventTooLarge("An event-stream message", total);
        }

        return (int)total;
    }

    /// <summary>
    /// Checks one whole message (both CRC32s, then every header's layout) and reads its <c>:message-type</c> and
    /// <c>:event-type</c>, leaving the payload where it is.
    /// </summary>
    /// <exception cref="InvalidDataException">A checksum or a header is wrong.</exception>
    internal static EventStreamFrame Frame(ReadOnlyMemory<byte> message)
    {
        var span = message.Span;
        if (Crc32.HashToUInt32(span[..8]) != BinaryPrimitives.ReadUInt32BigEndian(span[8..]))
        {
            throw new InvalidDataException($"The Bedrock event stream is corrupt: a message of {span.Length} bytes failed its prelude CRC32 check.");
        }

        if (Crc32.HashToUInt32(span[..^4]) != BinaryPrimitives.ReadUInt32BigEndian(span[^4..]))
        {
            throw new InvalidDataException($"The Bedrock event stream is corrupt: a message of {span.Length} bytes failed its message CRC32 check.");
        }

        var headersEnd = PreludeLength + (int)BinaryPrimitives.ReadUInt32BigEndian(span[4..]);
        var headers = span[..headersEnd];
        string? messageType = null, eventType = null;
        var at = PreludeLength;
        while (at < headersEnd)
        {
            var nameLength = headers[at];
            if (at + 1 + nameLength + 1 > headersEnd)
            {
                throw CorruptHeader("a header name runs past the headers");
            }

            var name = headers.Slice(at + 1, nameLength);
            at += 1 + nameLength;
            var type = headers[at++];
            var length = HeaderValueLength(type, headers[at..]);
            if (at + length > headersEnd)
            {
                throw CorruptHeader("a header value runs past the headers");
            }

            if (type == StringType)
            {
                var value = headers.Slice(at + 2, length - 2);
                if (name.SequenceEqual(":event-type"u8))
                {
                    eventType = Known(value);
                }
                else if (name.SequenceEqual(":message-type"u8))
                {
                    messageType = Known(value);
                }
            }

            at += length;
        }

        return new EventStreamFrame(message, headersEnd, messageType, eventType);
    }

    /// <summary>
    /// The length of a header value of this type, with its 2-byte length prefix for byte buffers and strings.
    /// </summary>
    /// <param name="type">The header value type.</param>
    /// <param name="value">The bytes from the value on (to the end of the headers).</param>
    /// <exception cref="InvalidDataException">The type is unknown or a length prefix runs past the headers.</exception>
    internal static int HeaderValueLength(byte type, ReadOnlySpan<byte> value) => type switch
    {
        0 or 1 => 0,
        2 => 1,
        3 => 2,
        4 => 4,
        5 or 8 => 8,
        9 => 16,
        6 or StringType when value.Length >= 2 => 2 + BinaryPrimitives.ReadUInt16BigEndian(value),
        6 or StringType => throw CorruptHeader("a header value length runs past the headers"),
        _ => throw CorruptHeader($"a header has the unknown value type {type} (the protocol has 0 to 9)"),
    };

    private static string Known(ReadOnlySpan<byte> value)
    {
        for (var i = 0; i < KnownBytes.Length; i++)
        {
            if (value.SequenceEqual(KnownBytes[i]))
            {
                return KnownValues[i];
            }
        }

        return Encoding.UTF8.GetString(value);
    }

    private static InvalidDataException CorruptHeader(string what) => new($"The Bedrock event stream is corrupt: {what}.");
}
