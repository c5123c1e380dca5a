using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Bedrock.Tests.Support;
using ModelRegistry.Providers;
using ModelRegistry.Testing;

namespace ModelRegistry.Bedrock.Tests;

/// <summary>Embeddings over InvokeModel, from our own fixtures: each family's body, its documented defaults, and decoding through the kit.</summary>
public sealed class EmbeddingTests
{
    [Test]
    public async Task Titan_v2_sends_one_text_per_call_with_dimensions_and_normalize()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Titan([0.5f, 0.25f], 3), Titan([1f, 0f], 2));
        using var generator = Generator(server, "amazon.titan-embed-text-v2:0");
        var result = await generator.GenerateAsync(["hello", "world"], new EmbeddingGenerationOptions { Dimensions = 256, AdditionalProperties = new() { ["normalize"] = false } });
        Assert.That(result.Select(e => e.Vector.ToArray()), Is.EqualTo(new[] { new[] { 0.5f, 0.25f }, new[] { 1f, 0f } }));
        Assert.That(result.Usage!.InputTokenCount, Is.EqualTo(5));
        Assert.That(server.Requests.Select(r => r.PathAndQuery).Distinct(), Is.EqualTo(new[] { "/model/amazon.titan-embed-text-v2%3A0/invoke" }));
        Fixtures.AssertJson(server.Requests[1].Json, """{"inputText":"world","dimensions":256,"normalize":false}""");
    }

    [Test]
    public async Task Token_counts_past_a_long_add_up_to_the_largest_count_not_a_negative_one()
    {
        await using var server = await ReplayServer.StartAsync();
        var huge = long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture);
        server.Enqueue(
            ScriptedResponse.Json("""{"embedding":[0.5]}""", 200, ("x-amzn-bedrock-input-token-count", huge)),
            ScriptedResponse.Json("""{"embedding":[0.25]}""", 200, ("x-amzn-bedrock-input-token-count", huge)));
        using var generator = Generator(server, "amazon.titan-embed-text-v2:0");
        var result = await generator.GenerateAsync(["hello", "world"]);
        Assert.That(result.Usage!.InputTokenCount, Is.EqualTo(long.MaxValue));
    }

    [Test]
    public async Task Titan_v2_normalizes_by_default()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Titan([0.5f], 1));
        using var generator = Generator(server, "amazon.titan-embed-text-v2:0");
        await generator.GenerateAsync(["hello"]);
        Fixtures.AssertJson(server.Requests[0].Json, """{"inputText":"hello","normalize":true}""");
    }

    [Test]
    public async Task Titan_v1_takes_the_input_text_only()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Titan([0.5f, 0.25f], 3));
        using var generator = Generator(server, "amazon.titan-embed-text-v1");
        await generator.GenerateAsync(["hello"], new EmbeddingGenerationOptions { AdditionalProperties = new() { ["normalize"] = true } });
        Fixtures.AssertJson(server.Requests[0].Json, """{"inputText":"hello"}""");
        Assert.That(server.Requests[0].PathAndQuery, Is.EqualTo("/model/amazon.titan-embed-text-v1/invoke"));

        var error = Assert.ThrowsAsync<NotSupportedException>(() => generator.GenerateAsync(["hello"], new EmbeddingGenerationOptions { Dimensions = 256 }));
        Assert.That(error!.Message, Does.Contain("v2"));
        Assert.That(server.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Cohere_batches_up_to_96_texts_per_call()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Cohere(96), Cohere(4));
        using var generator = Generator(server, "cohere.embed-v4:0");
        var texts = Enumerable.Range(0, 100).Select(i => $"text {i}").ToList();
        var result = await generator.GenerateAsync(texts, new EmbeddingGenerationOptions { Dimensions = 512, AdditionalProperties = new() { ["input_type"] = "search_query", ["truncate"] = "end" } });
        Assert.That(result, Has.Count.EqualTo(100));
        Assert.That(server.Requests[0].Json!["texts"]!.AsArray(), Has.Count.EqualTo(96));
        Fixtures.AssertJson(server.Requests[1].Json, """{"texts":["text 96","text 97","text 98","text 99"],"input_type":"search_query","output_dimension":512,"truncate":"END"}""");
    }

    [Test]
    public async Task Cohere_embeds_documents_without_truncating_by_default()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Cohere(1));
        using var generator = Generator(server, "cohere.embed-english-v3");
        await generator.GenerateAsync(["hello"]);
        Fixtures.AssertJson(server.Requests[0].Json, """{"texts":["hello"],"input_type":"search_document","truncate":"NONE"}""");
    }

    [Test]
    public async Task Nova_uses_single_embedding_params()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"embeddings":[{"embeddingType":"TEXT","embedding":[0.1,0.2]}]}""", 200, ("x-amzn-bedrock-input-token-count", "4")));
        using var generator = Generator(server, "amazon.nova-2-multimodal-embeddings-v1:0");
        var result = await generator.GenerateAsync(["hi"], new EmbeddingGenerationOptions { Dimensions = 256 });
        Assert.That(result[0].Vector.ToArray(), Is.EqualTo(new[] { 0.1f, 0.2f }));
        Assert.That(result.Usage!.InputTokenCount, Is.EqualTo(4));
        Fixtures.AssertJson(server.Requests[0].Json, """
            {"taskType":"SINGLE_EMBEDDING","singleEmbeddingParams":{"embeddingPurpose":"GENERIC_INDEX","text":{"value":"hi","truncationMode":"NONE"},"embeddingDimension":256}}
            """);
    }

    [Test]
    public async Task The_model_id_of_the_call_wins()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Cohere(1));
        using var generator = Generator(server, "amazon.titan-embed-text-v2:0");
        var result = await generator.GenerateAsync(["hello"], new EmbeddingGenerationOptions { ModelId = "cohere.embed-v4:0" });
        Assert.That(server.Requests.Single().PathAndQuery, Is.EqualTo("/model/cohere.embed-v4%3A0/invoke"));
        Assert.That(server.Requests[0].Json!["texts"], Is.Not.Null, "the call's model decides the body");
        Assert.That(result[0].ModelId, Is.EqualTo("cohere.embed-v4:0"));

        Assert.ThrowsAsync<ArgumentException>(() => generator.GenerateAsync(["hello"], new EmbeddingGenerationOptions { ModelId = ".." }));
        Assert.ThrowsAsync<NotSupportedException>(() => generator.GenerateAsync(["hello"], new EmbeddingGenerationOptions { ModelId = "anthropic.claude-v2" }));
        Assert.That(server.Requests, Has.Count.EqualTo(1));
    }

    [TestCase("""{"embedding":["0.5"]}""", TestName = "a number as text")]
    [TestCase("""{"embedding":[1e300]}""", TestName = "a number beyond float")]
    [TestCase("""{"embedding":null}""", TestName = "no vector")]
    [TestCase("""{"embedding":[]}""", TestName = "an empty vector")]
    [TestCase("""{"embedding":{"a":1}}""", TestName = "an object")]
    [TestCase("""{"embedding":[0.5],"embedding":[0.7]}""", TestName = "a duplicate key")]
    public async Task A_bad_vector_is_an_invalid_response(string body)
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(body));
        using var generator = Generator(server, "amazon.titan-embed-text-v2:0");
        var error = Assert.ThrowsAsync<ModelProviderException>(() => generator.GenerateAsync(["hello"]));
        Assert.That((error!.ErrorCode, error.IsRetryable), Is.EqualTo((ProviderErrorCodes.InvalidResponse, true)));
    }

    [Test]
    public async Task Fewer_vectors_than_texts_is_an_invalid_response()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Cohere(1));
        using var generator = Generator(server, "cohere.embed-v4:0");
        var error = Assert.ThrowsAsync<ModelProviderException>(() => generator.GenerateAsync(["a", "b"]));
        Assert.That(error!.ErrorCode, Is.EqualTo(ProviderErrorCodes.InvalidResponse));
        Assert.That(error.Message, Does.Contain("1 embeddings for 2 inputs"));
    }

    [Test]
    public void Other_models_are_refused_with_the_supported_families()
    {
        var error = Assert.Throws<NotSupportedException>(() => new BedrockClient(new BedrockClientOptions { Environment = TestClients.Environment() }).AsIEmbeddingGenerator("anthropic.claude-v2"));
        Assert.That(error!.Message, Does.Contain("Titan").And.Contain("Cohere").And.Contain("Nova"));
    }

    private static IEmbeddingGenerator<string, Embedding<float>> Generator(ReplayServer server, string modelId) =>
        new BedrockClient(TestClients.Options(server)).AsIEmbeddingGenerator(modelId);

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
