using ModelRegistry.Emf;

namespace ModelRegistry.Benchmarks.Infrastructure;

/// <summary>An EMF sink that counts the lines and drops them, so a benchmark measures the middleware, not the output.</summary>
internal sealed class DiscardingEmfSink : EmfSink
{
    private int _lines;

    public int Lines => Volatile.Read(ref _lines);

    public override void Write(ReadOnlySpan<byte> utf8Line) => Interlocked.Increment(ref _lines);
}
