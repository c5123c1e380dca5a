using System.Buffers;
using System.Text;

namespace ModelRegistry.Providers;

/// <summary>
/// Reads a <c>text/event-stream</c> body event by event, without allocating per line: bytes are read into a pooled
/// buffer, lines are found in place, and an event's <c>data</c> lines are gathered into one reused buffer. Handles LF,
/// CRLF and CR line ends (also split across reads), comments, <c>event:</c> names and multi-line data. A line or an
/// event's data longer than <see cref="ProviderStream.MaxEventBytes"/> fails with <see cref="ProviderStream.EventTooLarge"/>
/// before more is buffered.
/// </summary>
public sealed class ServerSentEventReader : IDisposable
{
    private const int InitialBufferSize = 16 * 1024;

    private readonly ProviderStream _stream;
    private readonly ArrayBufferWriter<byte> _data = new(4 * 1024);
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
    private int _start;
    private int _end;
    private int _scanned;
    private bool _skipLineFeed;
    private bool _eof;
    private bool _hasData;
    private string? _eventName;

    /// <summary>Creates a reader over a stream's body.</summary>
    /// <param name="stream">The stream, as <see cref="ProviderTransport.StreamAsync{T}"/> hands it to a decoder.</param>
    public ServerSentEventReader(ProviderStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
    }

    /// <summary>The event name of the last event read (<c>message</c> when the stream named none).</summary>
    public string EventName { get; private set; } = "message";

    /// <summary>The data of the last event read (its <c>data</c> lines joined by LF); valid until the next <see cref="ReadAsync"/>.</summary>
    public ReadOnlyMemory<byte> Data => _data.WrittenMemory;

    /// <summary>Reads the next event that has data; <see langword="false"/> at the end of the body.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async ValueTask<bool> ReadAsync(CancellationToken cancellationToken = default)
    {
        _data.ResetWrittenCount();
        _hasData = false;
        _eventName = null;
        while (true)
        {
            while (TryTakeLine(out var line))
            {
                if (line.IsEmpty)
                {
                    if (Dispatch())
                    {
                        return true;
                    }

                    continue;
                }

                ProcessLine(line.Span);
            }

            if (_eof)
            {
                // A final event without its blank line still counts.
                if (_end > _start)
                {
                    ProcessLine(_buffer.AsSpan(_start, _end - _start));
                    _start = _end;
                    _scanned = 0;
                }

                return Dispatch();
            }

            await FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private bool Dispatch()
    {
        if (!_hasData)
        {
            _eventName = null;
            return false;
        }

        EventName = _eventName ?? "message";
        return true;
    }

    private void ProcessLine(ReadOnlySpan<byte> line)
    {
        if (line[0] == (byte)':')
        {
            return; // A comment (keep-alive).
        }

        var colon = line.IndexOf((byte)':');
        var field = colon < 0 ? line : line[..colon];
        var value = colon < 0 ? [] : line[(colon + 1)..];
        if (!value.IsEmpty && value[0] == (byte)' ')
        {
            value = value[1..];
        }

        if (field.SequenceEqual("data"u8))
        {
            if (_data.WrittenCount + value.Length + 1 > _stream.MaxEventBytes)
            {
                throw _stream.EventTooLarge("an SSE event's data", _data.WrittenCount + value.Length + 1);
            }

            if (_hasData)
            {
                _data.Write("\n"u8);
            }

            _data.Write(value);
            _hasData = true;
        }
        else if (field.SequenceEqual("event"u8))
        {
            _eventName = Encoding.UTF8.GetString(value);
        }
    }

    private bool TryTakeLine(out ReadOnlyMemory<byte> line)
    {
        if (_skipLineFeed && _start < _end)
        {
            if (_buffer[_start] == (byte)'\n')
            {
                _start++;
            }

            _skipLineFeed = false;
        }

        // Bytes of a pending line already searched are not searched again, so a long line arriving in small reads
        // costs time in proportion to its length, not its square.
        var span = _buffer.AsSpan(_start, _end - _start);
        var found = span[_scanned..].IndexOfAny((byte)'\n', (byte)'\r');
        if (found < 0)
        {
            _scanned = span.Length;
            line = default;
            return false;
        }

        var index = _scanned + found;
        _scanned = 0;

        line = _buffer.AsMemory(_start, index);
        if (span[index] == (byte)'\r')
        {
            if (index + 1 < span.Length)
            {
                if (span[index + 1] == (byte)'\n')
                {
                    index++;
                }
            }
            else
            {
                _skipLineFeed = true; // The LF of a CRLF may arrive with the next read.
            }
        }

        _start += index + 1;
        return true;
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            var remaining = _end - _start;
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, remaining);
            _start = 0;
            _end = remaining;
        }

        // A line may hold the event limit plus its CRLF; the pool may hand out a larger array, which is never filled past that.
        var lineLimit = (int)Math.Min(_stream.MaxEventBytes + 2, Array.MaxLength);
        if (_end == Math.Min(_buffer.Length, lineLimit))
        {
            // One line fills the buffer: grow it, but never past the event limit.
            if (_end >= _stream.MaxEventBytes)
            {
                throw _stream.EventTooLarge("an SSE line", _end);
            }

            var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(lineLimit, (long)_buffer.Length * 2));
            Buffer.BlockCopy(_buffer, 0, larger, 0, _end);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        var room = Math.Min(_buffer.Length, lineLimit) - _end;
        var read = await _stream.Body.ReadAsync(_buffer.AsMemory(_end, room), cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            _eof = true;
        }

        _end += read;
    }
}
