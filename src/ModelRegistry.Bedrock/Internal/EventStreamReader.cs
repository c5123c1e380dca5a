using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace ModelRegistry.Bedrock.Internal;

/// <summary>
/// Reads <c>application/vnd.amazon.eventstream</c> messages from a response body as they arrive. A message may be split
/// across reads at any byte; each complete message is handed to <see cref="AwsSdkAdapter.DecodeEventStreamMessage"/>
/// (which checks both CRCs). A body that ends inside a message is an error, never a hang or a silent loss.
/// </summary>
internal static class EventStreamReader
{
    /// <summary>The prelude: total length, headers length, prelude CRC.</summary>
    private const int PreludeLength = 12;

    /// <summary>Prelude plus the trailing message CRC.</summary>
    private const int MinimumMessageLength = 16;

    /// <summary>The largest message the protocol allows (16 MiB); a larger length means a corrupt prelude.</summary>
    private const int MaximumMessageLength = 16 * 1024 * 1024;

    /// <summary>Reads messages until the body ends.</summary>
    /// <exception cref="InvalidDataException">The stream is corrupt or ends inside a message.</exception>
    public static async IAsyncEnumerable<EventStreamFrame> ReadAsync(Stream body, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var start = 0;
        var end = 0;
        try
        {
            while (true)
            {
                // Hand out every complete message already buffered.
                while (TryTake(buffer, ref start, end, out var message))
                {
                    yield return AwsSdkAdapter.DecodeEventStreamMessage(message);
                }

                // Move the partial message to the front, and grow the buffer for a message larger than it.
                if (start > 0)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                }

                var needed = end >= PreludeLength ? ReadTotalLength(buffer) : PreludeLength;
                if (needed > buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(needed);
                    Buffer.BlockCopy(buffer, 0, larger, 0, end);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await body.ReadAsync(buffer.AsMemory(end), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    if (end > start)
                    {
                        var expected = end - start >= PreludeLength ? ReadTotalLength(buffer.AsSpan(start)).ToString(System.Globalization.CultureInfo.InvariantCulture) : "at least 16";
                        throw new InvalidDataException(
                            $"The Bedrock event stream ended in the middle of a message: {end - start} bytes of {expected} arrived. The connection was cut short.");
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

    private static bool TryTake(byte[] buffer, ref int start, int end, out byte[] message)
    {
        message = [];
        var available = end - start;
        if (available < PreludeLength)
        {
            return false;
        }

        var total = ReadTotalLength(buffer.AsSpan(start));
        if (available < total)
        {
            return false;
        }

        // AWSSDK.Core decodes a message only at offset 0 of its own array.
        message = buffer.AsSpan(start, total).ToArray();
        start += total;
        return true;
    }

    private static int ReadTotalLength(ReadOnlySpan<byte> prelude)
    {
        var total = BinaryPrimitives.ReadUInt32BigEndian(prelude);
        var headers = BinaryPrimitives.ReadUInt32BigEndian(prelude[4..]);
        if (total < MinimumMessageLength || total > MaximumMessageLength || headers > total - MinimumMessageLength)
        {
            throw new InvalidDataException(
                $"The Bedrock event stream is corrupt: a message prelude gives a total length of {total} and a headers length of {headers} bytes.");
        }

        return (int)total;
    }
}
