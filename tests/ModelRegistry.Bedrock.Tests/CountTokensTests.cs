using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Bedrock.Tests.Support;
using ModelRegistry.Providers;
using ModelRegistry.Testing;
using static ModelRegistry.Bedrock.Tests.Support.Fixtures;

namespace ModelRegistry.Bedrock.Tests;

/// <summary>
/// CountTokens (<c>POST /model/{id}/count-tokens</c>) through <see cref="IChatTokenCounter"/>: our own fixtures, and
/// every recorded Converse-shaped CountTokens call of the corpus replayed (the request must equal the recorded one,
/// empty <c>system</c> arrays aside, as in <see cref="RecordedTrafficTests"/>).
/// </summary>
[Category("RecordedTraffic")]
public sealed class CountTokensTests
{
    public static IEnumerable<TestCaseData> Cassettes()
    {
        if (!CassetteCorpus.IsAvailable)
        {
            yield return new TestCaseData("(corpus not found)").SetName("CountTokens cassettes: corpus not found");
            yield break;
        }

        foreach (var path in CassetteCorpus.Find("bedrock"))
        {
            if (Cassette.Load(path).Interactions.Any(IsConverseCount))
            {
                yield return new TestCaseData(Path.GetFileName(path)).SetName($"CountTokens: {Path.GetFileNameWithoutExtension(path)}");
            }
        }
    }

