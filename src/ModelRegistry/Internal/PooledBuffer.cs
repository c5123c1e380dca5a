using System.Buffers;
using System.Runtime.CompilerServices;

namespace ModelRegistry.Internal;

/// <summary>Bytes in an array rented from the shared pool; <see cref="Dispose"/> returns it. Copy semantics: dispose one copy only.</summary>
internal struct PooledBuffer : IDisposable
{
    private byte[]? _array;
    private int _length;

    public PooledBuffer(byte[] array, int length)
    {
        _array = array;
        _length = length;
    }

    public readonly ReadOnlyMemory<byte> Memory => _array is null ? ReadOnlyMemory<byte>.Empty : _array.AsMemory(0, _length);

    public void Dispose()
    {
        var array = _array;
        _array = null;
        _length = 0;
        if (array is not null)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    /// <summary>
    /// Reads a body to its end into a pooled buffer that grows as bytes arrive (never to what the server declares), and
    /// fails once it would pass <paramref name="limit"/>, before reading further.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<PooledBuffer> ReadAsync(Stream body, long? declaredLength, long limit, CancellationToken cancellationToken)
    {
        if (declaredLength > limit)
        {
            throw new ResponseTooLargeException($"the response declares {declaredLength} bytes, more than the limit of {limit} bytes (resilience:max_response_bytes)");
        }

        var initial = (int)Math.Clamp(declaredLength ?? 16 * 1024, 256, Math.Min(limit, 1024 * 1024));
        var buffer = ArrayPool<byte>.Shared.Rent(initial);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == limit)
                {
                    // The limit is reached: the body may end here, but one more byte passes it.
                    var probe = new byte[1];
                    if (await body.ReadAsync(probe, cancellationToken).ConfigureAwait(false) == 0)
                    {
                        break;
                    }

                    throw new ResponseTooLargeException($"the response is larger than the limit of {limit} bytes (resilience:max_response_bytes)");
                }

                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(limit, (long)buffer.Length * 2));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                // The pool may hand out more than was asked: never read past the limit into it.
                var room = (int)Math.Min(buffer.Length - length, limit - length);
                var read = await body.ReadAsync(buffer.AsMemory(length, room), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            return new PooledBuffer(buffer, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}
