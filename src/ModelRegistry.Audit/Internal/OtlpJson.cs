using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;

namespace ModelRegistry.Audit.Internal;

/// <summary>
/// Writes spans as OTLP/JSON (the protobuf JSON mapping of <c>ExportTraceServiceRequest</c>): resourceSpans, then one
/// scopeSpans per ActivitySource, ids as lowercase hex, times as unix nanoseconds in strings, attributes as typed values.
/// Message content is left out unless captured, and credential-looking attributes always are.
/// </summary>
internal static class OtlpJson
{
    /// <summary>gen_ai attributes that carry message content (MEAI's and the semantic conventions' older names).</summary>
    private static readonly HashSet<string> ContentAttributes = new(StringComparer.Ordinal)
    {
        "gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.system_instructions",
        "gen_ai.tool.call.arguments", "gen_ai.tool.call.result", "gen_ai.prompt", "gen_ai.completion",
    };

    /// <summary>Parts of attribute names whose values are credentials: such attributes are never written.</summary>
    private static readonly string[] SecretNameParts =
    [
        "authorization", "api_key", "api-key", "apikey", "password", "secret", "session_token", "security_token",
        "security-token", "access_token", "cookie",
    ];

    private static readonly long UnixEpochTicks = DateTime.UnixEpoch.Ticks;

    /// <summary>Serialises the spans and gzips them.</summary>
    public static byte[] Gzip(IReadOnlyList<Activity> spans, IEnumerable<KeyValuePair<string, object>> resource, bool captureContent)
    {
        var json = new ArrayBufferWriter<byte>(1024 + (spans.Count * 1024));
        using (var writer = new Utf8JsonWriter(json))
        {
            Write(writer, spans, resource, captureContent);
        }

        using var output = new MemoryStream(json.WrittenCount / 4);
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(json.WrittenSpan);
        }

        return output.ToArray();
    }

    /// <summary>Writes one <c>ExportTraceServiceRequest</c> holding the spans under one resource.</summary>
    public static void Write(Utf8JsonWriter writer, IReadOnlyList<Activity> spans, IEnumerable<KeyValuePair<string, object>> resource, bool captureContent)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("resourceSpans");
        writer.WriteStartObject();
        writer.WriteStartObject("resource");
        WriteAttributes(writer, resource.Select(a => new KeyValuePair<string, object?>(a.Key, a.Value)), captureContent);
        writer.WriteEndObject();
        writer.WriteStartArray("scopeSpans");
        foreach (var scope in spans.GroupBy(s => (s.Source.Name, s.Source.Version)))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("scope");
            writer.WriteString("name", scope.Key.Name);
            if (!string.IsNullOrEmpty(scope.Key.Version))
            {
                writer.WriteString("version", scope.Key.Version);
            }

            writer.WriteEndObject();
            writer.WriteStartArray("spans");
            foreach (var span in scope)
            {
                WriteSpan(writer, span, captureContent);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteSpan(Utf8JsonWriter writer, Activity span, bool captureContent)
    {
        writer.WriteStartObject();
        writer.WriteString("traceId", span.TraceId.ToHexString());
        writer.WriteString("spanId", span.SpanId.ToHexString());
        if (span.TraceStateString is { Length: > 0 } traceState)
        {
            writer.WriteString("traceState", traceState);
        }

        if (span.ParentSpanId != default)
        {
            writer.WriteString("parentSpanId", span.ParentSpanId.ToHexString());
        }

        writer.WriteString("name", span.DisplayName);
        writer.WriteNumber("kind", (int)span.Kind + 1); // OTLP: 0 is unspecified, then internal, server, client, producer, consumer.
        writer.WriteString("startTimeUnixNano", UnixNanos(span.StartTimeUtc));
        writer.WriteString("endTimeUnixNano", UnixNanos(span.StartTimeUtc + span.Duration));
        writer.WritePropertyName("attributes");
        WriteAttributeArray(writer, span.TagObjects, captureContent);

        writer.WriteStartArray("events");
        foreach (var spanEvent in span.Events)
        {
            if (!captureContent && IsContentEvent(spanEvent.Name))
            {
                continue;
            }

            writer.WriteStartObject();
            writer.WriteString("timeUnixNano", UnixNanos(spanEvent.Timestamp.UtcDateTime));
            writer.WriteString("name", spanEvent.Name);
            writer.WritePropertyName("attributes");
            WriteAttributeArray(writer, spanEvent.Tags, captureContent);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();

        writer.WriteStartArray("links");
        foreach (var link in span.Links)
        {
            writer.WriteStartObject();
            writer.WriteString("traceId", link.Context.TraceId.ToHexString());
            writer.WriteString("spanId", link.Context.SpanId.ToHexString());
            if (link.Tags is { } linkTags)
            {
                writer.WritePropertyName("attributes");
                WriteAttributeArray(writer, linkTags, captureContent);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();

        writer.WriteStartObject("status");
        writer.WriteNumber("code", (int)span.Status); // Unset 0, Ok 1, Error 2, as in OTLP.
        if (span.Status == ActivityStatusCode.Error && span.StatusDescription is { Length: > 0 } description)
        {
            writer.WriteString("message", description);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteAttributes(Utf8JsonWriter writer, IEnumerable<KeyValuePair<string, object?>> attributes, bool captureContent)
    {
        writer.WritePropertyName("attributes");
        WriteAttributeArray(writer, attributes, captureContent);
    }

    private static void WriteAttributeArray(Utf8JsonWriter writer, IEnumerable<KeyValuePair<string, object?>> attributes, bool captureContent)
    {
        writer.WriteStartArray();
        foreach (var (key, value) in attributes)
        {
            if (value is null || IsSecret(key) || (!captureContent && ContentAttributes.Contains(key)))
            {
                continue;
            }

            writer.WriteStartObject();
            writer.WriteString("key", key);
            writer.WritePropertyName("value");
            WriteValue(writer, value);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>An OTLP <c>AnyValue</c>: 64-bit integers as strings, as the protobuf JSON mapping requires.</summary>
    private static void WriteValue(Utf8JsonWriter writer, object value)
    {
        writer.WriteStartObject();
        switch (value)
        {
            case string text:
                writer.WriteString("stringValue", text);
                break;
            case bool flag:
                writer.WriteBoolean("boolValue", flag);
                break;
            case byte or sbyte or short or ushort or int or uint or long:
                writer.WriteString("intValue", Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
                break;
            case float or double or decimal:
                writer.WriteNumber("doubleValue", Convert.ToDouble(value, CultureInfo.InvariantCulture));
                break;
            case byte[] bytes:
                writer.WriteBase64String("bytesValue", bytes);
                break;
            case System.Collections.IEnumerable items:
                writer.WriteStartObject("arrayValue");
                writer.WriteStartArray("values");
                foreach (var item in items)
                {
                    if (item is not null)
                    {
                        WriteValue(writer, item);
                    }
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
                break;
            default:
                writer.WriteString("stringValue", Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }

        writer.WriteEndObject();
    }

    private static bool IsContentEvent(string name) =>
        name.StartsWith("gen_ai.", StringComparison.Ordinal) && (name.EndsWith(".message", StringComparison.Ordinal) || name == "gen_ai.choice");

    private static bool IsSecret(string key)
    {
        foreach (var part in SecretNameParts)
        {
            if (key.Contains(part, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static string UnixNanos(DateTime utc) =>
        ((utc.Ticks - UnixEpochTicks) * 100).ToString(CultureInfo.InvariantCulture);
}
