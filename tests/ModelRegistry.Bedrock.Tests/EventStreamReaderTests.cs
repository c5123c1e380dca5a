using System.Text;
using System.Text.Json.Nodes;
using Amazon.Runtime.EventStreams;
using ModelRegistry.Bedrock.Internal;
using ModelRegistry.Bedrock.Tests.Support;
using ModelRegistry.Providers;
using ModelRegistry.Testing;

namespace ModelRegistry.Bedrock.Tests;

public sealed class EventStreamReaderTests
{
    private static readonly byte[][] Messages =
    [
        EventStreamEncoder.Event("messageStart", """{"role":"assistant"}"""),
        EventStreamEncoder.Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"Hello, "}}"""),
        EventStreamEncoder.Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"wörld ✓"}}"""),
        EventStreamEncoder.Event("contentBlockStop", """{"contentBlockIndex":0}"""),
        EventStreamEncoder.Event("messageStop", """{"stopReason":"end_turn"}"""),
    ];

    private static readonly byte[] Body = EventStreamEncoder.Body(Messages);

    [Test]
    public async Task Decodes_whole_body()
    {
        var frames = await ReadAll(new MemoryStream(Body));
        AssertExpected(frames);
    }

    [Test]
    public async Task Decodes_a_body_split_at_every_byte_boundary()
    {
        for (var split = 1; split < Body.Length; split++)
        {
            var frames = await ReadAll(new ChunkedStream(Body, [split, Body.Length - split]));
            AssertExpected(frames, $"split at byte {split}");
        }
    }

    [Test]
    public async Task Decodes_a_body_arriving_one_byte_per_read()
    {
        var frames = await ReadAll(new ChunkedStream(Body, Enumerable.Repeat(1, Body.Length).ToArray()));
        AssertExpected(frames);
    }

    [Test]
    public void A_declared_length_takes_no_buffer_before_its_bytes_arrive()
    {
        // Found by the fuzz runner: a prelude claiming 16 MiB made the reader take a 16 MiB buffer for a body of a few
        // hundred bytes. The buffer the reader reads into shows how much it took.
        var claim = EventStreamEncoder.Changed(Messages[1], m => System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(m, 16 << 20));
        var body = new ReadSizeRecorder(EventStreamEncoder.Body(Messages[0], claim));

        var error = Assert.ThrowsAsync<EndOfStreamException>(() => ReadAll(body));

        Assert.That(error!.Message, Does.Contain($"of {16 << 20} arrived"));
        Assert.That(body.LargestRead, Is.LessThanOrEqualTo(64 * 1024), "the reader's buffer stays what the arrived bytes need");
    }

    [Test]
    public async Task Decodes_a_message_larger_than_the_read_buffer()
    {
        var text = new string('x', 70_000);
        var big = EventStreamEncoder.Event("contentBlockDelta", new JsonObject { ["contentBlockIndex"] = 0, ["delta"] = new JsonObject { ["text"] = text } }.ToJsonString());
        var body = EventStreamEncoder.Body(Messages[0], big, Messages[4]);
        var frames = await ReadAll(new ChunkedStream(body, [5, 4000, 30000, body.Length]));
        Assert.That(frames, Has.Count.EqualTo(3));
        Assert.That((string?)JsonNode.Parse(frames[1].Payload)!["delta"]!["text"], Is.EqualTo(text));
    }

    [Test]
    public async Task Decodes_messages_encoded_by_the_aws_sdk()
    {
        // A second, independent encoder: AWSSDK.Core's own EventStreamMessage.
        var headers = new List<IEventStreamHeader>();
        var header = new EventStreamHeader(":event-type");
        header.SetString("messageStop");
        headers.Add(header);
        var typed = new EventStreamHeader("count");
        typed.SetInt32(42);
        headers.Add(typed);
        var payload = Encoding.UTF8.GetBytes("""{"stopReason":"tool_use"}""");
        var bytes = new EventStreamMessage(headers, payload).ToByteArray();
        var frames = await ReadAll(new ChunkedStream([.. bytes, .. bytes], [3, 20, 1000]));
        Assert.That(frames, Has.Count.EqualTo(2));
        Assert.That(frames[0].Header(":event-type"), Is.EqualTo("messageStop"));
        Assert.That(frames[0].EventType, Is.EqualTo("messageStop"));
        Assert.That(frames[0].MessageType, Is.Null, "the message has no :message-type header");
        Assert.That(frames[0].Header("count"), Is.EqualTo("42"));
        Assert.That(frames[0].Header("missing"), Is.Null);
        Assert.That(frames[1].Payload, Is.EqualTo(payload));
    }

    [Test]
    public async Task Reads_every_header_type_as_the_aws_sdk_decoder_does()
    {
        // Each header value type of the protocol, encoded by AWSSDK.Core; its own decoder says what the text must be.
        var headers = new List<IEventStreamHeader>();
        void Add(string name, Action<EventStreamHeader> set)
        {
            var header = new EventStreamHeader(name);
            set(header);
            headers.Add(header);
        }

        Add("flag", h => h.SetBool(true));
        Add("off", h => h.SetBool(false));
        Add("small", h => h.SetSByte(-16));
        Add("short", h => h.SetInt16(-1234));
        Add("long", h => h.SetInt64(long.MinValue));
        Add("bytes", h => h.SetByteBuf([1, 2, 3, 250]));
        Add("when", h => h.SetTimestamp(new DateTime(2026, 11, 29, 21, 30, 15, 123, DateTimeKind.Utc)));
        Add("id", h => h.SetUUID(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e")));
        Add(":event-type", h => h.SetString("a future event ✓"));
        var bytes = new EventStreamMessage(headers, [.. "{}"u8]).ToByteArray();
        var reference = EventStreamMessage.FromBuffer(bytes, 0, bytes.Length).Headers;

        var frame = (await ReadAll(new MemoryStream(bytes))).Single();

        Assert.That(frame.Header("flag"), Is.EqualTo("true"));
        Assert.That(frame.Header("off"), Is.EqualTo("false"));
        Assert.That(frame.Header("small"), Is.EqualTo(reference["small"].AsSByte().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(frame.Header("short"), Is.EqualTo("-1234"));
        Assert.That(frame.Header("long"), Is.EqualTo(long.MinValue.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(frame.Header("bytes"), Is.EqualTo(Convert.ToBase64String(reference["bytes"].AsByteBuf())));
        Assert.That(frame.Header("when"), Is.EqualTo(reference["when"].AsTimestamp().ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(frame.Header("id"), Is.EqualTo(reference["id"].AsUUID().ToString()));
        Assert.That(frame.EventType, Is.EqualTo("a future event ✓"), "an event type the client does not know is read as text");
    }

    [Test]
    public void A_corrupt_payload_fails_the_message_crc()
    {
        var body = (byte[])Body.Clone();
        body[Messages[0].Length + 40] ^= 0x20; // inside the second message's payload
        var error = Assert.ThrowsAsync<InvalidDataException>(() => ReadAll(new MemoryStream(body)));
        Assert.That(error!.Message, Does.Contain("CRC32"));
    }

    [Test]
    public void A_corrupt_prelude_crc_is_rejected()
    {
        var body = (byte[])Body.Clone();
        body[9] ^= 0x01; // the first message's prelude CRC
        var error = Assert.ThrowsAsync<InvalidDataException>(() => ReadAll(new MemoryStream(body)));
        Assert.That(error!.Message, Does.Contain("CRC32"));
    }

    [Test]
    public void An_impossible_length_is_rejected_at_once()
    {
        var body = (byte[])Body.Clone();
        body[0] = 0x7F; // total length over 2 GiB
        var error = Assert.ThrowsAsync<InvalidDataException>(() => ReadAll(new MemoryStream(body)));
        Assert.That(error!.Message, Does.Contain("prelude"));
    }

    [Test]
    public void A_body_cut_inside_a_message_is_truncated_not_a_hang()
    {
        foreach (var cut in new[] { 5, Messages[0].Length + 11, Body.Length - 1 })
        {
            var error = Assert.ThrowsAsync<EndOfStreamException>(
                () => ReadAll(new ChunkedStream(Body[..cut], [7, cut])).WaitAsync(TimeSpan.FromSeconds(30)),
                $"cut at {cut}");
            Assert.That(error!.Message, Does.Contain("ended in the middle of a message"));
        }
    }

    [Test]
    public void A_message_longer_than_max_event_bytes_is_refused_before_it_is_buffered()
    {
        var big = EventStreamEncoder.Event("contentBlockDelta", new JsonObject { ["contentBlockIndex"] = 0, ["delta"] = new JsonObject { ["text"] = new string('x', 5000) } }.ToJsonString());
        var error = Assert.ThrowsAsync(Is.Not.InstanceOf<InvalidDataException>(),
            () => ReadAll(new ChunkedStream(EventStreamEncoder.Body(Messages[0], big), [Messages[0].Length + 12, 100_000]), maxEventBytes: 4096));
        Assert.That(error!.Message, Does.Contain("max_event_bytes").And.Contain(big.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public void A_prelude_whose_headers_overrun_the_message_is_corrupt_even_with_valid_crcs()
    {
        var message = EventStreamEncoder.Changed(Messages[1], m => System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(m.AsSpan(4), (uint)m.Length));
        var error = Assert.ThrowsAsync<InvalidDataException>(() => ReadAll(new MemoryStream(message)));
        Assert.That(error!.Message, Does.Contain("prelude"));
    }

    [TestCase(0, 200, TestName = "a header name running past the headers")]
    [TestCase(1, 250, TestName = "a header value length running past the headers")]
    [TestCase(2, 99, TestName = "an unknown header type")]
    public void A_header_whose_lengths_are_wrong_is_corrupt_even_with_valid_crcs(int what, int value)
    {
        // The first header is ":event-type" (name length 11), then its type byte 7 and a 2-byte value length.
        var message = EventStreamEncoder.Changed(Messages[1], m =>
        {
            switch (what)
            {
                case 0: m[12] = (byte)value; break;
                case 1: System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(12 + 1 + 11 + 1), (ushort)value); break;
                default: m[12 + 1 + 11] = (byte)value; break;
            }
        });
        Assert.ThrowsAsync<InvalidDataException>(() => ReadAll(new MemoryStream(message)));
    }

    [Test]
    public async Task A_body_cut_between_messages_reads_the_messages_it_has()
    {
        var frames = await ReadAll(new MemoryStream(Body[..(Messages[0].Length + Messages[1].Length)]));
        Assert.That(frames, Has.Count.EqualTo(2));
    }

    private static void AssertExpected(List<Frame> frames, string because = "")
    {
        string[] expected = ["messageStart", "contentBlockDelta", "contentBlockDelta", "contentBlockStop", "messageStop"];
        Assert.That(frames, Has.Count.EqualTo(5), because);
        Assert.That(frames.Select(f => f.EventType), Is.EqualTo(expected), because);
        Assert.That(frames.Select(f => f.Header(":event-type")), Is.EqualTo(expected), because);
        Assert.That((string?)JsonNode.Parse(frames[2].Payload)!["delta"]!["text"], Is.EqualTo("wörld ✓"), because);
        Assert.That(frames.All(f => f.MessageType == "event" && f.Header(":message-type") == "event"), because);
    }

    /// <summary>
    /// Reads every message, keeping a copy of each: a frame's slices are valid only until the reader moves on, so a copy
    /// taken then also proves every frame was whole when it was handed out.
    /// </summary>
    private static async Task<List<Frame>> ReadAll(Stream stream, long maxEventBytes = 16 << 20)
    {
        var frames = new List<Frame>();
        await foreach (var frame in EventStreamReader.ReadAsync(new ProviderStream(stream, maxEventBytes), CancellationToken.None))
        {
            frames.Add(new Frame(frame));
        }

        return frames;
    }

    /// <summary>A copy of what a test reads of a frame: its typed headers, its payload, and any header by name.</summary>
    private sealed class Frame(EventStreamFrame frame)
    {
        private readonly Dictionary<string, string?> _headers = new[] { ":event-type", ":message-type", "count", "flag", "off", "small", "short", "long", "bytes", "when", "id", "missing" }
            .ToDictionary(name => name, frame.Header);

        public string? MessageType { get; } = frame.MessageType;

        public string? EventType { get; } = frame.EventType;

        public byte[] Payload { get; } = frame.Payload.ToArray();

        public string? Header(string name) => _headers[name];
    }

    /// <summary>A body that records the largest buffer a reader asked it to fill.</summary>
    private sealed class ReadSizeRecorder(byte[] data) : MemoryStream(data)
    {
        public int LargestRead { get; private set; }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            LargestRead = Math.Max(LargestRead, buffer.Length);
            return base.ReadAsync(buffer, cancellationToken);
        }
    }
}
