namespace ModelRegistry.Emf.Internal;

/// <summary>Writes each line to a stream with one write call and a flush, under a lock, so lines never interleave.</summary>
internal sealed class StreamEmfSink(Stream stream) : EmfSink
{
    private readonly Lock _gate = new();

    public override void Write(ReadOnlySpan<byte> utf8Line)
    {
        lock (_gate)
        {
            stream.Write(utf8Line);
            stream.Flush();
        }
    }
}
