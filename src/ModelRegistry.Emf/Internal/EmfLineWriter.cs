using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ModelRegistry.Providers;

namespace ModelRegistry.Emf.Internal;

/// <summary>
/// Writes one call as one EMF line straight into a pooled UTF-8 buffer (reused per thread), then hands the bytes to
/// the sink. What is the same on every line of a client (the EMF metadata, Model, Provider and the default
/// dimensions) is written once per <see cref="EmfIdentity"/> with a <see cref="Utf8JsonWriter"/> and cached as bytes;
/// per call only the timestamp, the properties and the metric values are formatted. Values CloudWatch would reject
/// are dropped with a warning.
/// </summary>
internal static partial class EmfLineWriter
{
    private const int MetricCount = 10;
    private const int InputTokens = 0, OutputTokens = 1, CacheReadTokens = 2, CacheWriteTokens = 3, Latency = 4,
        TimeToFirstToken = 5, Invocations = 6, Errors = 7, Throttles = 8, Cost = 9;

    /// <summary>The metrics every line carries: all but the time to first token (streams only) and the cost (priced entries only).</summary>
    private const int AlwaysPresent = ((1 << MetricCount) - 1) & ~(1 << TimeToFirstToken) & ~(1 << Cost);

    // The document's shape is fixed by this class and checked by its tests, so the writer's structural validation is skipped.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = EmfNames.Encoder, Indented = false, SkipValidation = true };

    /// <summary>How every line starts; the timestamp follows.</summary>
    private static ReadOnlySpan<byte> LineStart => "{\"_aws\":{\"Timestamp\":"u8;

    [ThreadStatic]
    private static PooledBufferWriter? t_buffer;

    /// <summary>Writes the line of a call to the sink. Never throws: a failure is logged as a warning.</summary>
    public static void Emit(EmfSettings settings, EmfIdentity identity, in EmfCall call, EmfSink sink, ILogger logger)
    {
        // Take the thread's buffer (a sink that re-enters gets a fresh one) and give it back afterwards.
        var buffer = t_buffer ?? new PooledBufferWriter();
        t_buffer = null;
        try
        {
            Span<double> values = stackalloc double[MetricCount];
            var present = CollectMetrics(identity, call, values, logger);

            buffer.Write(LineStart);
            buffer.WriteNumber(call.TimestampMilliseconds);
            buffer.Write(Template(settings, identity, present));
            WriteProperties(buffer, call);
            for (var i = 0; i < MetricCount; i++)
            {
                if ((present & (1 << i)) != 0)
                {
                    buffer.Write(EmfNames.MetricMembers[i]);
                    WriteNumber(buffer, values[i]);
                }
            }

            buffer.Write("}\n"u8);
            if (buffer.WrittenCount > EmfRules.MaxLineBytes)
            {
                Log.LineTooLarge(logger, buffer.WrittenCount, EmfRules.MaxLineBytes);
                return;
            }

            sink.Write(buffer.WrittenSpan);
        }
        catch (Exception ex)
        {
            Log.EmitFailed(logger, ex);
        }
        finally
        {
            buffer.Release();
            t_buffer = buffer;
        }
    }

    /// <summary>
    /// The part of the line between the timestamp and the properties for a set of present metrics: cached on the
    /// identity for the two usual sets (response, stream), written anew for a line that drops a value.
    /// </summary>
    private static byte[] Template(EmfSettings settings, EmfIdentity identity, int present)
    {
        var usual = present | (1 << TimeToFirstToken);
        if (usual != (AlwaysPresent | (1 << TimeToFirstToken) | (identity.Pricing is null ? 0 : 1 << Cost)))
        {
            return CreateTemplate(settings, identity, present);
        }

        // Racing threads build equal arrays; whichever is stored last is kept.
        var index = (present >> TimeToFirstToken) & 1;
        return identity.LineTemplates[index] ??= CreateTemplate(settings, identity, present);
    }

    /// <summary>Writes <c>{"_aws":{"Timestamp":0,...},"Model":...}</c> and keeps what follows the 0 up to the last brace.</summary>
    private static byte[] CreateTemplate(EmfSettings settings, EmfIdentity identity, int present)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartObject(EmfNames.AwsKey);
            writer.WriteNumber(EmfNames.Timestamp, 0);
            writer.WriteStartArray(EmfNames.CloudWatchMetrics);
            if (identity.Sets.Length > 0)
            {
                writer.WriteStartObject();
                writer.WriteString(EmfNames.Namespace, settings.Namespace);
                writer.WriteStartArray(EmfNames.Dimensions);
                foreach (var set in identity.Sets)
                {
                    writer.WriteStartArray();
                    foreach (var key in set)
                    {
                        writer.WriteStringValue(key);
                    }

                    writer.WriteEndArray();
                }

                writer.WriteEndArray();
                writer.WriteStartArray(EmfNames.Metrics);
                for (var i = 0; i < MetricCount; i++)
                {
                    if ((present & (1 << i)) != 0)
                    {
                        var (name, unit) = EmfNames.MetricDefinitions[i];
                        writer.WriteStartObject();
                        writer.WriteString(EmfNames.Name, name);
                        writer.WriteString(EmfNames.Unit, unit);
                        if (settings.HighResolution)
                        {
                            writer.WriteNumber(EmfNames.StorageResolution, 1);
                        }

                        writer.WriteEndObject();
                    }
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();

            writer.WriteString(EmfNames.Model, identity.Model);
            writer.WriteString(EmfNames.Provider, identity.Provider);
            foreach (var (key, value) in settings.DefaultDimensions)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        }

        var start = LineStart.Length + 1; // after the timestamp 0
        return buffer.WrittenSpan[start..^1].ToArray();
    }

