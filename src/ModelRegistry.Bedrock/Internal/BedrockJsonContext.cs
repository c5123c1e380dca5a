using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ModelRegistry.Bedrock.Internal;

/// <summary>Source-generated JSON metadata: request and response bodies are handled as JSON nodes.</summary>
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(JsonNode))]
internal sealed partial class BedrockJsonContext : JsonSerializerContext;
