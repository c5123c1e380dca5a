using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.CompilerServices;

namespace ModelRegistry.Benchmarks.Fixtures;

/// <summary>One event-stream message as the floor decoder hands it out: slices of its buffer, valid until the next one.</summary>
internal readonly record struct FloorFrame(ReadOnlyMemory<byte> EventType, ReadOnlyMemory<byte> Payload);

/// <summary>
/// The floor decoder of <c>application/vnd.amazon.eventstream</c>: what any correct reader must do and nothing more.
/// It frames messages from a pooled buffer, checks both CRC32s (System.IO.Hashing, vectorised), walks the headers
/// for <c>:event-type</c>, and hands out the payload in place, without copying or allocating per message.
/// </summary>
internal static class FloorEventStream
{
    public static async IAsyncEnumerable<FloorFrame> ReadAsync(Stream body, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        int start = 0, end = 0;
        try
        {
            while (true)
            {
                while (end - start >= 12)
                {
                    var total = BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(start));
                    if (end - start < total)
                    {
                        break;
                    }

                    yield return Frame(buffer.AsMemory(start, total));
                    start += total;
                }

                if (start > 0)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                }

                var needed = end >= 12 ? BinaryPrimitives.ReadInt32BigEndian(buffer) : 12;
                if (needed > buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(needed);
                    Buffer.BlockCopy(buffer, 0, larger, 0, end);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await body.ReadAsync(buffer.AsMemory(end), cancellationToken);
                if (read == 0)
                {
                    if (end > 0)
                    {
                        throw new InvalidDataException("The event stream ended inside a message.");
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

    private static FloorFrame Frame(ReadOnlyMemory<byte> message)
    {
        var span = message.Span;
        var headersLength = BinaryPrimitives.ReadInt32BigEndian(span[4..]);
        if (Crc32.HashToUInt32(span[..8]) != BinaryPrimitives.ReadUInt32BigEndian(span[8..])
            || Crc32.HashToUInt32(span[..^4]) != BinaryPrimitives.ReadUInt32BigEndian(span[^4..]))
        {
            throw new InvalidDataException("An event-stream message fails its CRC.");
        }

        ReadOnlyMemory<byte> eventType = default;
        var at = 12;
        var headersEnd = 12 + headersLength;
        while (at < headersEnd)
        {
            var nameLength = span[at];
            var name = span.Slice(at + 1, nameLength);
            at += 1 + nameLength;
            var type = span[at++];
            var valueLength = type switch
            {
                0 or 1 => 0,
                2 => 1,
                3 => 2,
                4 => 4,
                5 or 8 => 8,
                9 => 16,
                6 or 7 => 2 + BinaryPrimitives.ReadUInt16BigEndian(span[at..]),
                _ => throw new InvalidDataException($"Unknown event-stream header type {type}."),
            };
            if (type == 7 && name.SequenceEqual(":event-type"u8))
            {
                eventType = message.Slice(at + 2, valueLength - 2);
            }

            at += valueLength;
        }

        return new FloorFrame(eventType, message[headersEnd..^4]);
    }
}
