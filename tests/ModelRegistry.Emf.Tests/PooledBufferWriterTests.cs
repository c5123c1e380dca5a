using System.Buffers.Text;
using System.Text;
using ModelRegistry.Emf.Internal;

namespace ModelRegistry.Emf.Tests;

/// <summary>The line buffer writes numbers byte-for-byte as the general formatter (what Utf8JsonWriter writes) does.</summary>
public sealed class PooledBufferWriterTests
{
    [Test]
    public void Durations_rounded_to_the_microsecond_are_written_as_the_general_formatter_writes_them()
    {
        var buffer = new PooledBufferWriter();
        var checkedValues = 0;
        foreach (var value in Durations())
        {
            Assert.That(Written(buffer, value), Is.EqualTo(General(value)), $"the value {value:R}");
            checkedValues++;
        }

        Assert.That(checkedValues, Is.GreaterThan(400_000));
    }

    [TestCase(0.0)]
    [TestCase(-0.0)]
    [TestCase(0.0004)]
    [TestCase(1e-7)]
    [TestCase(0.1 + 0.2)]
    [TestCase(1.0 / 3)]
    [TestCase(123456789.0123)]
    [TestCase(999999999999.999)]
    [TestCase(1e15 + 0.5)]
    [TestCase(1e300)]
    [TestCase(-2.5)]
    public void Other_values_are_written_as_the_general_formatter_writes_them(double value)
    {
        Assert.That(Written(new PooledBufferWriter(), value), Is.EqualTo(General(value)));
    }

    private static IEnumerable<double> Durations()
    {
        for (var n = 1L; n <= 300_000; n++)
        {
            yield return Math.Round(n / 1000.0 + 0.0001, 3);
        }

        var random = new Random(18);
        for (var i = 0; i < 100_000; i++)
        {
            // Elapsed times as TimeSpan.TotalMilliseconds gives them, up to about three years.
            var elapsed = TimeSpan.FromTicks(random.NextInt64(1, TimeSpan.TicksPerDay * 1000));
            yield return Math.Round(elapsed.TotalMilliseconds, 3);
            yield return -Math.Round(elapsed.TotalMilliseconds, 3);
        }
    }

    private static string Written(PooledBufferWriter buffer, double value)
    {
        buffer.Release();
        buffer.WriteNumber(value);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string General(double value)
    {
        Span<byte> bytes = stackalloc byte[128];
        Assert.That(Utf8Formatter.TryFormat(value, bytes, out var written), Is.True);
        return Encoding.UTF8.GetString(bytes[..written]);
    }
}
