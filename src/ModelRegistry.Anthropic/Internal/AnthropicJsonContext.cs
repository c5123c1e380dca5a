using System.Text.Json.Serialization;

namespace ModelRegistry.Anthropic.Internal;

/// <summary>Source-generated serialization for the few typed values the client parses: tool call inputs.</summary>
[JsonSerializable(typeof(Dictionary<string, object?>))]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonObject))]
internal sealed partial class AnthropicJsonContext : JsonSerializerContext;
