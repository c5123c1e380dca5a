using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using ModelRegistry.Providers;

namespace ModelRegistry.Bedrock.Internal;

/// <summary>
/// Reads <c>application/vnd.amazon.eventstream</c> messages from a stream as they arrive. A message may be split across
/// reads at any byte; each complete message is handed to <see cref="AwsSdkAdapter.DecodeEventStreamMessage"/> (which
/// checks both CRCs). Each message is bounded by <see cref="ProviderStream.MaxEventBytes"/> and the protocol's 16 MiB,
/// and the buffer grows with the bytes that arrive (never beyond what the prelude declares, nor ahead of the bytes
/// themselves: a prelude's claim alone allocates nothing). It throws only
/// <see cref="InvalidDataException"/> (corrupt framing), <see cref="EndOfStreamException"/> (the body ends inside a
/// message) and the stream's <see cref="ProviderStream.EventTooLarge"/>.
/// </summary>
internal static class EventStreamReader
{
    /// <summary>The prelude: total length, headers length, prelude CRC.</summary>
    private const int PreludeLength = 12;

    /// <summary>Prelude plus the trailing message CRC.</summary>
    private const int MinimumMessageLength = 16;

    /// <summary>The largest message the protocol allows (16 MiB).</summary>
    private const int ProtocolLimit = 16 * 1024 * 1024;

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

                    // AWSSDK.Core decodes a message only at offset 0 of its own array.
                    var message = buffer.AsSpan(start, total).ToArray();
                    start += total;
                    yield return AwsSdkAdapter.DecodeEventStreamMessage(message);
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
}
