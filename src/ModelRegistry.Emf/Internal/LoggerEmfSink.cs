using System.Text;
using Microsoft.Extensions.Logging;

namespace ModelRegistry.Emf.Internal;

/// <summary>Logs each line, without its line feed, as the whole message of one entry.</summary>
internal sealed partial class LoggerEmfSink(ILogger logger, LogLevel level) : EmfSink
{
    public override void Write(ReadOnlySpan<byte> utf8Line)
    {
        if (logger.IsEnabled(level))
        {
            var json = utf8Line.Length > 0 && utf8Line[^1] == (byte)'\n' ? utf8Line[..^1] : utf8Line;
            Line(logger, level, Encoding.UTF8.GetString(json));
        }
    }

    [LoggerMessage(EventId = 100, EventName = "EmfLine", Message = "{EmfLine}")]
    private static partial void Line(ILogger logger, LogLevel level, string emfLine);
}
