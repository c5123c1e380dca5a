using System.Buffers;

namespace ModelRegistry.Mistral.Internal;

/// <summary>
/// Reads a <c>text/event-stream</c> body event by event, without allocating per line: bytes are read into a pooled
/// buffer, lines are found in place, and an event's <c>data</c> lines are gathered into one reused buffer. Handles
/// LF, CRLF and CR line ends (also split across reads), comments, <c>event:</c> names and multi-line data.
/// </summary>
internal sealed class SseReader : IDisposable
{
    private const int InitialBufferSize = 16 * 1024;

    private readonly Stream _stream;
    private readonly ArrayBufferWriter<byte> _data = new(4 * 1024);
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
    private int _start;
    private int _end;
    private bool _skipLineFeed;
    private bool _eof;
    private bool _hasData;
    private string? _eventName;

    public SseReader(Stream stream) => _stream = stream;

    /// <summary>The event name of the last event read (<c>message</c> when the stream named none).</summary>
    public string EventName { get; private set; } = "message";

    /// <summary>The data of the last event read; valid until the next <see cref="ReadAsync"/>.</summary>
    public ReadOnlyMemory<byte> Data => _data.WrittenMemory;

    /// <summary>Reads the next event with data; false at the end of the stream.</summary>
    public async ValueTask<bool> ReadAsync(CancellationToken cancellationToken)
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
                }

                return Dispatch();
            }

            await FillAsync(cancellationToken).ConfigureAwait(false);
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
            if (_hasData)
            {
                _data.Write("\n"u8);
            }

            _data.Write(value);
            _hasData = true;
        }
        else if (field.SequenceEqual("event"u8))
        {
            _eventName = System.Text.Encoding.UTF8.GetString(value);
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

        var span = _buffer.AsSpan(_start, _end - _start);
        var index = span.IndexOfAny((byte)'\n', (byte)'\r');
        if (index < 0)
        {
            line = default;
            return false;
        }

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

        if (_end == _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            Buffer.BlockCopy(_buffer, 0, larger, 0, _end);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            _eof = true;
        }

        _end += read;
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
