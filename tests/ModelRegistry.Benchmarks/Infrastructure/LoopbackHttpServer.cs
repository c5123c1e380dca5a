using System.Buffers;
using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ModelRegistry.Benchmarks.Infrastructure;

/// <summary>
/// A deliberately small HTTP/1.1 server on 127.0.0.1 for the client-vs-SDK benchmarks: real TCP and real HTTP
/// framing, so every client pays for its own request writing and response parsing, but the server itself does
/// almost nothing: it finds the end of the request head, skips the body (Content-Length or chunked), picks a
/// pre-encoded <see cref="CannedResponse"/> by path and writes it with one send. Keep-alive, so a benchmark measures
/// calls on a warm connection, as an application does. It does not check what clients send (the test suites do).
/// </summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Func<string, CannedResponse> _route;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _requests;
    private int _connections;

    /// <param name="route">Chooses the response for a request path (with its query).</param>
    public LoopbackHttpServer(Func<string, CannedResponse> route)
    {
        _route = route;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1024); // the load benchmarks open hundreds of connections at once; a short backlog drops SYNs
        BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndPoint!).Port}/");
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>The address, e.g. <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Requests served so far.</summary>
    public int RequestCount => Volatile.Read(ref _requests);

    /// <summary>Connections accepted so far.</summary>
    public int ConnectionCount => Volatile.Read(ref _connections);

    /// <summary>The path of the last request, for the set-up checks.</summary>
    public string? LastPath { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var socket = await _listener.AcceptAsync(_stop.Token);
            socket.NoDelay = true;
            Interlocked.Increment(ref _connections);
            _ = Task.Run(() => ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var connection = new Connection(socket);
        try
        {
            while (await connection.ReadHeadAsync(_stop.Token) is { } head)
            {
                if (head.ExpectContinue)
                {
                    // Without it the client waits its Expect100ContinueTimeout (1 s) before sending the body.
                    await socket.SendAsync(Continue, SocketFlags.None, _stop.Token);
                }

                if (head.ContentLength > 0)
                {
                    await connection.SkipAsync(head.ContentLength, _stop.Token);
                }
                else if (head.Chunked)
                {
                    await connection.SkipChunkedBodyAsync(_stop.Token);
                }

                LastPath = head.Path;
                Interlocked.Increment(ref _requests);
                await socket.SendAsync(_route(head.Path).Bytes, SocketFlags.None, _stop.Token);
                if (head.Close)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The client went away, or the server is stopping.
        }
    }

    private sealed record RequestHead(string Path, long ContentLength, bool Chunked, bool Close, bool ExpectContinue);

    /// <summary>What a server answers to <c>Expect: 100-continue</c> before the body (AWSSDK.S3's PUTs ask for it).</summary>
    private static readonly byte[] Continue = "HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray();

    /// <summary>One accepted connection and its receive buffer.</summary>
    private sealed class Connection(Socket socket) : IDisposable
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        private int _start;
        private int _end;

        public async Task<RequestHead?> ReadHeadAsync(CancellationToken cancellationToken)
        {
            int length;
            while ((length = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
            {
                if (!await FillAsync(cancellationToken))
                {
                    return null;
                }
            }

            var head = Parse(_buffer.AsSpan(_start, length));
            _start += length + 4;
            return head;
        }

        public async Task SkipAsync(long count, CancellationToken cancellationToken)
        {
            while (count > 0)
            {
                if (_start == _end && !await FillAsync(cancellationToken))
                {
                    throw new IOException("The request body ended early.");
                }

                var take = (int)Math.Min(count, _end - _start);
                _start += take;
                count -= take;
            }
        }

        public async Task SkipChunkedBodyAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var line = await ReadLineAsync(cancellationToken);
                var sizeText = line.Split(';')[0].Trim();
                var size = long.Parse(sizeText, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
                if (size == 0)
                {
                    while ((await ReadLineAsync(cancellationToken)).Length > 0)
                    {
                        // Trailers.
                    }

                    return;
                }

                await SkipAsync(size + 2, cancellationToken);
            }
        }

        public void Dispose()
        {
            socket.Dispose();
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
        {
            int length;
            while ((length = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0)
            {
                if (!await FillAsync(cancellationToken))
                {
                    throw new IOException("The request ended inside a chunked body.");
                }
            }

            var line = Encoding.ASCII.GetString(_buffer, _start, length);
            _start += length + 2;
            return line;
        }

        private async Task<bool> FillAsync(CancellationToken cancellationToken)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
                Buffer.BlockCopy(_buffer, 0, larger, 0, _end);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = larger;
            }

            var read = await socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
            _end += read;
            return read > 0;
        }

        private static RequestHead Parse(ReadOnlySpan<byte> head)
        {
            var lineEnd = head.IndexOf("\r\n"u8);
            var requestLine = lineEnd < 0 ? head : head[..lineEnd];
            var firstSpace = requestLine.IndexOf((byte)' ');
            var target = requestLine[(firstSpace + 1)..];
            var path = Encoding.ASCII.GetString(target[..target.IndexOf((byte)' ')]);

            long contentLength = 0;
            bool chunked = false, close = false, expectContinue = false;
            var rest = lineEnd < 0 ? [] : head[(lineEnd + 2)..];
            while (!rest.IsEmpty)
            {
                var end = rest.IndexOf("\r\n"u8);
                var line = end < 0 ? rest : rest[..end];
                rest = end < 0 ? [] : rest[(end + 2)..];
                var colon = line.IndexOf((byte)':');
                if (colon <= 0)
                {
                    continue;
                }

                var name = line[..colon];
                var value = line[(colon + 1)..].Trim((byte)' ');
                if (Ascii.EqualsIgnoreCase(name, "content-length"u8))
                {
                    Utf8Parser.TryParse(value, out contentLength, out _);
                }
                else if (Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8))
                {
                    chunked = value.IndexOf("chunked"u8) >= 0;
                }
                else if (Ascii.EqualsIgnoreCase(name, "connection"u8))
                {
                    close = Ascii.EqualsIgnoreCase(value, "close"u8);
                }
                else if (Ascii.EqualsIgnoreCase(name, "expect"u8))
                {
                    expectContinue = Ascii.EqualsIgnoreCase(value, "100-continue"u8);
                }
            }

            return new RequestHead(path, contentLength, chunked, close, expectContinue);
        }
    }
}
