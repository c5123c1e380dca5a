using System.Text.Json.Serialization;

namespace ModelRegistry.Samples.Lambda;

/// <summary>Source-generated JSON for the event and the answer (camelCase, as the event's own keys).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ChatEvent))]
[JsonSerializable(typeof(ChatReply))]
internal sealed partial class SampleJsonContext : JsonSerializerContext;
