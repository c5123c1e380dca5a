using System.Text;

namespace ModelRegistry.Emf.Internal;

/// <summary>Writes each line to a text writer with one call and a flush, under a lock, so lines never interleave.</summary>
internal sealed class TextWriterEmfSink(TextWriter writer) : EmfSink
{
    private readonly Lock _gate = new();

    public override void Write(ReadOnlySpan<byte> utf8Line)
    {
        var line = Encoding.UTF8.GetString(utf8Line);
        lock (_gate)
        {
            writer.Write(line);
            writer.Flush();
        }
    }
}
