using System.Globalization;
using System.Text.Json;
using System.Text;

namespace ModelRegistry.Fuzz;

/// <summary>
/// Makes inputs: a seed, then a few stacked mutations of its body (structure-aware for JSON, server-sent events and
/// event-stream frames; blind byte edits for everything), then changes to the HTTP answer around it (status, headers,
/// Content-Length lies, how the body arrives). Everything is drawn from one <see cref="Rng"/>, so an input follows
/// from its seed alone.
/// </summary>
internal sealed class Mutator(long maxEventBytes)
{
    /// <summary>No body grows past this (a longer one is cut).</summary>
    public const int MaxBody = 2 << 20;

    private static readonly int[] ErrorStatuses = [400, 401, 403, 404, 408, 409, 413, 422, 424, 429, 500, 502, 503, 504, 529];
    private static readonly int[] OddStatuses = [100, 201, 202, 204, 206, 299, 301, 304, 399, 418, 451, 499, 599, 999];

    private static readonly string[] Numbers =
    [
        "0", "-0", "1", "-1", "0.5", "1E2", "2147483647", "2147483648", "-2147483649", "4294967296", "9223372036854775807",
        "9223372036854775808", "-9223372036854775809", "18446744073709551616", "100000000000000000000000000000", "1e16",
        "1e400", "-1e400", "1e-400", "1.7976931348623157e308", "3.5e38", "-3.5e38", "253402300799", "253402300800",
        "-62135596800", "-62135596801", "1700000000", "-5", "65536", "1e9",
    ];

    private static readonly string[] Strings =
    [
        "\"\"", "\" \"", "\"null\"", "\"[DONE]\"", "\"stop\"", "\"length\"", "\"tool_calls\"", "\"end_turn\"", "\"error\"",
        "\"text\"", "\"thinking\"", "\"1700000000\"", "\"\\u0000\"", "\"\\ud800\"", "\"\\udfff\\ud800\"", "\"-1\"", "\"NaN\"",
        "\"Infinity\"", "\"2025-13-45T99:99:99Z\"", "\"\\\"\"", "\"@@@@\"", "\"AAAA\"", "\"QUJD\"", "\"====\"", "\"\\n\\r\\t\"",
        "\"user\"", "\"assistant\"", "\"tool\"", "\"image\"", "\"png\"", "\"max_tokens\"", "\"guardrail_intervened\"",
    ];

    private static readonly string[] Others = ["null", "true", "false", "[]", "{}", "[null]", "[[]]", "{\"\":null}", "[{}]", "[\"\"]", "[1,2]", "{\"type\":null}"];

