using Microsoft.Extensions.AI;
using ModelRegistry.Testing;
using static ModelRegistry.OpenAI.Tests.OpenAITestKit;

namespace ModelRegistry.OpenAI.Tests;

/// <summary>Embeddings: the request, batches of at most 2,048 inputs in order, the per-call model and dimensions, usage.</summary>
public sealed class EmbeddingTests
{
    private static ScriptedResponse Vectors(int count, int offset = 0)
    {
        var data = string.Join(",", Enumerable.Range(0, count).Reverse()
            .Select(i => "{\"object\":\"embedding\",\"index\":" + i + ",\"embedding\":[" + (i + offset) + ".5,1]}"));
        return ScriptedResponse.Json(
            "{\"object\":\"list\",\"model\":\"text-embedding-3-small\",\"data\":[" + data + "],\"usage\":{\"prompt_tokens\":" + count + ",\"total_tokens\":" + count + "}}");
    }

    [Test]
    public async Task Inputs_are_sent_with_the_model_and_dimensions_and_map_by_index()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Vectors(2));
        var generator = new OpenAIClient(Options(server)).AsIEmbeddingGenerator("text-embedding-3-small");
        var result = await generator.GenerateAsync(["alpha", "beta"], new EmbeddingGenerationOptions { ModelId = "text-embedding-3-large", Dimensions = 256 });

        AssertJson(SingleRequest(server), """{"model":"text-embedding-3-large","input":["alpha","beta"],"encoding_format":"float","dimensions":256}""");
        Assert.Multiple(() =>
        {
            Assert.That(server.Requests[0].PathAndQuery, Is.EqualTo("/v1/embeddings"));
            Assert.That(result.Select(e => e.Vector.Span[0]), Is.EqualTo(new[] { 0.5f, 1.5f }), "placed by index, not by order in data");
            Assert.That(result.Usage?.InputTokenCount, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task More_than_2048_inputs_go_in_batches_in_order()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Vectors(2048), Vectors(2, offset: 2048));
        var generator = new OpenAIClient(Options(server)).AsIEmbeddingGenerator("text-embedding-3-small");
        var result = await generator.GenerateAsync(Enumerable.Range(0, 2050).Select(i => $"text {i}"));

        Assert.Multiple(() =>
        {
            Assert.That(server.Requests.Select(r => r.Json!["input"]!.AsArray().Count), Is.EqualTo(new[] { 2048, 2 }));
            Assert.That(result, Has.Count.EqualTo(2050));
            Assert.That(result[2049].Vector.Span[0], Is.EqualTo(2049.5f));
            Assert.That(result.Usage?.InputTokenCount, Is.EqualTo(2050));
        });
    }

    [Test]
    public async Task A_missing_embedding_is_an_invalid_response()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Vectors(1));
        var generator = new OpenAIClient(Options(server)).AsIEmbeddingGenerator("text-embedding-3-small");
        var error = Assert.ThrowsAsync<ModelProviderException>(() => generator.GenerateAsync(["a", "b"]));
        Assert.That(error!.ErrorCode, Is.EqualTo(ModelRegistry.Providers.ProviderErrorCodes.InvalidResponse));
        Assert.That(error.Message, Does.Contain("1 embeddings for 2 inputs"));
    }
}
