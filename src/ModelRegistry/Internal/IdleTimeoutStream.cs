namespace ModelRegistry.Internal;

/// <summary>
/// A read-only view of a response body whose every read must return within the idle timeout, timed by the
/// <see cref="TimeProvider"/> (so tests drive it with a fake clock). The caller's token is linked once; a read adds no
/// allocation. A stalled read ends with <see cref="StreamIdleTimeoutException"/>.
/// </summary>
internal sealed class IdleTimeoutStream : Stream
{
    private readonly Stream _inner;
    private readonly TimeSpan _idle;
    private readonly CancellationToken _caller;
    private readonly CancellationTokenSource _cancel;
    private readonly ITimer _timer;
    private volatile bool _fired;

    public IdleTimeoutStream(Stream inner, TimeSpan idle, TimeProvider time, CancellationToken caller)
    {
        _inner = inner;
        _idle = idle;
        _caller = caller;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(caller);
        _timer = time.CreateTimer(static state => ((IdleTimeoutStream)state!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_fired)
        {
            throw Idle(null);
        }

        CancellationTokenSource? linked = null;
        var token = _cancel.Token;
        if (cancellationToken.CanBeCanceled && cancellationToken != _caller)
        {
            linked = CancellationTokenSource.CreateLinkedTokenSource(token, cancellationToken);
            token = linked.Token;
        }

        _timer.Change(_idle, Timeout.InfiniteTimeSpan);
        try
        {
            return await _inner.ReadAsync(buffer, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (_fired && !_caller.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw Idle(ex);
        }
        finally
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            linked?.Dispose();
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _timer.Dispose();
            _cancel.Dispose();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _timer.DisposeAsync().ConfigureAwait(false);
        _cancel.Dispose();
        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void Fire()
    {
        _fired = true;
        try
        {
            _cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The stream was disposed as the timer fired.
        }
    }

    private StreamIdleTimeoutException Idle(Exception? inner) =>
        new($"the stream sent nothing for {_idle.TotalMilliseconds:0} ms (resilience:stream_idle_timeout_ms)", inner!);
}
