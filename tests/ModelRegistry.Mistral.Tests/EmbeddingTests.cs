using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Testing;
using static ModelRegistry.Mistral.Tests.MistralTestKit;

namespace ModelRegistry.Mistral.Tests;

/// <summary>Embeddings over /v1/embeddings, batched under the API's limits.</summary>
public sealed class EmbeddingTests
{
    /// <summary>An embeddings response for <paramref name="count"/> inputs, listed in reverse to prove the client orders by index.</summary>
    private static ScriptedResponse Embeddings(int count, int offset = 0, int dimensions = 3) => ScriptedResponse.Json($$"""
        {"id":"e1","object":"list","model":"mistral-embed",
         "data":[{{string.Join(",", Enumerable.Range(0, count).Reverse().Select(i => $$"""{"object":"embedding","index":{{i}},"embedding":[{{string.Join(",", Enumerable.Range(0, dimensions).Select(d => offset + i + d / 10.0))}}]}"""))}}],
         "usage":{"prompt_tokens":{{count * 2}},"total_tokens":{{count * 2}},"completion_tokens":0,"prompt_audio_seconds":null,"request_count":null,"prompt_token_details":null} }
        """);

    private static IEmbeddingGenerator<string, Embedding<float>> Generator(ReplayServer server, string model = "mistral-embed") =>
        new MistralClient(Options(server)).AsIEmbeddingGenerator(model);

    [Test]
    public async Task Inputs_dimensions_and_dtype_are_sent_and_vectors_come_back_in_input_order()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Embeddings(2));
        using var generator = Generator(server, "codestral-embed");

        var result = await generator.GenerateAsync(["first", "second"], new EmbeddingGenerationOptions
        {
            Dimensions = 256,
            AdditionalProperties = new() { [MistralProperties.OutputDtype] = "float", ["unknown"] = 1 },
        });

        var request = SingleRequest(server);
        Assert.Multiple(() =>
        {
            Assert.That(server.Requests[0].PathAndQuery, Is.EqualTo("/v1/embeddings"));
            Assert.That(JsonEquivalence.Differences(JsonNode.Parse("""{"model":"codestral-embed","input":["first","second"],"output_dimension":256,"output_dtype":"float"}"""), request), Is.Empty, request.ToJsonString());
            Assert.That(result, Has.Count.EqualTo(2));
            Assert.That(result[0].Vector.ToArray(), Is.EqualTo(new[] { 0f, 0.1f, 0.2f }));
            Assert.That(result[1].Vector.ToArray(), Is.EqualTo(new[] { 1f, 1.1f, 1.2f }));
            Assert.That(result[0].ModelId, Is.EqualTo("mistral-embed"));
            Assert.That(result.Usage!.InputTokenCount, Is.EqualTo(4));
            Assert.That(generator.GetService<EmbeddingGeneratorMetadata>()!.ProviderName, Is.EqualTo("mistral_ai"));
        });
    }

    [Test]
    public async Task The_model_id_of_the_options_wins_over_the_generator_s()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Embeddings(1));
        using var generator = Generator(server, "mistral-embed");

        await generator.GenerateAsync(["a"], new EmbeddingGenerationOptions { ModelId = "codestral-embed" });

        Assert.That(SingleRequest(server)["model"]!.GetValue<string>(), Is.EqualTo("codestral-embed"));
    }

    [TestCase(".")]
    [TestCase("..")]
    public async Task A_per_call_model_id_that_names_no_model_is_refused_before_anything_is_sent(string modelId)
    {
        await using var server = await ReplayServer.StartAsync();
        using var generator = Generator(server);

        var error = Assert.ThrowsAsync<ArgumentException>(() => generator.GenerateAsync(["a"], new EmbeddingGenerationOptions { ModelId = modelId }));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("EmbeddingGenerationOptions.ModelId"));
            Assert.That(server.Requests, Is.Empty);
        });
    }

    [Test]
    public async Task More_than_512_inputs_are_split_into_batches_transparently()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Embeddings(512), Embeddings(88, offset: 1000));
        using var generator = Generator(server);
        var inputs = Enumerable.Range(0, 600).Select(i => $"text {i}").ToList();

        var result = await generator.GenerateAsync(inputs);

        Assert.Multiple(() =>
        {
            Assert.That(server.Requests.Select(r => r.Json!["input"]!.AsArray().Count), Is.EqualTo(new[] { 512, 88 }));
            Assert.That(server.Requests[1].Json!["input"]![0]!.GetValue<string>(), Is.EqualTo("text 512"));
            Assert.That(result, Has.Count.EqualTo(600));
            Assert.That(result[512].Vector.Span[0], Is.EqualTo(1000f));
            Assert.That(result.Usage!.InputTokenCount, Is.EqualTo(1200), "usage adds up over batches");
        });
    }

    [Test]
    public async Task Large_inputs_are_batched_under_the_token_budget()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(Embeddings(1), Embeddings(1), Embeddings(1));
        using var generator = Generator(server);
        var big = new string('a', 30_000); // about 10k tokens by our estimate: two do not fit in 16k

        var result = await generator.GenerateAsync([big, big, big]);

        Assert.Multiple(() =>
        {
            Assert.That(server.Requests, Has.Count.EqualTo(3));
            Assert.That(result, Has.Count.EqualTo(3));
        });
    }

    [Test]
    public async Task A_batch_the_api_finds_too_large_is_halved_and_sent_again()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(
            ScriptedResponse.Json("""{"object":"error","message":"Too many tokens overall, split into more batches.","type":"invalid_request_prompt","param":null,"code":"3210"}""", 400),
            Embeddings(2),
            Embeddings(2, offset: 10));
        using var generator = Generator(server);

        var result = await generator.GenerateAsync(["a", "b", "c", "d"]);

        Assert.Multiple(() =>
        {
            Assert.That(server.Requests.Select(r => r.Json!["input"]!.AsArray().Count), Is.EqualTo(new[] { 4, 2, 2 }));
            Assert.That(result.Select(e => e.Vector.Span[0]), Is.EqualTo(new[] { 0f, 1f, 10f, 11f }));
        });
    }

    [Test]
    public async Task Other_errors_surface_as_provider_exceptions()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"detail":"Unauthorized"}""", 401));
        using var generator = Generator(server);
        var error = Assert.ThrowsAsync<ModelProviderException>(() => generator.GenerateAsync(["a"]));
        Assert.That(error!.StatusCode, Is.EqualTo(401));
    }

    [Test]
    public void The_batcher_respects_both_limits()
    {
        var small = Enumerable.Repeat("x", 1100).ToList();
        Assert.That(Internal.MistralEmbeddingGenerator.Batches(small).Select(b => b.Count), Is.EqualTo(new[] { 512, 512, 76 }));
        var huge = new List<string> { new('z', 100_000), "tail" };
        Assert.That(Internal.MistralEmbeddingGenerator.Batches(huge), Is.EqualTo(new[] { (0, 1), (1, 1) }), "an input over the budget goes alone");
    }
}
