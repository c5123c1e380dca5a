using System.Text.Json;
using System.Text.Json.Serialization;

namespace ModelRegistry.Benchmarks.Fixtures;

// The raw floor for Bedrock Converse: wire DTOs serialized by System.Text.Json source generation. One content-block
// and one stream-event type with optional members cover the shapes the fixtures use.

internal sealed record ConverseRequestDto(
    List<ConverseMessageDto> Messages,
    List<ConverseTextDto>? System = null,
    ConverseInferenceDto? InferenceConfig = null,
    ConverseToolConfigDto? ToolConfig = null);

internal sealed record ConverseMessageDto(string Role, List<ConverseBlockDto> Content);

internal sealed record ConverseBlockDto(string? Text = null, ConverseToolUseDto? ToolUse = null, ConverseToolResultDto? ToolResult = null);

internal sealed record ConverseTextDto(string Text);

internal sealed record ConverseToolUseDto(string ToolUseId, string Name, JsonElement Input);

internal sealed record ConverseToolResultDto(string ToolUseId, List<ConverseResultContentDto> Content, string? Status = null);

internal sealed record ConverseResultContentDto(string? Text = null, JsonElement? Json = null);

internal sealed record ConverseInferenceDto(int? MaxTokens = null, float? Temperature = null);

internal sealed record ConverseToolConfigDto(List<ConverseToolDto> Tools, JsonElement? ToolChoice = null);

internal sealed record ConverseToolDto(ConverseToolSpecDto ToolSpec);

internal sealed record ConverseToolSpecDto(string Name, string? Description, ConverseSchemaDto InputSchema);

internal sealed record ConverseSchemaDto(JsonElement Json);

internal sealed record ConverseResponseDto(ConverseOutputDto Output, string StopReason, ConverseUsageDto? Usage);

internal sealed record ConverseOutputDto(ConverseMessageDto Message);

internal sealed record ConverseUsageDto(int InputTokens, int OutputTokens, int TotalTokens);

/// <summary>Any ConverseStream event payload (messageStart, contentBlockDelta, contentBlockStop, messageStop, metadata).</summary>
internal sealed record ConverseStreamEventDto(string? Role, int? ContentBlockIndex, ConverseDeltaDto? Delta, string? StopReason, ConverseUsageDto? Usage);

internal sealed record ConverseDeltaDto(string? Text);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ConverseRequestDto))]
[JsonSerializable(typeof(ConverseResponseDto))]
[JsonSerializable(typeof(ConverseStreamEventDto))]
internal sealed partial class BedrockFloorJson : JsonSerializerContext;
