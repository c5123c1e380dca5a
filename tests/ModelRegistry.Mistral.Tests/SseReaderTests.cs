using System.Text;
using ModelRegistry.Mistral.Internal;

namespace ModelRegistry.Mistral.Tests;

/// <summary>The event-stream reader on its own, fed one byte at a time so every split point is exercised.</summary>
public sealed class SseReaderTests
{
    /// <summary>A stream that returns at most one byte per read, like a slow network.</summary>
    private sealed class TrickleStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(1, buffer.Length)], cancellationToken);
    }

    private static async Task<List<(string Event, string Data)>> ReadAllAsync(string text)
    {
        using var reader = new SseReader(new TrickleStream(Encoding.UTF8.GetBytes(text)));
        var events = new List<(string, string)>();
        while (await reader.ReadAsync(CancellationToken.None))
        {
            events.Add((reader.EventName, Encoding.UTF8.GetString(reader.Data.Span)));
        }

        return events;
    }

    [TestCase("\n")]
    [TestCase("\r\n")]
    [TestCase("\r")]
    public async Task Events_are_read_with_any_line_ending(string newline)
    {
        var text = string.Join(newline, ": comment", "data: {\"a\":1}", "", "event: error", "data:{\"b\":2}", "id: 7", "", "data: [DONE]", "", "");
        var events = await ReadAllAsync(text);
        Assert.That(events, Is.EqualTo(new[] { ("message", "{\"a\":1}"), ("error", "{\"b\":2}"), ("message", "[DONE]") }));
    }

    [Test]
    public async Task Multi_line_data_is_joined_and_a_last_event_without_blank_line_still_counts()
    {
        var events = await ReadAllAsync("data: line one\ndata: line two\n\ndata: tail");
        Assert.That(events, Is.EqualTo(new[] { ("message", "line one\nline two"), ("message", "tail") }));
    }

    [Test]
    public async Task Events_larger_than_the_buffer_are_read_whole()
    {
        var big = new string('x', 100_000);
        var events = await ReadAllAsync($"data: {big}\n\ndata: after\n\n");
        Assert.Multiple(() =>
        {
            Assert.That(events[0].Data, Has.Length.EqualTo(100_000));
            Assert.That(events[1].Data, Is.EqualTo("after"));
        });
    }

    [Test]
    public async Task Blank_lines_without_data_dispatch_nothing()
    {
        var events = await ReadAllAsync("\n\n: ping\n\nevent: orphan\n\n");
        Assert.That(events, Is.Empty);
    }
}
