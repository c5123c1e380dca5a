using System.Text.Json;
using Microsoft.Extensions.Logging;
using ModelRegistry.Providers;

namespace ModelRegistry.Emf.Internal;

/// <summary>
/// Serializes one call as one EMF line with a <see cref="Utf8JsonWriter"/> into a pooled buffer (writer and buffer
/// are reused per thread), then hands the bytes to the sink. Values CloudWatch would reject are dropped with a warning.
/// </summary>
internal static partial class EmfLineWriter
{
    private const int MetricCount = 10;
    private const int InputTokens = 0, OutputTokens = 1, CacheReadTokens = 2, CacheWriteTokens = 3, Latency = 4,
        TimeToFirstToken = 5, Invocations = 6, Errors = 7, Throttles = 8, Cost = 9;

    // The document's shape is fixed by this class and checked by its tests, so the writer's structural validation is skipped.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = EmfNames.Encoder, Indented = false, SkipValidation = true };

    [ThreadStatic]
    private static PooledBufferWriter? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>Writes the line of a call to the sink. Never throws: a failure is logged as a warning.</summary>
    public static void Emit(EmfSettings settings, EmfIdentity identity, in EmfCall call, EmfSink sink, ILogger logger)
    {
        // Take the thread's writer and buffer (a sink that re-enters gets fresh ones) and give them back afterwards.
        var buffer = t_buffer ?? new PooledBufferWriter();
        var writer = t_writer;
        t_buffer = null;
        t_writer = null;
        try
        {
            if (writer is null)
            {
                writer = new Utf8JsonWriter(buffer, WriterOptions);
            }
            else
            {
                writer.Reset(buffer);
            }

            WriteDocument(writer, settings, identity, call, logger);
            writer.Flush();
            buffer.GetSpan(1)[0] = (byte)'\n';
            buffer.Advance(1);
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
            t_writer = writer;
        }
    }

    private static void WriteDocument(Utf8JsonWriter writer, EmfSettings settings, EmfIdentity identity, in EmfCall call, ILogger logger)
    {
        Span<double> values = stackalloc double[MetricCount];
        Span<bool> present = stackalloc bool[MetricCount];
        CollectMetrics(identity, call, values, present, logger);

        writer.WriteStartObject();
        writer.WriteStartObject(EmfNames.AwsKey);
        writer.WriteNumber(EmfNames.Timestamp, call.TimestampMilliseconds);
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
                if (present[i])
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

        WriteProperties(writer, call);
        for (var i = 0; i < MetricCount; i++)
        {
            if (present[i])
            {
                WriteNumber(writer, EmfNames.MetricDefinitions[i].Name, values[i]);
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>Counts are whole numbers: writing them as integers is several times faster than formatting a double.</summary>
    private static void WriteNumber(Utf8JsonWriter writer, JsonEncodedText name, double value)
    {
        if (value == Math.Floor(value) && Math.Abs(value) < 9e15)
        {
            writer.WriteNumber(name, (long)value);
        }
        else
        {
            writer.WriteNumber(name, value);
        }
    }

    private static void CollectMetrics(EmfIdentity identity, in EmfCall call, Span<double> values, Span<bool> present, ILogger logger)
    {
        values[InputTokens] = call.InputTokens;
        values[OutputTokens] = call.OutputTokens;
        values[CacheReadTokens] = call.CacheReadTokens;
        values[CacheWriteTokens] = call.CacheWriteTokens;
        values[Latency] = call.LatencyMilliseconds;
        values[Invocations] = 1;
        values[Errors] = call.Outcome == AttemptOutcome.Error ? 1 : 0;
        values[Throttles] = AttemptFailure.IsThrottling(call.Error) ? 1 : 0;
        present.Fill(true);

        present[TimeToFirstToken] = call.TimeToFirstTokenMilliseconds.HasValue;
        values[TimeToFirstToken] = call.TimeToFirstTokenMilliseconds.GetValueOrDefault();

        present[Cost] = identity.Pricing is not null;
        if (identity.Pricing is { } pricing)
        {
            values[Cost] = (double)pricing.CostOf(call.InputTokens, call.OutputTokens, call.CacheReadTokens, call.CacheWriteTokens);
        }

        for (var i = 0; i < MetricCount; i++)
        {
            if (present[i] && !double.IsFinite(values[i]))
            {
                present[i] = false;
                Log.ValueDropped(logger, EmfNames.MetricDefinitions[i].Name.ToString(), values[i]);
            }
        }
    }

    private static void WriteProperties(Utf8JsonWriter writer, in EmfCall call)
    {
        if (call.ProviderModelId is { } modelId)
        {
            writer.WriteString(EmfNames.ProviderModelId, modelId);
        }

        writer.WriteString(EmfNames.Outcome, EmfNames.OutcomeValues[(int)call.Outcome]);
        if (call.FinishReason is { } finishReason)
        {
            writer.WriteString(EmfNames.FinishReason, finishReason);
        }

        if (call.ResponseId is { } responseId)
        {
            writer.WriteString(EmfNames.ResponseId, responseId);
        }

        if (call.ActivityTraceId is { } traceId)
        {
            Span<byte> bytes = stackalloc byte[16];
            Span<char> hex = stackalloc char[32];
            traceId.CopyTo(bytes);
            Convert.TryToHexStringLower(bytes, hex, out _);
            writer.WriteString(EmfNames.TraceId, hex);
        }
        else if (call.XRayTraceHeader is { } header)
        {
            writer.WriteString(EmfNames.TraceId, XRayRoot(header));
        }

        if (call.Outcome == AttemptOutcome.Error && call.Error is { } error)
        {
            writer.WriteString(EmfNames.ErrorType, error.GetType().FullName);
            if (error is ModelProviderException { ErrorCode: { } code })
            {
                writer.WriteString(EmfNames.ErrorCode, code);
            }

            if (AttemptFailure.StatusCodeOf(error) is { } status)
            {
                writer.WriteNumber(EmfNames.HttpStatusCode, status);
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