    [Test]
    public async Task The_converse_input_is_counted_on_the_foundation_model()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"inputTokens":42}"""));
        using var client = TestClients.Chat(server, "us.anthropic.claude-sonnet-4-5-20250929-v1:0");
        var counter = client.GetService<IChatTokenCounter>()!;

        var tokens = await counter.CountTokensAsync(
            [new ChatMessage(ChatRole.System, "Be brief."), new ChatMessage(ChatRole.User, "Weather in Paris?")],
            new ChatOptions { Tools = [ConverseRequestTests.Tool("weather")], MaxOutputTokens = 100, Temperature = 0.5f, Instructions = "You are kind." });

        Assert.That(tokens, Is.EqualTo(42));
        var sent = server.Requests.Single();
        Assert.That(sent.PathAndQuery, Is.EqualTo("/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/count-tokens"), "CountTokens takes the foundation model, not the inference profile");
        Assert.That(sent.Header("authorization"), Does.StartWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/bedrock/aws4_request"));
        AssertJson(sent.Json, """
            {"input":{"converse":{
              "system":[{"text":"You are kind."},{"text":"Be brief."}],
              "messages":[{"role":"user","content":[{"text":"Weather in Paris?"}]}],
              "toolConfig":{"tools":[{"toolSpec":{"name":"weather","inputSchema":{"json":{"type":"object","properties":{}}}}}]}}}}
            """);
    }

    [Test]
    public async Task The_callers_native_request_is_counted_as_Converse_would_send_it()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"inputTokens":9}"""));
        using var client = TestClients.Chat(server, "anthropic.claude-sonnet-4-5-20250929-v1:0");

        await client.GetService<IChatTokenCounter>()!.CountTokensAsync([new ChatMessage(ChatRole.User, "Now?")], new ChatOptions
        {
            Tools = [ConverseRequestTests.Tool("ours")],
            MaxOutputTokens = 100,
            RawRepresentationFactory = _ => JsonNode.Parse("""
                {"inferenceConfig":{"maxTokens":5},"promptVariables":{"x":{"text":"y"}},"system":[{"text":"Raw."}],
                 "messages":[{"role":"user","content":[{"text":"Earlier."}]}],
                 "toolConfig":{"tools":[{"toolSpec":{"name":"raw","inputSchema":{"json":{}}}}]}}
                """),
        });

        // Only the fields CountTokens takes, each merged as the Converse request merges it: our first user turn joins
        // the caller's last one, our tools follow the caller's.
        AssertJson(server.Requests.Single().Json, """
            {"input":{"converse":{
              "messages":[{"role":"user","content":[{"text":"Earlier."},{"text":"Now?"}]}],
              "system":[{"text":"Raw."}],
              "toolConfig":{"tools":[{"toolSpec":{"name":"raw","inputSchema":{"json":{}}}},
                                     {"toolSpec":{"name":"ours","inputSchema":{"json":{"type":"object","properties":{}}}}}]}}}}
            """);
    }

    [Test]
    public async Task With_an_inference_profile_the_base_model_is_counted()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"inputTokens":7}"""));
        using var client = new BedrockClient(TestClients.Options(server))
            .AsIChatClient("anthropic.claude-haiku-4-5-20251001-v1:0", "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc");
        Assert.That(await client.GetService<IChatTokenCounter>()!.CountTokensAsync([new ChatMessage(ChatRole.User, "Hi")]), Is.EqualTo(7));
        Assert.That(server.Requests.Single().PathAndQuery, Is.EqualTo("/model/anthropic.claude-haiku-4-5-20251001-v1%3A0/count-tokens"));
    }

    [TestCase("""{"inputTokens":"7"}""")]
    [TestCase("""{"inputTokens":-1}""")]
    [TestCase("""{"inputTokens":1.5}""")]
    [TestCase("""{}""")]
    public async Task A_count_that_is_not_a_whole_number_is_an_invalid_response(string body)
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(body));
        using var client = TestClients.Chat(server, Claude);
        var error = Assert.ThrowsAsync<ModelProviderException>(() => client.GetService<IChatTokenCounter>()!.CountTokensAsync([new ChatMessage(ChatRole.User, "Hi")]));
        Assert.That(error!.ErrorCode, Is.EqualTo(ProviderErrorCodes.InvalidResponse));
    }

    [Test]
    public void A_per_call_model_id_of_dot_dot_is_refused_before_anything_is_sent()
    {
        using var client = new BedrockClient(new BedrockClientOptions { Environment = TestClients.Environment() }).AsIChatClient(Claude);
        Assert.ThrowsAsync<ArgumentException>(() => client.GetService<IChatTokenCounter>()!.CountTokensAsync([new ChatMessage(ChatRole.User, "Hi")], new ChatOptions { ModelId = ".." }));
    }

    [TestCaseSource(nameof(Cassettes))]
    public async Task CountTokens_cassette_replays(string file)
    {
        if (!CassetteCorpus.IsAvailable)
        {
            Assert.Ignore(CassetteCorpus.NotFoundReason);
        }

        var interactions = Cassette.Load(CassetteCorpus.PathOf(file)).Interactions.Where(IsConverseCount).ToList();
        foreach (var interaction in interactions)
        {
            var recorded = interaction.Request.Json!.AsObject();
            var (messages, options, _) = WireToMeai.Convert((JsonObject)recorded["input"]!["converse"]!.DeepClone());
            await using var server = await ReplayServer.StartAsync();
            server.Enqueue(ScriptedResponse.From(interaction.Response));
            using var client = TestClients.Chat(server, Uri.UnescapeDataString(new Uri(interaction.Request.Uri).AbsolutePath.Split('/')[2]));

            long? tokens = null;
            ModelProviderException? error = null;
            try
            {
                tokens = await client.GetService<IChatTokenCounter>()!.CountTokensAsync(messages, options);
            }
            catch (ModelProviderException ex)
            {
                error = ex;
            }

            var sent = server.Requests.Single();
            Assert.That(sent.PathAndQuery, Is.EqualTo(interaction.Request.PathAndQuery), file);
            Assert.That(JsonEquivalence.Differences(WithoutEmptySystem(recorded), WithoutEmptySystem(sent.Json!.AsObject())), Is.Empty, $"{file}: the request differs from the recorded one");
            var answer = JsonNode.Parse(interaction.Response.Body)!;
            if (interaction.Response.Status >= 400)
            {
                Assert.That(error?.StatusCode, Is.EqualTo(interaction.Response.Status), file);
                Assert.That(error!.Message, Does.Contain((string)answer["message"]!), file);
            }
            else
            {
                Assert.That(tokens, Is.EqualTo((long)answer["inputTokens"]!), file);
            }
        }

        Assert.That(interactions, Is.Not.Empty);
    }

    [Test]
    public void The_corpus_holds_the_CountTokens_calls_we_replay()
    {
        if (!CassetteCorpus.IsAvailable)
        {
            Assert.Ignore(CassetteCorpus.NotFoundReason);
        }

        Assert.That(Cassettes().Count(), Is.EqualTo(5));
    }

    private static bool IsConverseCount(CassetteInteraction interaction) =>
        new Uri(interaction.Request.Uri) is var uri && uri.Host.StartsWith("bedrock-runtime.", StringComparison.Ordinal)
        && uri.AbsolutePath.EndsWith("/count-tokens", StringComparison.Ordinal)
        && interaction.Request.Json?["input"]?["converse"] is JsonObject;

    private static JsonObject WithoutEmptySystem(JsonObject body)
    {
        var copy = (JsonObject)body.DeepClone();
        if (copy["input"]?["converse"] is JsonObject converse && converse["system"] is JsonArray { Count: 0 })
        {
            converse.Remove("system");
        }

        return copy;
    }
}
