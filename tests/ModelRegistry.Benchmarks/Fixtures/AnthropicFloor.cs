using System.Text.Json.Serialization;

namespace ModelRegistry.Benchmarks.Fixtures;

// The raw floor for the Anthropic Messages API: wire DTOs serialized by System.Text.Json source generation, the least
// code that can send a Messages request and read its answer or its stream's text deltas. No mapping to MEAI, no
// retries, no error mapping.

internal sealed record AnthropicFloorRequest(
    string Model,
    int MaxTokens,
    string? System,
    List<AnthropicFloorMessage> Messages,
    float? Temperature,
    bool? Stream);

internal sealed record AnthropicFloorMessage(string Role, string Content);

internal sealed record AnthropicFloorResponse(string Id, string Model, List<AnthropicFloorBlock> Content, string? StopReason, AnthropicFloorUsage? Usage);

internal sealed record AnthropicFloorBlock(string Type, string? Text);

internal sealed record AnthropicFloorUsage(int InputTokens, int OutputTokens);

/// <summary>One stream event; only the text deltas are read.</summary>
internal sealed record AnthropicFloorEvent(string Type, AnthropicFloorDelta? Delta);

internal sealed record AnthropicFloorDelta(string? Type, string? Text);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AnthropicFloorRequest))]
[JsonSerializable(typeof(AnthropicFloorResponse))]
[JsonSerializable(typeof(AnthropicFloorEvent))]
internal sealed partial class AnthropicFloorJson : JsonSerializerContext;
