using System.ComponentModel;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using ModelRegistry.Bedrock;
using ModelRegistry.Bedrock.Internal;
using ModelRegistry.Benchmarks.Fixtures;
using ModelRegistry.Benchmarks.Infrastructure;
using ModelRegistry.Testing;

namespace ModelRegistry.Benchmarks.Mapping;

/// <summary>
/// The request half of <see cref="BedrockToolMappingBenchmarks"/> alone: the Converse request body for the 20-message
/// tool conversation (four tools) written from MEAI types, against serializing the same request from wire DTOs.
/// </summary>
[Description("Request writing only (no I/O): the Bedrock Converse request for a 20-message conversation with 4 tools written from MEAI types; against serializing the same request from wire DTOs with STJ source generation.")]
[MemoryDiagnoser]
public class BedrockRequestWritingBenchmarks
{
    private readonly IChatClient _client = new AnsweringChatClient();
    private readonly BedrockSettings _settings = BedrockSettings.ForModel(
        new BedrockClientOptions { Region = BedrockWire.Region, ApiKey = "bedrock-api-key-fake" }, BedrockWire.ModelId, inferenceProfileArn: null);

    private ConverseRequestDto _floorRequest = null!;

    [GlobalSetup]
    public void Setup()
    {
        // The floor's DTOs are what our writer produces, read back: both sides then write the same JSON.
        var ours = Ours();
        _floorRequest = JsonSerializer.Deserialize(ours, BedrockFloorJson.Default.ConverseRequestDto)!;
        var floor = JsonSerializer.SerializeToUtf8Bytes(_floorRequest, BedrockFloorJson.Default.ConverseRequestDto);
        var differences = JsonEquivalence.Differences(Encoding.UTF8.GetString(ours), Encoding.UTF8.GetString(floor));
        Check.That(differences.Count == 0, "the floor request equals ours: " + string.Join("; ", differences));
        Check.That(Floor() == ours.Length, "the floor writes as many bytes as ours");
    }

    /// <returns>The bytes written.</returns>
    [Benchmark(Baseline = true, Description = "floor: STJ source-gen DTOs, serialize")]
    public int Floor() => JsonSerializer.SerializeToUtf8Bytes(_floorRequest, BedrockFloorJson.Default.ConverseRequestDto).Length;

    /// <returns>The body written.</returns>
    [Benchmark(Description = "ModelRegistry.Bedrock request writing")]
    public byte[] Ours() =>
        ConverseRequestWriter.Write(ToolConversation.Messages, ToolConversation.Options, _settings, _client, ConverseRequestWriter.Kind.Converse, out _);
}
