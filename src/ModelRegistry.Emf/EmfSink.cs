using Microsoft.Extensions.Logging;
using ModelRegistry.Emf.Internal;

namespace ModelRegistry.Emf;

/// <summary>
/// Where EMF lines go: standard output (the default, what CloudWatch Logs collects from Lambda and containers), a
/// <see cref="TextWriter"/>, or an <see cref="ILogger"/>. Derive from it for another destination.
/// </summary>
/// <remarks>
/// Implementations are called concurrently from every model call and must write each line whole, never interleaved
/// with another line, and must not block for long: the call's result waits for the write.
/// </remarks>
public abstract class EmfSink
{
    private static readonly Lazy<EmfSink> Stdout = new(() => new StreamEmfSink(Console.OpenStandardOutput()));

    /// <summary>
    /// Writes raw UTF-8 bytes to the process's standard output stream, one write per line under a process-wide lock.
    /// It bypasses <see cref="Console.Out"/>, so the Lambda .NET runtime adds no timestamp/request-id prefix.
    /// </summary>
    public static EmfSink StandardOutput => Stdout.Value;

    /// <summary>Writes each line to a text writer (with one <see cref="TextWriter.Write(string)"/> call, then a flush) under a lock.</summary>
    /// <param name="writer">The destination; it is not disposed by the sink.</param>
    public static EmfSink ToTextWriter(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        return new TextWriterEmfSink(writer);
    }

    /// <summary>
    /// Logs each line as the whole message of one log entry (template <c>{EmfLine}</c>). CloudWatch extracts metrics
    /// only when the logging provider writes the message unchanged on a line of its own.
    /// </summary>
    /// <param name="logger">The logger.</param>
    /// <param name="level">The level of the entries (default <see cref="LogLevel.Information"/>).</param>
    public static EmfSink ToLogger(ILogger logger, LogLevel level = LogLevel.Information)
    {
        ArgumentNullException.ThrowIfNull(logger);
        return new LoggerEmfSink(logger, level);
    }

    /// <summary>Writes one line.</summary>
    /// <param name="utf8Line">One complete EMF document as compact UTF-8 JSON, ending with a single line feed (<c>\n</c>).</param>
    public abstract void Write(ReadOnlySpan<byte> utf8Line);
}
