using System.Text.Json.Serialization;

namespace ModelRegistry.OpenAI.Internal;

/// <summary>Source-generated serialization for the few typed values the client parses: tool call arguments.</summary>
[JsonSerializable(typeof(Dictionary<string, object?>))]
internal sealed partial class OpenAIJsonContext : JsonSerializerContext;