    private static readonly byte[][] InvalidUtf8 =
    [
        [0xFF], [0xFE], [0x80], [0xC0, 0xAF], [0xC3, 0x28], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF5], [0xF0, 0x9F, 0x98],
    ];

    private static readonly string[] Escapes = ["\\ud800", "\\udc00", "\\u0000", "\\\\", "\\\"", "\\u00e9", "\\/", "\\x41", "\\", "\\u12"];

    private static readonly string[] Tokens = ["null", "\"", "{", "}", "[", "]", ",", ":", "\\u", "\n\n", "\r", "data: ", "\0", "1e999", "}}}}", "]]]]"];

    private static readonly string[] SseSpecials =
    [
        "data: null", "data: [DONE]", "data:", "data: {}", "data: []", "data: \"x\"", "data: 42", "data: true", ": keep-alive",
        "event: error\ndata: {\"message\":\"boom\"}", "event: error\ndata: null", "event: message", "id: 5", "retry: 10",
        "data: {\"object\":\"error\",\"message\":\"overloaded\",\"type\":\"server_error\",\"code\":\"3000\"}",
        "data: {\"choices\":[]}", "data: {\"choices\":null}", "data: {\"choices\":[null]}", "data: {\"choices\":[{\"delta\":null,\"finish_reason\":\"\"}]}",
        "data", "event:", "data: {\"error\":\"x\"}", "data: {\"detail\":[{\"msg\":\"bad\"}]}",
    ];

    private static readonly string[] CommonHeaderValues = ["", " ", "garbage", "\u00ff", "a\r\nb: c", "-1", "0", "1e16", "Infinity", "NaN"];

    private static readonly (string Name, string[] Values)[] CommonHeaders =
    [
        ("Retry-After", ["0", "1", "-1", "1e16", "Infinity", "NaN", "99999999999999999999", "Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 01 Jan 0001 00:00:00 GMT", "2", "120"]),
        ("retry-after-ms", ["0", "250", "-5", "Infinity", "-Infinity", "1e16", "NaN", "1e308", "0x10", "  12  ", "86400001", "9e15"]),
        ("Content-Type", ["application/json", "text/event-stream", "text/plain", "text/html; charset=iso-8859-1", "application/json; charset=utf-16", "application/vnd.amazon.eventstream", "*/*", ";;;"]),
        ("Content-Encoding", ["gzip", "br", "identity"]),
    ];

    private readonly long _maxEventBytes = maxEventBytes;

    public FuzzInput Create(FuzzTarget target, ulong runSeed, long iteration, Rng rng)
    {
        var seed = rng.Pick(target.Seeds);
        var input = new FuzzInput
        {
            Target = target.Name,
            Call = rng.Pick(target.Calls),
            SeedName = seed.Name,
            Status = seed.Status,
            Headers = [.. seed.Headers],
            Body = seed.Body,
            RunSeed = runSeed,
            Iteration = iteration,
        };
        var log = input.Mutations;
        if (target.ErrorStatuses && (seed.Status < 400 || rng.Chance(0.3)))
        {
            input.Status = rng.Pick(ErrorStatuses);
            log.Add($"status {input.Status}");
        }

        if (!rng.Chance(0.03))
        {
            var body = seed.Body;
            var count = 1;
            while (count < 6 && rng.Chance(0.45))
            {
                count++;
            }

            for (var i = 0; i < count; i++)
            {
                body = MutateBody(target, seed.Format, body, rng, log);
                if (body.Length > MaxBody)
                {
                    body = body[..MaxBody];
                    log.Add($"cut to {MaxBody}");
                }
            }

            input.Body = body;
        }

        MutateHttp(target, input, rng);
        if (rng.Chance(0.3))
        {
            input.DefaultLimits = true;
            log.Add("the kit's default limits");
        }

        return input;
    }

    private byte[] MutateBody(FuzzTarget target, BodyFormat format, byte[] body, Rng rng, List<string> log)
    {
        var roll = rng.Next(100);
        return format switch
        {
            BodyFormat.Json when roll < 60 => MutateJson(target, body, rng, log),
            BodyFormat.ServerSentEvents when roll < 40 => MutateSse(body, rng, log),
            BodyFormat.ServerSentEvents when roll < 70 => MutateSseJson(target, body, rng, log),
            BodyFormat.EventStream when roll < 40 => MutateFrames(body, rng, log),
            BodyFormat.EventStream when roll < 70 => MutateFrameJson(target, body, rng, log),
            _ => MutateBytes(body, rng, log),
        };
    }

    // ---- JSON ---------------------------------------------------------------------------------------------------

    private static byte[] MutateJson(FuzzTarget target, byte[] json, Rng rng, List<string> log, string where = "json")
    {
        var values = JsonTokens.Values(json);
        if (values.Count == 0)
        {
            return MutateBytes(json, rng, log);
        }

        var value = rng.Pick(values);
        var at = $"{where}@{value.Start.ToString(CultureInfo.InvariantCulture)}";
        var dictionary = target.Dictionary;
        switch (rng.Next(13))
        {
            case 0:
            {
                var literal = rng.Next(3) switch { 0 => rng.Pick(Numbers), 1 => rng.Pick(Strings), _ => rng.Pick(Others) };
                log.Add($"{at} value {value.Kind} -> {literal}");
                return Replace(json, value.Start, value.End, Encoding.UTF8.GetBytes(literal));
            }

            case 1 when dictionary.Values.Count > 0:
            {
                var splice = rng.Pick(dictionary.Values);
                log.Add($"{at} value {value.Kind} -> seed value ({splice.Length} bytes)");
                return Replace(json, value.Start, value.End, splice);
            }

            case 2 when value.NameStart >= 0 && dictionary.Names.Count > 0:
            {
                var name = rng.Pick(dictionary.Names);
                var nameEnd = json.AsSpan(value.NameStart).IndexOf((byte)':');
                log.Add($"{at} key -> {Encoding.UTF8.GetString(name)}");
                return nameEnd < 0 ? json : Replace(json, value.NameStart, value.NameStart + nameEnd, name);
            }

            case 3 when value.NameStart >= 0:
            {
                // A duplicate key: the same property again, with the same or another value.
                var property = json[value.NameStart..value.End];
                if (rng.Chance(0.5))
                {
                    var literal = rng.Pick(rng.Chance(0.5) ? Numbers : Strings);
                    property = [.. json.AsSpan(value.NameStart, value.Start - value.NameStart), .. Encoding.UTF8.GetBytes(literal)];
                }

                log.Add($"{at} duplicate key");
                return Insert(json, rng.Chance(0.5) ? value.End : value.NameStart, rng.Chance(0.5) ? [(byte)',', .. property] : [.. property, (byte)',']);
            }

            case 4 when value.NameStart >= 0 || value.Start > 0:
            {
                var start = value.NameStart >= 0 ? value.NameStart : value.Start;
                log.Add($"{at} remove {(value.NameStart >= 0 ? "property" : "element")}");
                return RemoveListItem(json, start, value.End);
            }

            case 5 when value.NameStart < 0 && value.Start > 0:
                log.Add($"{at} duplicate element");
                return Insert(json, value.End, [(byte)',', .. json.AsSpan(value.Start, value.Length)]);

            case 6 when value.Kind == JsonTokenType.String && value.Length >= 2:
            {
                var bad = rng.Pick(InvalidUtf8);
                log.Add($"{at} invalid UTF-8 {Convert.ToHexString(bad)} in string");
                return Insert(json, rng.Next(value.Start + 1, value.End), bad);
            }

            case 7 when value.Kind == JsonTokenType.String && value.Length >= 2:
            {
                var escape = rng.Pick(Escapes);
                log.Add($"{at} escape {escape} in string");
                return Insert(json, rng.Next(value.Start + 1, value.End), Encoding.UTF8.GetBytes(escape));
            }

            case 8:
            {
                var depth = rng.Pick<int>([63, 65, 100, 1000, 20000]);
                var array = rng.Chance(0.5);
                var nested = array ? Repeat("[", depth, "", "]", depth) : Repeat("{\"a\":", depth, "1", "}", depth);
                log.Add($"{at} value -> nested {(array ? "arrays" : "objects")} depth {depth}");
                return Replace(json, value.Start, value.End, nested);
            }

            case 9:
            {
                var length = rng.Size(100_000);
                log.Add($"{at} value -> string of {length}");
                return Replace(json, value.Start, value.End, Filled("\"", 'a', length, "\""));
            }

            case 10:
            {
                var count = rng.Size(50_000);
                var element = rng.Pick<string>(["0,", "1.5,", "null,", "\"\",", "{},", "[],", "1e39,"]);
                log.Add($"{at} value -> array of {count} x {element.TrimEnd(',')}");
                return Replace(json, value.Start, value.End, Repeat("[", count, element, "0]", 1));
            }

            case 11 when !value.IsContainer:
                log.Add($"{at} value -> quoted");
                return value.Kind == JsonTokenType.String
                    ? Replace(json, value.Start, value.End, json.AsSpan(value.Start + 1, value.Length - 2).ToArray())
                    : Replace(json, value.Start, value.End, [(byte)'"', .. json.AsSpan(value.Start, value.Length), (byte)'"']);

            case 12 when value.IsContainer && value.Length > 2:
            {
                // An object's members in an array or an array's elements in an object: a type the mapper does not expect.
                var isObject = value.Kind == JsonTokenType.StartObject;
                var swapped = (byte[])json.Clone();
                swapped[value.Start] = (byte)(isObject ? '[' : '{');
                swapped[value.End - 1] = (byte)(isObject ? ']' : '}');
                log.Add($"{at} {(isObject ? "object -> array" : "array -> object")}");
                return swapped;
            }

            default:
                return MutateBytes(json, rng, log);
        }
    }

    /// <summary>Removes [start, end) from a list (object or array) with one of its separating commas.</summary>
    private static byte[] RemoveListItem(byte[] json, int start, int end)
    {
        var after = end;
        while (after < json.Length && json[after] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            after++;
        }

        if (after < json.Length && json[after] == (byte)',')
        {
            return Replace(json, start, after + 1, []);
        }

        var before = start - 1;
        while (before >= 0 && json[before] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            before--;
        }

        return before >= 0 && json[before] == (byte)',' ? Replace(json, before, end, []) : Replace(json, start, end, []);
    }

    // ---- server-sent events ---------------------------------------------------------------------------------------

    private byte[] MutateSse(byte[] body, Rng rng, List<string> log)
    {
        var document = SseDocument.Parse(body);
        var events = document.Events;
        if (events.Count == 0)
        {
            return MutateBytes(body, rng, log);
        }

        byte[] newline = document.CrLf ? "\r\n"u8.ToArray() : "\n"u8.ToArray();
        Func<byte[]> lineEnd = () => newline;
        var trailing = 2;
        var i = rng.Next(events.Count);
        switch (rng.Next(11))
        {
            case 0:
                events.RemoveAt(i);
                log.Add($"sse: remove event {i}");
                break;
            case 1:
                events.Insert(rng.Next(events.Count + 1), events[i].Copy());
                log.Add($"sse: duplicate event {i}");
                break;
            case 2:
            {
                var j = rng.Next(events.Count);
                (events[i], events[j]) = (events[j], events[i]);
                log.Add($"sse: swap events {i} and {j}");
                break;
            }

            case 3:
            {
                var moved = events[^1];
                events.RemoveAt(events.Count - 1);
                events.Insert(i, moved);
                log.Add($"sse: last event moved to {i}");
                break;
            }

            case 4:
            {
                var special = rng.Pick(SseSpecials);
                events.Insert(rng.Next(events.Count + 1), new SseEvent { Lines = [.. special.Split('\n').Select(Encoding.UTF8.GetBytes)] });
                log.Add($"sse: insert '{special}'");
                break;
            }

            case 5:
            {
                // A very long line, around the event limit or far past it.
                var length = rng.Next(6) switch
                {
                    0 => (int)_maxEventBytes - 9,
                    1 => (int)_maxEventBytes - 8,
                    2 => (int)_maxEventBytes,
                    3 => (int)_maxEventBytes * 2,
                    4 => rng.Size(1 << 20),
                    _ => rng.Size((int)_maxEventBytes),
                };
                length = Math.Max(1, length);
                var comment = rng.Chance(0.25);
                var line = comment ? Filled(":", 'x', length, string.Empty) : Filled("data: \"", 'a', length, "\"");
                var position = rng.Next(events.Count + 1);
                events.Insert(position, new SseEvent { Lines = [line] });
                // At the end, maybe without even its own line end: the reader buffers it until the body ends.
                var unterminated = position == events.Count - 1 && rng.Chance(0.5);
                trailing = unterminated ? 0 : 2;
                log.Add($"sse: insert {(comment ? "comment" : "data")} line of {length} bytes at {position}{(unterminated ? ", unterminated" : string.Empty)}");
                break;
            }

            case 6:
            {
                var lines = events[i].Lines;
                var k = rng.Next(lines.Count);
                var line = lines[k];
                if (line.Length > 7)
                {
                    var cut = rng.Next(6, line.Length);
                    lines[k] = line[..cut];
                    lines.Insert(k + 1, [.. "data: "u8, .. line.AsSpan(cut)]);
                    log.Add($"sse: data line of event {i} split at {cut}");
                }

                break;
            }

            case 7:
            {
                var mode = rng.Next(3);
                var mixed = new Rng(rng.NextUInt64());
                lineEnd = mode switch
                {
                    0 => () => "\r\n"u8.ToArray(),
                    1 => () => "\r"u8.ToArray(),
                    _ => () => mixed.Pick<byte[]>(["\n"u8.ToArray(), "\r\n"u8.ToArray(), "\r"u8.ToArray()]),
                };
                log.Add($"sse: line ends {(mode == 0 ? "CRLF" : mode == 1 ? "CR" : "mixed")}");
                break;
            }

            case 8:
                trailing = rng.Next(2);
                log.Add($"sse: {(trailing == 0 ? "no line end" : "no blank line")} after the last event");
                break;
            case 9:
            {
                var lines = events[i].Lines;
                var k = rng.Next(lines.Count);
                var field = rng.Pick<string>(["data", "Data:", "data:  ", "data:\t", "\ufeffdata: ", " data: ", "event: x\ndata: "]);
                var line = lines[k];
                var colon = Array.IndexOf(line, (byte)':');
                lines[k] = colon < 0 ? [.. Encoding.UTF8.GetBytes(field), .. line] : [.. Encoding.UTF8.GetBytes(field), .. line.AsSpan(colon + 1)];
                log.Add($"sse: event {i} line {k} field -> '{field}'");
                break;
            }

            default:
            {
                var cut = rng.Next(events.Count + 1);
                events.RemoveRange(cut, events.Count - cut);
                log.Add($"sse: events from {cut} on removed");
                break;
            }
        }

        return document.ToBytes(lineEnd, trailing);
    }

    private static byte[] MutateSseJson(FuzzTarget target, byte[] body, Rng rng, List<string> log)
    {
        var document = SseDocument.Parse(body);
        var candidates = document.Events.Where(e => e.Data() is { Length: > 1 } d && d[0] == (byte)'{').ToList();
        if (candidates.Count == 0)
        {
            return MutateBytes(body, rng, log);
        }

        var index = rng.Next(candidates.Count);
        var chosen = candidates[index];
        chosen.SetData(MutateJson(target, chosen.Data(), rng, log, $"event {document.Events.IndexOf(chosen)} json"));
        return document.ToBytes(() => document.CrLf ? "\r\n"u8.ToArray() : "\n"u8.ToArray());
    }

    // ---- event-stream frames --------------------------------------------------------------------------------------

    private static byte[] MutateFrames(byte[] body, Rng rng, List<string> log)
    {
        var parsed = EventStreamFrames.Parse(body);
        var raw = parsed.Raw;
        if (raw.Count == 0)
        {
            return MutateBytes(body, rng, log);
        }

        var i = rng.Next(raw.Count);
        var message = (byte[])raw[i].Clone();
        switch (rng.Next(12))
        {
            case 0:
                raw.RemoveAt(i);
                log.Add($"frames: remove {i}");
                break;
            case 1:
                raw.Insert(rng.Next(raw.Count + 1), message);
                log.Add($"frames: duplicate {i}");
                break;
            case 2:
            {
                var j = rng.Next(raw.Count);
                (raw[i], raw[j]) = (raw[j], raw[i]);
                log.Add($"frames: swap {i} and {j}");
                break;
            }

            case 3:
            {
                // A huge or impossible declared length; the prelude CRC fixed or not.
                var total = rng.Pick<uint>([0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 16 << 20, (16 << 20) + 1, 1 << 30, 15, 0, 16, (uint)message.Length + 1, (uint)message.Length - 1]);
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(message, total);
                var fix = rng.Next(3);
                FixCrcs(message, fix);
                raw[i] = message;
                log.Add($"frames: {i} total length -> {total} ({CrcNote(fix)})");
                break;
            }

            case 4:
            {
                var headers = rng.Pick<uint>([0, 1, (uint)message.Length, (uint)message.Length - 16, (uint)message.Length - 15, 0xFFFFFFFF, 0x80000000, 131072]);
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), headers);
                var fix = rng.Next(3);
                FixCrcs(message, fix);
                raw[i] = message;
                log.Add($"frames: {i} headers length -> {headers} ({CrcNote(fix)})");
                break;
            }

            case 5:
            {
                var prelude = rng.Chance(0.5);
                var offset = prelude ? 8 + rng.Next(4) : message.Length - 1 - rng.Next(4);
                message[offset] ^= (byte)(1 << rng.Next(8));
                raw[i] = message;
                log.Add($"frames: {i} bad {(prelude ? "prelude" : "message")} CRC");
                break;
            }

            case 6:
            case 7:
            {
                // A header made wrong (type, length, name) and both CRCs made right again: only the structure is wrong.
                var frame = parsed.Frames[i];
                if (frame.Headers.Count == 0)
                {
                    goto case 5;
                }

                var h = rng.Next(frame.Headers.Count);
                var header = frame.Headers[h];
                string what;
                switch (rng.Next(6))
                {
                    case 0:
                        var type = rng.Pick<byte>([0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 200, 255]);
                        frame.Headers[h] = header with { Type = type };
                        what = $"type -> {type}";
                        break;
                    case 1 when header.Value.Length >= 2 && header.Type is 6 or 7:
                        var length = rng.Pick<ushort>([0, 1, 0xFFFF, (ushort)(header.Value.Length - 1), (ushort)header.Value.Length]);
                        var value = (byte[])header.Value.Clone();
                        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(value, length);
                        frame.Headers[h] = header with { Value = value };
                        what = $"value length -> {length}";
                        break;
                    case 2:
                        frame.Headers.RemoveAt(h);
                        what = "removed";
                        break;
                    case 3:
                        frame.Headers.Add(header);
                        what = "repeated";
                        break;
                    case 4 when header.Type == 7:
                        var text = rng.Pick<string>(["event", "exception", "error", "messageStart", "contentBlockDelta", "contentBlockStop", "messageStop", "metadata", "throttlingException", "internalServerException", "validationException", "", "unknownEvent", "application/json", "text/plain"]);
                        var bytes = Encoding.UTF8.GetBytes(text);
                        frame.Headers[h] = header with { Value = [(byte)(bytes.Length >> 8), (byte)bytes.Length, .. bytes] };
                        what = $"value -> '{text}'";
                        break;
                    default:
                        var name = rng.Pick<string>([":event-type", ":message-type", ":content-type", ":exception-type", ":error-code", ":error-message", "", "x"]);
                        frame.Headers[h] = header with { Name = Encoding.UTF8.GetBytes(name) };
                        what = $"name -> '{name}'";
                        break;
                }

                raw[i] = frame.Encode();
                if (rng.Chance(0.3))
                {
                    // The name-length byte itself made wrong too, CRCs still right.
                    var encoded = raw[i];
                    if (encoded.Length > 13)
                    {
                        encoded[12] = rng.Pick<byte>([0, 1, 200, 255]);
                        EventStreamFrame.FixCrcs(encoded);
                        what += $", first name length -> {encoded[12]}";
                    }
                }

                log.Add($"frames: {i} header {h} {what} (CRCs fixed)");
                break;
            }

            case 8:
            {
                var cut = rng.Next(message.Length);
                raw[i] = message[..cut];
                raw.RemoveRange(i + 1, raw.Count - i - 1);
                log.Add($"frames: {i} cut at {cut}, rest removed");
                break;
            }

            case 9:
            {
                var frame = parsed.Frames[i];
                frame.Payload = rng.Pick<byte[]>([[], "null"u8.ToArray(), "[]"u8.ToArray(), "not json"u8.ToArray(), [0xFF, 0xFE], "{}"u8.ToArray(), "\"\""u8.ToArray()]);
                raw[i] = frame.Encode();
                log.Add($"frames: {i} payload -> {Encoding.UTF8.GetString(frame.Payload)} (CRCs fixed)");
                break;
            }

            case 10:
            {
                var garbage = new byte[rng.Size(64)];
                for (var k = 0; k < garbage.Length; k++)
                {
                    garbage[k] = (byte)rng.Next(256);
                }

                raw.Insert(rng.Next(raw.Count + 1), garbage);
                log.Add($"frames: {garbage.Length} garbage bytes between frames");
                break;
            }

            default:
            {
                // A frame with a huge payload whose lengths and CRCs are right: the limit must stop it.
                var frame = parsed.Frames[i];
                var size = rng.Size(1 << 21);
                frame.Payload = Filled("{\"p\":\"", 'a', size, "\"}");
                raw[i] = frame.Encode();
                log.Add($"frames: {i} payload of {size} bytes (CRCs fixed)");
                break;
            }
        }

        return [.. raw.SelectMany(r => r), .. parsed.Rest];
    }

    private static byte[] MutateFrameJson(FuzzTarget target, byte[] body, Rng rng, List<string> log)
    {
        var parsed = EventStreamFrames.Parse(body);
        var candidates = Enumerable.Range(0, parsed.Frames.Count).Where(i => parsed.Frames[i].Payload is { Length: > 1 } p && p[0] == (byte)'{').ToList();
        if (candidates.Count == 0)
        {
            return MutateBytes(body, rng, log);
        }

        var index = rng.Pick(candidates);
        var frame = parsed.Frames[index];
        frame.Payload = MutateJson(target, frame.Payload, rng, log, $"frame {index} json");
        parsed.Raw[index] = frame.Encode();
        return [.. parsed.Raw.SelectMany(r => r), .. parsed.Rest];
    }

    private static void FixCrcs(byte[] message, int how)
    {
        if (how == 0 || message.Length < 16)
        {
            return;
        }

        if (how == 1)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(8), System.IO.Hashing.Crc32.HashToUInt32(message.AsSpan(0, 8)));
        }
        else
        {
            EventStreamFrame.FixCrcs(message);
        }
    }

    private static string CrcNote(int how) => how switch { 0 => "CRCs stale", 1 => "prelude CRC fixed", _ => "both CRCs fixed" };

    // ---- bytes ----------------------------------------------------------------------------------------------------

    private static byte[] MutateBytes(byte[] body, Rng rng, List<string> log)
    {
        if (body.Length == 0)
        {
            var token = Encoding.UTF8.GetBytes(rng.Pick(Tokens));
            log.Add("bytes: empty body -> token");
            return token;
        }

        var at = rng.Next(body.Length);
        switch (rng.Next(10))
        {
            case 0:
            {
                var copy = (byte[])body.Clone();
                var flips = rng.Next(1, 9);
                for (var k = 0; k < flips; k++)
                {
                    copy[rng.Next(copy.Length)] ^= (byte)(1 << rng.Next(8));
                }

                log.Add($"bytes: {flips} bit flips");
                return copy;
            }

            case 1:
            {
                var copy = (byte[])body.Clone();
                copy[at] = rng.Pick<byte>([0x00, 0xFF, 0x7F, 0x80, (byte)'"', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)',', (byte)':', (byte)'\\', (byte)'\n', (byte)'\r', (byte)'-', (byte)'9']);
                log.Add($"bytes: byte {at} -> 0x{copy[at]:X2}");
                return copy;
            }

            case 2:
            {
                var bytes = new byte[rng.Next(1, 17)];
                for (var k = 0; k < bytes.Length; k++)
                {
                    bytes[k] = (byte)rng.Next(256);
                }

                log.Add($"bytes: {bytes.Length} random bytes inserted at {at}");
                return Insert(body, at, bytes);
            }

            case 3:
            {
                var length = Math.Min(rng.Size(32), body.Length - at);
                log.Add($"bytes: {length} bytes deleted at {at}");
                return Replace(body, at, at + length, []);
            }

            case 4:
                log.Add($"bytes: truncated to {at}");
                return body[..at];
            case 5:
            {
                var length = Math.Min(rng.Size(body.Length), body.Length - at);
                var to = rng.Next(body.Length + 1);
                log.Add($"bytes: region [{at}, {at + length}) duplicated at {to}");
                return Insert(body, to, body.AsSpan(at, length).ToArray());
            }

            case 6:
            {
                var length = Math.Min(rng.Size(body.Length), body.Length - at);
                log.Add($"bytes: region [{at}, {at + length}) removed");
                return Replace(body, at, at + length, []);
            }

            case 7:
            {
                var bad = rng.Pick(InvalidUtf8);
                log.Add($"bytes: invalid UTF-8 {Convert.ToHexString(bad)} at {at}");
                return Insert(body, at, bad);
            }

            case 8:
            {
                var token = rng.Pick(Tokens);
                log.Add($"bytes: '{token}' inserted at {at}");
                return Insert(body, at, Encoding.UTF8.GetBytes(token));
            }

            default:
            {
                var length = rng.Next(1, 9);
                var copy = (byte[])body.Clone();
                for (var k = 0; k < length && at + k < copy.Length; k++)
                {
                    copy[at + k] = (byte)rng.Next(256);
                }

                log.Add($"bytes: {length} bytes overwritten at {at}");
                return copy;
            }
        }
    }

    // ---- the HTTP answer around the body ------------------------------------------------------------------------

    private static void MutateHttp(FuzzTarget target, FuzzInput input, Rng rng)
    {
        var log = input.Mutations;
        if (!target.ErrorStatuses && rng.Chance(0.03))
        {
            input.Status = rng.Chance(0.5) ? rng.Pick(OddStatuses) : rng.Pick(ErrorStatuses);
            log.Add($"status {input.Status}");
        }

        if (rng.Chance(target.ErrorStatuses ? 0.5 : 0.15))
        {
            var count = rng.Next(1, 4);
            for (var k = 0; k < count; k++)
            {
                var (name, values) = rng.Chance(0.5) && target.Provider.Headers.Count > 0 ? rng.Pick(target.Provider.Headers) : rng.Pick(CommonHeaders);
                var value = rng.Chance(0.85) ? rng.Pick(values) : rng.Pick(CommonHeaderValues);
                input.Headers.RemoveAll(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase) && rng.Chance(0.7));
                input.Headers.Add(new(name, value));
                log.Add($"header {name}: {value}");
            }
        }

        if (input.Headers.Count > 0 && rng.Chance(0.05))
        {
            var k = rng.Next(input.Headers.Count);
            log.Add($"header {input.Headers[k].Key} removed");
            input.Headers.RemoveAt(k);
        }

        var delivery = rng.Next(100);
        if (delivery < 12 && input.Body.Length <= 4 << 10)
        {
            // One byte per read, for bodies that take no more than a few milliseconds so.
            input.Delivery = Delivery.OneByte;
            log.Add("1 byte per read");
        }
        else if (delivery < 24)
        {
            input.Delivery = Delivery.Chunks;
            input.DeliveryParameter = rng.Next(int.MaxValue);
            log.Add($"odd chunks ({input.DeliveryParameter})");
        }
        else if (delivery < 30)
        {
            input.Delivery = Delivery.Reset;
            input.DeliveryParameter = rng.Next(input.Body.Length + 1);
            log.Add($"reset after {input.DeliveryParameter} bytes");
        }

        var length = rng.Next(100);
        if (length < 12)
        {
            input.ContentLength = input.Body.Length;
            log.Add("Content-Length exact");
        }
        else if (length < 25)
        {
            input.ContentLength = rng.Pick<long>([0, Math.Max(0, input.Body.Length - 1), input.Body.Length + 1, input.Body.Length / 2, int.MaxValue, 1L << 32, 1L << 62, long.MaxValue, 65 << 20]);
            input.EnforceLength = rng.Chance(0.5);
            log.Add($"Content-Length {input.ContentLength} for {input.Body.Length} bytes{(input.EnforceLength ? ", enforced like a socket" : ", a plain lie")}");
        }
    }

    private static byte[] Replace(byte[] body, int start, int end, ReadOnlySpan<byte> with) => [.. body.AsSpan(0, start), .. with, .. body.AsSpan(end)];

    /// <summary><paramref name="head"/>, <paramref name="count"/> times <paramref name="fill"/>, then <paramref name="tail"/> (ASCII).</summary>
    private static byte[] Filled(string head, char fill, int count, string tail)
    {
        var bytes = new byte[head.Length + count + tail.Length];
        Encoding.ASCII.GetBytes(head, bytes);
        bytes.AsSpan(head.Length, count).Fill((byte)fill);
        Encoding.ASCII.GetBytes(tail, bytes.AsSpan(head.Length + count));
        return bytes;
    }

    /// <summary><paramref name="open"/> × <paramref name="depth"/>, <paramref name="middle"/>, <paramref name="close"/> × <paramref name="closeCount"/> (ASCII).</summary>
    private static byte[] Repeat(string open, int depth, string middle, string close, int closeCount)
    {
        var bytes = new byte[(open.Length * depth) + middle.Length + (close.Length * closeCount)];
        var span = bytes.AsSpan();
        for (var i = 0; i < depth; i++, span = span[open.Length..])
        {
            Encoding.ASCII.GetBytes(open, span);
        }

        Encoding.ASCII.GetBytes(middle, span);
        span = span[middle.Length..];
        for (var i = 0; i < closeCount; i++, span = span[close.Length..])
        {
            Encoding.ASCII.GetBytes(close, span);
        }

        return bytes;
    }

    private static byte[] Insert(byte[] body, int at, ReadOnlySpan<byte> bytes) => Replace(body, at, at, bytes);
}
