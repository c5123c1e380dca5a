using System.Text.Json.Serialization;

namespace ModelRegistry.Mistral.Internal;

/// <summary>Source-generated serialization for the few typed values the client parses: tool call arguments.</summary>
[JsonSerializable(typeof(Dictionary<string, object?>))]
internal sealed partial class MistralJsonContext : JsonSerializerContext;
