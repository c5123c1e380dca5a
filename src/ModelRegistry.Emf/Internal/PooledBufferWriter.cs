using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace ModelRegistry.Emf.Internal;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over arrays rented from <see cref="ArrayPool{T}.Shared"/>; <see cref="Release"/>
/// returns them. It also writes the JSON pieces of an EMF line directly, byte-for-byte as <see cref="Utf8JsonWriter"/>
/// writes them with the EMF encoder.
/// </summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>
{
    private const int MinimumSize = 2048;
    private const int KeptSize = 4096;
    private byte[] _buffer = [];
    private int _written;

    public int WrittenCount => _written;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _written);
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        _written += bytes.Length;
    }

    /// <summary>Writes already-escaped UTF-8 between quotes.</summary>
    public void Write(ReadOnlySpan<byte> escaped, bool quoted)
    {
        if (!quoted)
        {
            Write(escaped);
            return;
        }

        var span = GetSpan(escaped.Length + 2);
        span[0] = (byte)'"';
        escaped.CopyTo(span[1..]);
        span[escaped.Length + 1] = (byte)'"';
        _written += escaped.Length + 2;
    }

    public void WriteNumber(long value)
    {
        Utf8Formatter.TryFormat(value, GetSpan(20), out var written);
        _written += written;
    }

    /// <summary>A finite double, formatted as <see cref="Utf8JsonWriter"/> formats it (shortest round-trip form).</summary>
    public void WriteNumber(double value)
    {
        // Durations are rounded to the microsecond: such a value is the double nearest to n / 1000, whose shortest
        // round-trip form is that decimal (up to 15 digits no other decimal as short reads back as the same double),
        // written here from the integer n several times faster than the general double formatting.
        var thousandths = Math.Round(value * 1000);
        if (value != 0 && thousandths / 1000 == value && Math.Abs(thousandths) < 1e15)
        {
            WriteThousandths((long)thousandths);
            return;
        }

        Utf8Formatter.TryFormat(value, GetSpan(128), out var written);
        _written += written;
    }

    /// <summary>
    /// A JSON string: transcoded straight into the buffer when the EMF encoder leaves every character as it is (the
    /// usual case: ids, model names, finish reasons), else escaped by <see cref="JsonEncodedText"/>, as the writer does.
    /// </summary>
    public void WriteString(ReadOnlySpan<char> value)
    {
        var span = GetSpan((value.Length * 3) + 2);
        if (Utf8.FromUtf16(value, span[1..], out _, out var length, replaceInvalidSequences: false) == OperationStatus.Done
            && EmfNames.Encoder.FindFirstCharacterToEncodeUtf8(span.Slice(1, length)) < 0)
        {
            span[0] = (byte)'"';
            span[length + 1] = (byte)'"';
            _written += length + 2;
            return;
        }

        Write(JsonEncodedText.Encode(value, EmfNames.Encoder).EncodedUtf8Bytes, quoted: true);
    }

    /// <summary>
    /// Forgets what was written. The thread's buffer keeps an array of the usual line size for its next line (renting
    /// and returning it on every line cost more than the rest of the buffer work); a larger one goes back to the pool.
    /// </summary>
    public void Release()
    {
        if (_buffer.Length > KeptSize)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }

        _written = 0;
    }

    /// <summary>Writes <paramref name="thousandths"/> / 1000 as a decimal without trailing zeros (<c>12.5</c>, <c>0.003</c>, <c>7</c>).</summary>
    private void WriteThousandths(long thousandths)
    {
        var span = GetSpan(24);
        var length = 0;
        if (thousandths < 0)
        {
            span[length++] = (byte)'-';
            thousandths = -thousandths;
        }

        var fraction = (int)(thousandths % 1000);
        Utf8Formatter.TryFormat(thousandths / 1000, span[length..], out var written);
        length += written;
        if (fraction != 0)
        {
            span[length++] = (byte)'.';
            var divisor = 100;
            while (fraction != 0)
            {
                span[length++] = (byte)('0' + (fraction / divisor));
                fraction %= divisor;
                divisor /= 10;
            }
        }

        _written += length;
    }

    private void Ensure(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= needed)
        {
            return;
        }

        var next = ArrayPool<byte>.Shared.Rent(Math.Max(Math.Max(_buffer.Length * 2, MinimumSize), _written + needed));
        _buffer.AsSpan(0, _written).CopyTo(next);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = next;
    }
}
