using System.ComponentModel;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using ModelRegistry.Benchmarks.Fixtures;
using ModelRegistry.Benchmarks.Infrastructure;
using ModelRegistry.Mistral.Internal;
using ModelRegistry.Testing;

namespace ModelRegistry.Benchmarks.Mapping;

/// <summary>
/// One tool-call round trip of mapping alone, no I/O: the Mistral request body for the 20-message tool conversation
/// (four tools) written from MEAI types, and the two-tool-call answer read back into a <see cref="ChatResponse"/>;
/// against the floor, which serializes the same request from wire DTOs and deserializes the answer into DTOs.
/// </summary>
[Description("Tool-call round trip, mapping only (no I/O): write the Mistral request for a 20-message conversation with 4 tools from MEAI types, then read a 2-tool-call answer into a ChatResponse; against serializing the same request from wire DTOs and deserializing the answer into DTOs with STJ source generation.")]
[MemoryDiagnoser]
public class MistralToolMappingBenchmarks
{
    private static readonly byte[] Answer = MistralWire.ToolCallCompletion();
    private readonly IChatClient _client = new AnsweringChatClient();
    private FloorChatRequest _floorRequest = null!;

    [GlobalSetup]
    public void Setup()
    {
        // The floor's DTOs are what our writer produces, read back: both sides then write the same JSON.
        var ours = ChatRequestWriter.Write(ToolConversation.Messages, ToolConversation.Options, _client, MistralWire.Model, null, stream: false);
        _floorRequest = JsonSerializer.Deserialize(ours.Span, MistralFloorJson.Default.FloorChatRequest)!;
        var floor = JsonSerializer.SerializeToUtf8Bytes(_floorRequest, MistralFloorJson.Default.FloorChatRequest);
        var differences = JsonEquivalence.Differences(Encoding.UTF8.GetString(ours.Span), Encoding.UTF8.GetString(floor));
        Check.That(differences.Count == 0, "the floor request equals ours: " + string.Join("; ", differences));
        Check.Equal(20, _floorRequest.Messages.Count, "messages in the request");

        var calls = Ours().Messages[0].Contents.OfType<FunctionCallContent>().ToList();
        Check.Equal(2, calls.Count, "tool calls read");
        Check.Equal("Annecy", calls[0].Arguments?["city"]?.ToString(), "first call's city argument");
        Check.Equal(2, Floor(), "floor: tool calls read");
    }

    /// <returns>The tool calls read.</returns>
    [Benchmark(Baseline = true, Description = "floor: STJ source-gen DTOs")]
    public int Floor()
    {
        var request = JsonSerializer.SerializeToUtf8Bytes(_floorRequest, MistralFloorJson.Default.FloorChatRequest);
        var answer = JsonSerializer.Deserialize(Answer, MistralFloorJson.Default.FloorChatCompletion);
        return request.Length > 0 ? answer!.Choices[0].Message.ToolCalls!.Count : 0;
    }

    [Benchmark(Description = "ModelRegistry.Mistral mapping")]
    public ChatResponse Ours()
    {
        var request = ChatRequestWriter.Write(ToolConversation.Messages, ToolConversation.Options, _client, MistralWire.Model, null, stream: false);
        using var document = JsonDocument.Parse(Answer);
        var answer = ChatResponseReader.ReadResponse(document.RootElement.Clone(), includeReasoning: true);
        return request.Length > 0 ? answer : throw new InvalidOperationException("empty request");
    }
}
