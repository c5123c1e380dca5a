using System.Collections.Concurrent;
using System.Text;

namespace ModelRegistry.Emf.Tests.TestSupport;

/// <summary>Keeps every line written; reading them checks each against the EMF rules first.</summary>
internal sealed class RecordingSink : EmfSink
{
    private readonly ConcurrentQueue<string> _lines = new();

    public override void Write(ReadOnlySpan<byte> utf8Line) => _lines.Enqueue(Encoding.UTF8.GetString(utf8Line));

    /// <summary>Every line so far, each validated against our EMF schema and read back as CloudWatch would.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            var lines = _lines.ToArray();
            foreach (var line in lines)
            {
                EmfAssert.IsValidLine(line);
            }

            return lines;
        }
    }

    /// <summary>The only line written, without its line feed; fails unless exactly one was written.</summary>
    public string Single()
    {
        var lines = Lines;
        Assert.That(lines, Has.Count.EqualTo(1), "exactly one EMF line per call");
        return lines[0].TrimEnd('\n');
    }
}
