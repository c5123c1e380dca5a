using System.Text;
using ModelRegistry.Providers;
using ModelRegistry.Tests.Support;

namespace ModelRegistry.Tests.Providers;

/// <summary>The kit's one SSE reader: line ends, splits across reads, fields, and bounded buffering.</summary>
public sealed class ServerSentEventReaderTests
{
    private static async Task<List<(string Event, string Data)>> ReadAll(IEnumerable<byte[]> chunks, long maxEventBytes = 16 * 1024)
    {
        using var reader = new ServerSentEventReader(new ProviderStream(new ChunkedStream(chunks), maxEventBytes));
        var events = new List<(string, string)>();
        while (await reader.ReadAsync())
        {
            events.Add((reader.EventName, Encoding.UTF8.GetString(reader.Data.Span)));
        }

        return events;
    }

    /// <summary>The text cut into pieces of <paramref name="size"/> bytes (every split position is met with size 1).</summary>
    private static IEnumerable<byte[]> Pieces(string text, int size) => Encoding.UTF8.GetBytes(text).Chunk(size);

    private static readonly (string, string)[] Expected =
    [
        ("message", "first"),
        ("delta", "two\nlines"),
        ("message", "{\"a\":1}"),
        ("message", ""),
        ("done", "last"),
    ];

    private const string Stream = ": keep-alive comment\n\ndata: first\n\nevent: delta\ndata: two\ndata: lines\n\nid: 7\nretry: 10\ndata:{\"a\":1}\n\ndata\n\nevent: done\ndata: last";

    [TestCase("\n")]
    [TestCase("\r\n")]
    [TestCase("\r")]
    public async Task Every_line_end_gives_the_same_events_however_the_bytes_are_split(string lineEnd)
    {
        var text = Stream.Replace("\n", lineEnd, StringComparison.Ordinal);
        foreach (var size in new[] { 1, 2, 3, 5, 7, 64, 100_000 })
        {
            Assert.That(await ReadAll(Pieces(text, size)), Is.EqualTo(Expected), $"line end {Uri.EscapeDataString(lineEnd)}, pieces of {size} bytes");
        }
    }

    [Test]
    public async Task A_crlf_split_between_its_cr_and_lf_is_one_line_end()
    {
        var events = await ReadAll(["data: a\r"u8.ToArray(), "\n\r"u8.ToArray(), "\ndata: b\r"u8.ToArray(), "\n\r\n"u8.ToArray()]);
        Assert.That(events, Is.EqualTo(new[] { ("message", "a"), ("message", "b") }));
    }

    [Test]
    public async Task Mixed_line_ends_a_final_event_without_its_blank_line_and_an_empty_body()
    {
        Assert.That(await ReadAll(["data: a\r\n\ndata: b\r\rdata: c"u8.ToArray()]), Is.EqualTo(new[] { ("message", "a"), ("message", "b"), ("message", "c") }));
        Assert.That(await ReadAll([]), Is.Empty);
        Assert.That(await ReadAll([": only a comment\n\n\n\n"u8.ToArray()]), Is.Empty);
    }

    [Test]
    public async Task An_event_name_applies_to_its_own_event_only()
    {
        var events = await ReadAll(["event: ping\n\nevent: a\ndata: 1\n\ndata: 2\n\n"u8.ToArray()]);
        Assert.That(events, Is.EqualTo(new[] { ("a", "1"), ("message", "2") }), "an event without data is dropped, its name with it");
    }

    [Test]
    public void A_line_longer_than_max_event_bytes_fails_before_more_is_buffered()
    {
        // An endless line: the reader must give up at the limit, not read (or allocate) on.
        var endless = new ChunkedStream(["data: "u8.ToArray()], endlessFiller: (byte)'x');
        using var reader = new ServerSentEventReader(new ProviderStream(endless, 64 * 1024));

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var ex = Assert.ThrowsAsync(Is.InstanceOf<Exception>(), async () => await reader.ReadAsync());
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Multiple(() =>
        {
            Assert.That(ex!.GetType().Name, Is.EqualTo("ResponseTooLargeException"));
            Assert.That(ex.Message, Does.StartWith("an SSE line of ").And.EndWith("bytes or more exceeds the limit of 65536 bytes (resilience:max_event_bytes)"));
            Assert.That(endless.Served, Is.LessThanOrEqualTo((64 * 1024) + 2), "bytes read before giving up: the limit and a CRLF at most");
            Assert.That(allocated, Is.LessThan(4L << 20));
        });
    }

    [Test]
    public void An_event_of_many_short_lines_beyond_max_event_bytes_fails()
    {
        var line = Encoding.UTF8.GetBytes("data: " + new string('y', 100) + "\n");
        var ex = Assert.ThrowsAsync(Is.InstanceOf<Exception>(), async () => await ReadAll(Enumerable.Repeat(line, 30), maxEventBytes: 2048));
        Assert.That(ex!.Message, Does.StartWith("an SSE event's data of ").And.EndWith("exceeds the limit of 2048 bytes (resilience:max_event_bytes)"));
    }

    [Test]
    public async Task An_event_just_within_max_event_bytes_is_read()
    {
        var data = new string('z', 1000);
        var events = await ReadAll(Pieces($"data: {data}\n\n", 7), maxEventBytes: 1024);
        Assert.That(events.Single().Data, Is.EqualTo(data));
    }
}
