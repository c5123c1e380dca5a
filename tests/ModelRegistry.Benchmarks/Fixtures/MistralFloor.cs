using System.Text.Json;
using System.Text.Json.Serialization;

namespace ModelRegistry.Benchmarks.Fixtures;

// The raw floor for Mistral: wire DTOs serialized by System.Text.Json source generation, the least code that can
// send a chat completion request and read its answer. No mapping to MEAI, no retries, no error mapping.

internal sealed record FloorChatRequest(
    string Model,
    List<FloorMessage> Messages,
    bool Stream,
    float? Temperature = null,
    int? MaxTokens = null,
    List<FloorTool>? Tools = null,
    string? ToolChoice = null);

internal sealed record FloorMessage(
    string Role,
    string? Content,
    List<FloorToolCall>? ToolCalls = null,
    string? ToolCallId = null,
    string? Name = null);

internal sealed record FloorToolCall(string Id, string Type, FloorFunctionCall Function, int? Index = null);

internal sealed record FloorFunctionCall(string Name, string Arguments);

internal sealed record FloorTool(string Type, FloorFunction Function);

internal sealed record FloorFunction(string Name, string? Description, JsonElement Parameters);

internal sealed record FloorChatCompletion(string Id, string Model, long Created, List<FloorChoice> Choices, FloorUsage? Usage);

internal sealed record FloorChoice(int Index, FloorMessage Message, string? FinishReason);

internal sealed record FloorUsage(int PromptTokens, int CompletionTokens, int TotalTokens);

internal sealed record FloorChatChunk(string Id, string Model, List<FloorChunkChoice> Choices, FloorUsage? Usage);

internal sealed record FloorChunkChoice(int Index, FloorDelta Delta, string? FinishReason);

internal sealed record FloorDelta(string? Role, string? Content);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FloorChatRequest))]
[JsonSerializable(typeof(FloorChatCompletion))]
[JsonSerializable(typeof(FloorChatChunk))]
internal sealed partial class MistralFloorJson : JsonSerializerContext;
