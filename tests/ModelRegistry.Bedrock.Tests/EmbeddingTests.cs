using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Bedrock.Tests.Support;
using ModelRegistry.Testing;

namespace ModelRegistry.Bedrock.Tests;

/// <summary>Embeddings over InvokeModel, from our own fixtures.</summary>
public sealed class EmbeddingTests
{
    [Test]
    public async Task Titan_sends_one_text_per_call_with_dimensions_and_normalize()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Titan([0.5f, 0.25f], 3), Titan([1f, 0f], 2));
        using var generator = BedrockClients.CreateEmbeddingGenerator(TestClients.Options(server, "amazon.titan-embed-text-v2:0"));
        var result = await generator.GenerateAsync(["hello", "world"], new EmbeddingGenerationOptions { Dimensions = 256, AdditionalProperties = new() { ["normalize"] = false } });
        Assert.That(result.Select(e => e.Vector.ToArray()), Is.EqualTo(new[] { new[] { 0.5f, 0.25f }, new[] { 1f, 0f } }));
        Assert.That(result.Usage!.InputTokenCount, Is.EqualTo(5));
        Assert.That(server.Requests.Select(r => r.PathAndQuery).Distinct(), Is.EqualTo(new[] { "/model/amazon.titan-embed-text-v2%3A0/invoke" }));
        Fixtures.AssertJson(server.Requests[1].Json, """{"inputText":"world","dimensions":256,"normalize":false}""");
    }

    [Test]
    public async Task Cohere_batches_up_to_96_texts_per_call()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Cohere(96), Cohere(4));
        using var generator = BedrockClients.CreateEmbeddingGenerator(TestClients.Options(server, "cohere.embed-v4:0"));
        var texts = Enumerable.Range(0, 100).Select(i => $"text {i}").ToList();
        var result = await generator.GenerateAsync(texts, new EmbeddingGenerationOptions { Dimensions = 512, AdditionalProperties = new() { ["input_type"] = "search_query", ["truncate"] = "end" } });
        Assert.That(result, Has.Count.EqualTo(100));
        Assert.That(server.Requests[0].Json!["texts"]!.AsArray(), Has.Count.EqualTo(96));
        Fixtures.AssertJson(server.Requests[1].Json, """{"texts":["text 96","text 97","text 98","text 99"],"input_type":"search_query","output_dimension":512,"truncate":"END"}""");
    }

    [Test]
    public async Task Nova_uses_single_embedding_params()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"embeddings":[{"embeddingType":"TEXT","embedding":[0.1,0.2]}]}""", 200, ("x-amzn-bedrock-input-token-count", "4")));
        using var generator = BedrockClients.CreateEmbeddingGenerator(TestClients.Options(server, "amazon.nova-2-multimodal-embeddings-v1:0"));
        var result = await generator.GenerateAsync(["hi"], new EmbeddingGenerationOptions { Dimensions = 256 });
        Assert.That(result[0].Vector.ToArray(), Is.EqualTo(new[] { 0.1f, 0.2f }));
        Fixtures.AssertJson(server.Requests[0].Json, """
            {"taskType":"SINGLE_EMBEDDING","singleEmbeddingParams":{"embeddingPurpose":"GENERIC_INDEX","text":{"value":"hi","truncationMode":"NONE"},"embeddingDimension":256}}
            """);
    }

    [Test]
    public void Other_models_are_refused_with_the_supported_families()
    {
        var error = Assert.Throws<NotSupportedException>(() => BedrockClients.CreateEmbeddingGenerator(new BedrockClientOptions { ModelId = "anthropic.claude-v2" }));
        Assert.That(error!.Message, Does.Contain("Titan").And.Contain("Cohere").And.Contain("Nova"));
    }

    private static ScriptedResponse Titan(float[] vector, int tokens) =>
        ScriptedResponse.Json(new JsonObject { ["embedding"] = new JsonArray([.. vector.Select(v => (JsonNode?)v)]), ["inputTextTokenCount"] = tokens }.ToJsonString(),
            200, ("x-amzn-bedrock-input-token-count", tokens.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    private static ScriptedResponse Cohere(int count) =>
        ScriptedResponse.Json(new JsonObject
        {
            ["embeddings"] = new JsonObject { ["float"] = new JsonArray([.. Enumerable.Range(0, count).Select(_ => (JsonNode?)new JsonArray(0.1, 0.2))]) },
            ["response_type"] = "embeddings_by_type",
        }.ToJsonString(), 200, ("x-amzn-bedrock-input-token-count", "7"));
}
