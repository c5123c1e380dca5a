using System.Text;

namespace ModelRegistry.Testing;

/// <summary>
/// A streamed answer in a provider's wire format, as separate events (each already framed: an SSE event with its blank
/// line, an event-stream message), so the suite can send it whole, or cut it after <see cref="CutAfter"/> events
/// (ended cleanly, reset, or stalled) to check how the client reports a stream that breaks.
/// </summary>
public sealed class WireStream
{
    /// <summary>How long a stalled answer waits before sending the rest: for ever, as far as a test can tell (the client gives up first and the server stops).</summary>
    internal static readonly TimeSpan Stall = TimeSpan.FromHours(1);

    /// <summary>Creates a stream.</summary>
    /// <param name="events">The events, each one framed and complete.</param>
    /// <param name="cutAfter">
    /// How many leading events make a broken-off answer: they deliver the first text (or the first piece of the answer)
    /// but not the event that completes the stream, so that ending after them is a truncation. At least 1.
    /// </param>
    /// <param name="contentType">The <c>Content-Type</c>.</param>
    /// <param name="headers">More response headers.</param>
    public WireStream(IReadOnlyList<byte[]> events, int cutAfter, string contentType, params (string Name, string Value)[] headers)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentOutOfRangeException.ThrowIfLessThan(cutAfter, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(cutAfter, events.Count);
        Events = events;
        CutAfter = cutAfter;
        Headers = [new("Content-Type", contentType), .. headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value))];
    }

    /// <summary>The events, in order.</summary>
    public IReadOnlyList<byte[]> Events { get; }

    /// <summary>How many leading events make a broken-off answer.</summary>
    public int CutAfter { get; }

    /// <summary>The response headers.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>A <c>text/event-stream</c> answer; each event is written as given, followed by the blank line that ends it.</summary>
    /// <param name="cutAfter">See <see cref="CutAfter"/>.</param>
    /// <param name="events">The events' lines, e.g. <c>"data: {\"text\":\"Hi\"}"</c> or <c>"event: done\ndata: {}"</c>.</param>
    public static WireStream ServerSentEvents(int cutAfter, params string[] events) =>
        new([.. events.Select(e => Encoding.UTF8.GetBytes(e + "\n\n"))], cutAfter, "text/event-stream");

    /// <summary>The whole stream, each event flushed on its own.</summary>
    public ScriptedResponse Complete() => new() { Headers = Headers, Chunks = [.. Events.Select(e => (e, TimeSpan.Zero))] };

    /// <summary>The first <see cref="CutAfter"/> events, then a clean end of the body: a truncated stream.</summary>
    public ScriptedResponse EndedEarly() => new() { Headers = Headers, Chunks = [(Prefix(), TimeSpan.Zero)] };

    /// <summary>The first <see cref="CutAfter"/> events, then the connection is reset.</summary>
    public ScriptedResponse ResetEarly() => new() { Headers = Headers, Body = [.. Events.SelectMany(e => e)], TruncateAfter = Prefix().Length };

    /// <summary>The first <see cref="CutAfter"/> events, then nothing until the client gives up.</summary>
    public ScriptedResponse StalledEarly() => new()
    {
        Headers = Headers,
        Chunks = [(Prefix(), TimeSpan.Zero), ([.. Events.Skip(CutAfter).SelectMany(e => e)], Stall)],
    };

    private byte[] Prefix() => [.. Events.Take(CutAfter).SelectMany(e => e)];
}