    /// <summary>Counts are whole numbers: writing them as integers is several times faster than formatting a double.</summary>
    private static void WriteNumber(PooledBufferWriter buffer, double value)
    {
        if (value == Math.Floor(value) && Math.Abs(value) < 9e15)
        {
            buffer.WriteNumber((long)value);
        }
        else
        {
            buffer.WriteNumber(value);
        }
    }

    /// <summary>Fills the values and returns the set of metrics to write, one bit per metric.</summary>
    private static int CollectMetrics(EmfIdentity identity, in EmfCall call, Span<double> values, ILogger logger)
    {
        values[InputTokens] = call.InputTokens;
        values[OutputTokens] = call.OutputTokens;
        values[CacheReadTokens] = call.CacheReadTokens;
        values[CacheWriteTokens] = call.CacheWriteTokens;
        values[Latency] = call.LatencyMilliseconds;
        values[Invocations] = 1;
        values[Errors] = call.Outcome == AttemptOutcome.Error ? 1 : 0;
        values[Throttles] = call.Error is not null && AttemptFailure.IsThrottling(call.Error) ? 1 : 0;
        var present = AlwaysPresent;

        if (call.TimeToFirstTokenMilliseconds is { } timeToFirstToken)
        {
            present |= 1 << TimeToFirstToken;
            values[TimeToFirstToken] = timeToFirstToken;
        }

        if (identity.Pricing is { } pricing)
        {
            present |= 1 << Cost;
            values[Cost] = (double)pricing.CostOf(call.InputTokens, call.OutputTokens, call.CacheReadTokens, call.CacheWriteTokens);
        }

        for (var i = 0; i < MetricCount; i++)
        {
            if ((present & (1 << i)) != 0 && !double.IsFinite(values[i]))
            {
                present &= ~(1 << i);
                Log.ValueDropped(logger, EmfNames.MetricDefinitions[i].Name.ToString(), values[i]);
            }
        }

        return present;
    }

    private static void WriteProperties(PooledBufferWriter buffer, in EmfCall call)
    {
        if (call.ProviderModelId is { } modelId)
        {
            buffer.Write(",\"ProviderModelId\":"u8);
            buffer.WriteString(modelId);
        }

        buffer.Write(",\"Outcome\":"u8);
        buffer.Write(EmfNames.OutcomeValues[(int)call.Outcome].EncodedUtf8Bytes, quoted: true);
        if (call.FinishReason is { } finishReason)
        {
            buffer.Write(",\"FinishReason\":"u8);
            buffer.WriteString(finishReason);
        }

        if (call.ResponseId is { } responseId)
        {
            buffer.Write(",\"ResponseId\":"u8);
            buffer.WriteString(responseId);
        }

        if (call.ActivityTraceId is { } traceId)
        {
            Span<byte> bytes = stackalloc byte[16];
            Span<char> hex = stackalloc char[32];
            traceId.CopyTo(bytes);
            Convert.TryToHexStringLower(bytes, hex, out _);
            buffer.Write(",\"TraceId\":"u8);
            buffer.WriteString(hex);
        }
        else if (call.XRayTraceHeader is { } header)
        {
            buffer.Write(",\"TraceId\":"u8);
            buffer.WriteString(XRayRoot(header));
        }

        if (call.Outcome == AttemptOutcome.Error && call.Error is { } error)
        {
            if (error.GetType().FullName is { } errorType)
            {
                buffer.Write(",\"ErrorType\":"u8);
                buffer.WriteString(errorType);
            }

            if (error is ModelProviderException { ErrorCode: { } code })
            {
                buffer.Write(",\"ErrorCode\":"u8);
                buffer.WriteString(code);
            }

            if (AttemptFailure.StatusCodeOf(error) is { } status)
            {
                buffer.Write(",\"HttpStatusCode\":"u8);
                buffer.WriteNumber(status);
            }
        }
    }

    /// <summary>The <c>Root=</c> part of an X-Ray header (<c>Root=1-...;Parent=...;Sampled=1</c>), else the whole header.</summary>
    internal static ReadOnlySpan<char> XRayRoot(string header)
    {
        foreach (var range in header.AsSpan().Split(';'))
        {
            var part = header.AsSpan()[range].Trim();
            if (part.StartsWith("Root=", StringComparison.Ordinal))
            {
                return part["Root=".Length..];
            }
        }

        return header.AsSpan().Trim();
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "EMF metric {Metric} has the value {Value}, which CloudWatch rejects; it is left out of the line.")]
        public static partial void ValueDropped(ILogger logger, string metric, double value);

        [LoggerMessage(2, LogLevel.Warning, "An EMF line of {Size} bytes is larger than the {Limit} bytes CloudWatch accepts; it is dropped.")]
        public static partial void LineTooLarge(ILogger logger, int size, int limit);

        [LoggerMessage(3, LogLevel.Warning, "Writing an EMF metrics line failed; the call's metrics are lost, the call itself is unaffected.")]
        public static partial void EmitFailed(ILogger logger, Exception exception);
    }
}
