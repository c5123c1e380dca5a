using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

namespace ModelRegistry.Bedrock.Tests.Support;

/// <summary>
/// A minimal whole-body event-stream decoder for tests, written from the spec and independent of the package's reader:
/// it tells a test what events a recorded body holds, so the client's output can be checked against them.
/// </summary>
internal static class TestEventStreamDecoder
{
    public static List<(string? MessageType, string? EventType, JsonObject Payload)> Decode(byte[] body)
    {
        var events = new List<(string?, string?, JsonObject)>();
        var offset = 0;
        while (offset < body.Length)
        {
            var total = (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(offset));
            var headersLength = (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(offset + 4));
            var headers = new Dictionary<string, string>();
            var position = offset + 12;
            var end = position + headersLength;
            while (position < end)
            {
                var nameLength = body[position++];
                var name = Encoding.UTF8.GetString(body, position, nameLength);
                position += nameLength;
                var type = body[position++];
                if (type != 7)
                {
                    throw new InvalidDataException($"test decoder handles string headers only, got type {type}");
                }

                var valueLength = BinaryPrimitives.ReadUInt16BigEndian(body.AsSpan(position));
                position += 2;
                headers[name] = Encoding.UTF8.GetString(body, position, valueLength);
                position += valueLength;
            }

            var payload = Encoding.UTF8.GetString(body, end, total - 16 - headersLength);
            events.Add((headers.GetValueOrDefault(":message-type"), headers.GetValueOrDefault(":event-type") ?? headers.GetValueOrDefault(":exception-type"),
                JsonNode.Parse(payload.Length == 0 ? "{}" : payload) as JsonObject ?? []));
            offset += total;
        }

        return events;
    }
}
