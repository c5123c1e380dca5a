using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using ModelRegistry.Testing;

namespace ModelRegistry.Samples.Tests.Kit;

/// <summary>The test kit's event-stream encoder (also the chat sample's) against the framing spec.</summary>
public sealed class EventStreamEncoderTests
{
    [Test]
    public void A_message_is_framed_as_the_spec_says_byte_for_byte()
    {
        // Prelude (43, 20, CRC32 of those 8 bytes), one string header, the payload, CRC32 of all before it; the bytes
        // were laid out by hand from the spec and both CRCs computed with Python's zlib.crc32, not with this encoder.
        var expected = Convert.FromHexString(
            "0000002b" + "00000014" + "c9e91501" + "0b" + "3a6576656e742d74797065" + "07" + "0005" + "6368756e6b" + "7b2261223a317d" + "5538c0b5");

        Assert.That(EventStreamEncoder.Message([(":event-type", "chunk")], "{\"a\":1}"u8.ToArray()), Is.EqualTo(expected));
    }

    [Test]
    public void An_event_has_the_three_headers_and_its_json_padded_as_Bedrock_pads_it()
    {
        var (headers, payload) = Read(EventStreamEncoder.Event("contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"wörld ✓"}}"""));
        var json = JsonNode.Parse(payload)!;

        Assert.Multiple(() =>
        {
            Assert.That(headers, Is.EqualTo(new[] { (":event-type", "contentBlockDelta"), (":content-type", "application/json"), (":message-type", "event") }));
            Assert.That((string?)json["delta"]!["text"], Is.EqualTo("wörld ✓"));
            Assert.That((int?)json["contentBlockIndex"], Is.Zero);
            Assert.That((string?)json["p"], Is.Not.Empty);
        });
    }

    [Test]
    public void An_exception_names_its_type_and_carries_the_message()
    {
        var (headers, payload) = Read(EventStreamEncoder.Exception("throttlingException", "Too many tokens, please wait."));

        Assert.Multiple(() =>
        {
            Assert.That(headers, Is.EqualTo(new[] { (":exception-type", "throttlingException"), (":content-type", "application/json"), (":message-type", "exception") }));
            Assert.That(payload, Is.EqualTo("""{"message":"Too many tokens, please wait."}"""));
        });
    }

    [Test]
    public void A_body_is_its_messages_one_after_another()
    {
        var first = EventStreamEncoder.Event("messageStart", """{"role":"assistant"}""");
        var second = EventStreamEncoder.Event("messageStop", """{"stopReason":"end_turn"}""");

        Assert.That(EventStreamEncoder.Body(first, second), Is.EqualTo(first.Concat(second).ToArray()));
    }

    [Test]
    public void A_header_name_too_long_for_the_format_is_refused_naming_it()
    {
        var name = new string('n', 256);

        var error = Assert.Throws<ArgumentException>(() => EventStreamEncoder.Message([(name, "v")], []));

        Assert.That(error!.Message, Does.Contain($"Header '{name}'").And.Contain("256 UTF-8 bytes (1 to 255 allowed)"));
    }

    /// <summary>Reads one message back by the spec, checking both lengths.</summary>
    private static (List<(string Name, string Value)> Headers, string Payload) Read(byte[] message)
    {
        var total = BinaryPrimitives.ReadInt32BigEndian(message);
        var headersLength = BinaryPrimitives.ReadInt32BigEndian(message.AsSpan(4));
        Assert.That(total, Is.EqualTo(message.Length), "total length");
        List<(string, string)> headers = [];
        for (var at = 12; at < 12 + headersLength;)
        {
            var name = Encoding.UTF8.GetString(message, at + 1, message[at]);
            at += 1 + message[at];
            Assert.That(message[at], Is.EqualTo(7), "string header");
            var length = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(at + 1));
            headers.Add((name, Encoding.UTF8.GetString(message, at + 3, length)));
            at += 3 + length;
        }

        return (headers, Encoding.UTF8.GetString(message, 12 + headersLength, total - 12 - headersLength - 4));
    }
}
