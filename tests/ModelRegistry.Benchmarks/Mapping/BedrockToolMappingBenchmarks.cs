using System.ComponentModel;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using ModelRegistry.Bedrock;
using ModelRegistry.Bedrock.Internal;
using ModelRegistry.Benchmarks.Fixtures;
using ModelRegistry.Benchmarks.Infrastructure;
using ModelRegistry.Testing;

namespace ModelRegistry.Benchmarks.Mapping;

/// <summary>
/// One tool-call round trip of mapping alone, no I/O: the Converse request body for the 20-message tool conversation
/// (four tools) written from MEAI types, and the two-tool-use answer read back into a <see cref="ChatResponse"/>;
/// against the floor, which serializes the same request from wire DTOs and deserializes the answer into DTOs.
/// </summary>
[Description("Tool-call round trip, mapping only (no I/O): write the Bedrock Converse request for a 20-message conversation with 4 tools from MEAI types, then read a 2-toolUse answer into a ChatResponse; against serializing the same request from wire DTOs and deserializing the answer into DTOs with STJ source generation.")]
[MemoryDiagnoser]
public class BedrockToolMappingBenchmarks
{
    private static readonly byte[] Answer = BedrockWire.ConverseToolUseResponse();
    private static readonly DateTimeOffset Now = new(2026, 5, 2, 12, 0, 0, TimeSpan.Zero);
    private readonly IChatClient _client = new AnsweringChatClient();
    private readonly BedrockSettings _settings = BedrockSettings.ForModel(
        new BedrockClientOptions { Region = BedrockWire.Region, ApiKey = "bedrock-api-key-fake" }, BedrockWire.ModelId, inferenceProfileArn: null);

    private ConverseRequestDto _floorRequest = null!;

    [GlobalSetup]
    public void Setup()
    {
        // The floor's DTOs are what our writer produces, read back: both sides then write the same JSON.
        var ours = ConverseRequestWriter.Write(ToolConversation.Messages, ToolConversation.Options, _settings, _client, ConverseRequestWriter.Kind.Converse, out _);
        _floorRequest = JsonSerializer.Deserialize(ours, BedrockFloorJson.Default.ConverseRequestDto)!;
        var floor = JsonSerializer.SerializeToUtf8Bytes(_floorRequest, BedrockFloorJson.Default.ConverseRequestDto);
        var differences = JsonEquivalence.Differences(Encoding.UTF8.GetString(ours), Encoding.UTF8.GetString(floor));
        Check.That(differences.Count == 0, "the floor request equals ours: " + string.Join("; ", differences));

        var calls = Ours().Messages[0].Contents.OfType<FunctionCallContent>().ToList();
        Check.Equal(2, calls.Count, "tool calls read");
        Check.Equal("Annecy", calls[0].Arguments?["city"]?.ToString(), "first call's city argument");
        Check.Equal(2, Floor(), "floor: tool uses read");
    }

    /// <returns>The tool uses read.</returns>
    [Benchmark(Baseline = true, Description = "floor: STJ source-gen DTOs")]
    public int Floor()
    {
        var request = JsonSerializer.SerializeToUtf8Bytes(_floorRequest, BedrockFloorJson.Default.ConverseRequestDto);
        var answer = JsonSerializer.Deserialize(Answer, BedrockFloorJson.Default.ConverseResponseDto);
        return request.Length > 0 ? answer!.Output.Message.Content.Count(b => b.ToolUse is not null) : 0;
    }

    [Benchmark(Description = "ModelRegistry.Bedrock mapping")]
    public ChatResponse Ours()
    {
        var request = ConverseRequestWriter.Write(ToolConversation.Messages, ToolConversation.Options, _settings, _client, ConverseRequestWriter.Kind.Converse, out var outputTool);
        var answer = ConverseResponseMapper.Map(Answer, _settings.PathModelId, BedrockWire.RequestId, Now, outputTool);
        return request.Length > 0 ? answer : throw new InvalidOperationException("empty request");
    }
}
