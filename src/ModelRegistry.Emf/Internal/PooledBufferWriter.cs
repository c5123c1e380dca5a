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

    /// <summary>Returns the rented array to the pool and forgets what was written.</summary>
    public void Release()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = [];
        _written = 0;
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
