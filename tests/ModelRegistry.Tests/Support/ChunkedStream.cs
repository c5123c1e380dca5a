namespace ModelRegistry.Tests.Support;

/// <summary>A read-only stream that returns the given chunks, one per read (never more than the caller's buffer), then ends; or, with a filler, never ends.</summary>
internal sealed class ChunkedStream : Stream
{
    private readonly Queue<byte[]> _chunks;
    private readonly byte? _filler;
    private byte[] _current = [];
    private int _offset;

    public ChunkedStream(IEnumerable<byte[]> chunks, byte? endlessFiller = null)
    {
        _chunks = new Queue<byte[]>(chunks);
        _filler = endlessFiller;
    }

    /// <summary>Bytes handed out so far.</summary>
    public long Served { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_offset == _current.Length)
        {
            if (_chunks.Count > 0)
            {
                (_current, _offset) = (_chunks.Dequeue(), 0);
            }
            else if (_filler is { } filler)
            {
                buffer.Fill(filler);
                Served += buffer.Length;
                return buffer.Length;
            }
            else
            {
                return 0;
            }
        }

        var n = Math.Min(buffer.Length, _current.Length - _offset);
        _current.AsSpan(_offset, n).CopyTo(buffer);
        _offset += n;
        Served += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
