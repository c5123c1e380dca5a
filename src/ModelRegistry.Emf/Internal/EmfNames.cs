using System.Text.Encodings.Web;
using System.Text.Json;
using ModelRegistry.Providers;

namespace ModelRegistry.Emf.Internal;

/// <summary>The member names of a line: the EMF metadata, our metrics and our properties, pre-encoded.</summary>
internal static class EmfNames
{
    /// <summary>The <c>UsageDetails.AdditionalCounts</c> key provider packages use for tokens written to the prompt cache.</summary>
    public const string CacheWriteAdditionalCount = RegistryProperties.CacheWriteInputTokens;

    public const string Aws = "_aws";

    /// <summary>Relaxed escaping keeps model ids and trace ids readable; control characters are still escaped, so a line stays one line.</summary>
    public static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    public static readonly JsonEncodedText AwsKey = Encode(Aws);
    public static readonly JsonEncodedText Timestamp = Encode("Timestamp");
    public static readonly JsonEncodedText CloudWatchMetrics = Encode("CloudWatchMetrics");
    public static readonly JsonEncodedText Namespace = Encode("Namespace");
    public static readonly JsonEncodedText Dimensions = Encode("Dimensions");
    public static readonly JsonEncodedText Metrics = Encode("Metrics");
    public static readonly JsonEncodedText Name = Encode("Name");
    public static readonly JsonEncodedText Unit = Encode("Unit");
    public static readonly JsonEncodedText StorageResolution = Encode("StorageResolution");

    public static readonly JsonEncodedText Count = Encode("Count");
    public static readonly JsonEncodedText Milliseconds = Encode("Milliseconds");
    public static readonly JsonEncodedText None = Encode("None");

    public static readonly JsonEncodedText Model = Encode(EmfMetricsOptions.ModelDimension);
    public static readonly JsonEncodedText Provider = Encode(EmfMetricsOptions.ProviderDimension);
    public static readonly JsonEncodedText ProviderModelId = Encode("ProviderModelId");
    public static readonly JsonEncodedText Outcome = Encode("Outcome");
    public static readonly JsonEncodedText FinishReason = Encode("FinishReason");
    public static readonly JsonEncodedText ResponseId = Encode("ResponseId");
    public static readonly JsonEncodedText TraceId = Encode("TraceId");
    public static readonly JsonEncodedText ErrorType = Encode("ErrorType");
    public static readonly JsonEncodedText ErrorCode = Encode("ErrorCode");
    public static readonly JsonEncodedText HttpStatusCode = Encode("HttpStatusCode");

    public static readonly JsonEncodedText[] OutcomeValues =
        [Encode(nameof(AttemptOutcome.Success)), Encode(nameof(AttemptOutcome.Error)), Encode(nameof(AttemptOutcome.Cancelled)), Encode(nameof(AttemptOutcome.Abandoned))];

    /// <summary>Every metric a line can carry, in the order written: name and unit.</summary>
    public static readonly (JsonEncodedText Name, JsonEncodedText Unit)[] MetricDefinitions =
    [
        (Encode("InputTokens"), Count),
        (Encode("OutputTokens"), Count),
        (Encode("CacheReadTokens"), Count),
        (Encode("CacheWriteTokens"), Count),
        (Encode("Latency"), Milliseconds),
        (Encode("TimeToFirstToken"), Milliseconds),
        (Encode("Invocations"), Count),
        (Encode("Errors"), Count),
        (Encode("Throttles"), Count),
        (Encode("Cost"), None),
    ];

    /// <summary>The root members carrying the metric values, as written before each value: <c>,"InputTokens":</c>.</summary>
    public static readonly byte[][] MetricMembers =
        [.. MetricDefinitions.Select(m => (byte[])[.. ",\""u8, .. m.Name.EncodedUtf8Bytes, .. "\":"u8])];

    /// <summary>Root members a default dimension may not be called: the metadata, every metric and every property we write.</summary>
    public static readonly HashSet<string> Reserved = new(
        [Aws, .. MetricDefinitions.Select(m => m.Name.ToString()),
         .. new[] { Model, Provider, ProviderModelId, Outcome, FinishReason, ResponseId, TraceId, ErrorType, ErrorCode, HttpStatusCode }.Select(n => n.ToString())],
        StringComparer.Ordinal);

    public static JsonEncodedText Encode(string value) => JsonEncodedText.Encode(value, Encoder);
}
