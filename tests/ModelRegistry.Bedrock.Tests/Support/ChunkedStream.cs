namespace ModelRegistry.Bedrock.Tests.Support;

/// <summary>A read-only stream that hands its bytes out in given chunk sizes, as a network does.</summary>
internal sealed class ChunkedStream(byte[] data, int[] chunks) : Stream
{
    private int _position;
    private int _chunk;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => data.Length;

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position >= data.Length)
        {
            return 0;
        }

        var size = Math.Min(Math.Min(buffer.Length, chunks[Math.Min(_chunk, chunks.Length - 1)]), data.Length - _position);
        _chunk++;
        data.AsSpan(_position, size).CopyTo(buffer);
        _position += size;
        return size;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer, offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
