namespace ModelRegistry.Fuzz;

/// <summary>
/// A response body as the input says it arrives: whole, one byte per read, in odd chunks, or broken off; and, when
/// Content-Length is enforced, cut at the declared length or ended by an IOException when it declared more, as
/// SocketsHttpHandler does. Every read completes synchronously.
/// </summary>
internal sealed class FuzzBodyStream : Stream
{
    private readonly byte[] _body;
    private readonly int _end;
    private readonly bool _breaksAtEnd;
    private readonly Delivery _delivery;
    private readonly int _resetAt;
    private readonly Rng _chunks;
    private int _position;

    public FuzzBodyStream(FuzzInput input)
    {
        _body = input.Body;
        _end = _body.Length;
        if (input.EnforceLength && input.ContentLength is { } declared)
        {
            _end = (int)Math.Min(declared, _body.Length);
            _breaksAtEnd = declared > _body.Length;
        }

        _delivery = input.Delivery;
        _resetAt = input.Delivery == Delivery.Reset ? Math.Min(input.DeliveryParameter, _end) : int.MaxValue;
        _chunks = new Rng((ulong)input.DeliveryParameter);
    }

    /// <summary>
    /// The bytes the client can receive of an input's body: all of them, or up to an enforced Content-Length or a reset.
    /// A secret cut off by the server or the network arrives in part, and the client cannot know that part is secret.
    /// </summary>
    public static byte[] Delivered(FuzzInput input)
    {
        var end = input.Body.Length;
        if (input.EnforceLength && input.ContentLength is { } declared)
        {
            end = (int)Math.Min(declared, end);
        }

        if (input.Delivery == Delivery.Reset)
        {
            end = Math.Min(end, input.DeliveryParameter);
        }

        return input.Body[..end];
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        if (_position >= _resetAt)
        {
            throw new IOException($"fuzz: the connection was reset after {_position} bytes.");
        }

        if (_position >= _end)
        {
            return _breaksAtEnd
                ? throw new IOException($"fuzz: the response ended prematurely after {_position} bytes (Content-Length promised more).")
                : 0;
        }

        var count = Math.Min(buffer.Length, Math.Min(_end, _resetAt) - _position);
        count = _delivery switch
        {
            Delivery.OneByte => 1,
            Delivery.Chunks => Math.Min(count, _chunks.Next(1, 4097)),
            _ => count,
        };
        _body.AsSpan(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }

        try
        {
            return ValueTask.FromResult(Read(buffer.Span));
        }
        catch (IOException ex)
        {
            return ValueTask.FromException<int>(ex);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
