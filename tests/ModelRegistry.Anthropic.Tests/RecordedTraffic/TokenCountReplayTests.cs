using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Testing;
using static ModelRegistry.Anthropic.Tests.AnthropicTestKit;

namespace ModelRegistry.Anthropic.Tests.RecordedTraffic;

/// <summary>
/// Every recorded <c>count_tokens</c> call (<c>api.anthropic.com/v1/messages/count_tokens</c>) replays through the chat
/// client's <see cref="IChatTokenCounter"/>: the equivalent MEAI call (<see cref="RecordedCall"/>) must send a body
/// semantically equal to the recorded one (<see cref="RequestComparison"/>) to <c>/v1/messages/count_tokens</c>, and
/// return the recorded <c>input_tokens</c>, or fail with the recorded error's status and message.
/// </summary>
[Category("RecordedTraffic")]
public sealed class TokenCountReplayTests
{
    public static IEnumerable<TestCaseData> Cassettes()
    {
        if (!CassetteCorpus.IsAvailable)
        {
            yield return new TestCaseData(string.Empty).SetName("Corpus not available");
            yield break;
        }

        foreach (var path in CassetteCorpus.Find("anthropic"))
        {
            if (Cassette.Load(path).Interactions.Any(IsCountCall))
            {
                yield return new TestCaseData(Path.GetFileName(path)).SetName(Path.GetFileNameWithoutExtension(path));
            }
        }
    }

    [TestCaseSource(nameof(Cassettes))]
    public async Task Replays(string cassetteName)
    {
        if (!CassetteCorpus.IsAvailable)
        {
            Assert.Ignore(CassetteCorpus.NotFoundReason);
        }

        var calls = Cassette.Load(CassetteCorpus.PathOf(cassetteName)).Interactions.Where(IsCountCall).ToList();
        Assert.That(calls, Is.Not.Empty);
        foreach (var interaction in calls)
        {
            await ReplayAsync(interaction);
        }
    }

    [Test]
    public void The_corpus_holds_token_counts()
    {
        if (!CassetteCorpus.IsAvailable)
        {
            Assert.Ignore(CassetteCorpus.NotFoundReason);
        }

        Assert.That(Cassettes().Count(), Is.GreaterThanOrEqualTo(8), "the eight recorded cassettes with count_tokens calls when this was written");
    }

    private static bool IsCountCall(CassetteInteraction interaction)
    {
        var uri = new Uri(interaction.Request.Uri);
        return uri.Host == "api.anthropic.com" && uri.AbsolutePath == "/v1/messages/count_tokens";
    }

    private static async Task ReplayAsync(CassetteInteraction interaction)
    {
        var recorded = (JsonObject)interaction.Request.Json!;
        var call = RecordedCall.From(recorded);
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.From(interaction.Response));
        using var client = ChatClient(server, model: "not-the-recorded-model"); // the model comes from ChatOptions.ModelId
        var counter = client.GetService<IChatTokenCounter>();
        Assert.That(counter, Is.Not.Null, "the Anthropic chat client counts tokens");

        long? count = null;
        ModelProviderException? failure = null;
        try
        {
            count = await counter!.CountTokensAsync(call.Messages, call.Options);
        }
        catch (ModelProviderException ex) when (interaction.Response.Status != 200)
        {
            failure = ex;
        }

        var sent = server.Requests.Single();
        var differences = RequestComparison.Differences(recorded, (JsonObject)sent.Json!);
        Assert.Multiple(() =>
        {
            Assert.That(sent.Method, Is.EqualTo("POST"));
            Assert.That(sent.PathAndQuery, Is.EqualTo("/v1/messages/count_tokens"), "the documented path (the recording's ?beta=true is its SDK's beta client)");
            Assert.That(differences, Is.Empty, "request differs from the recording: " + string.Join("; ", differences));
        });

        var answer = JsonNode.Parse(interaction.Response.Body)!;
        if (interaction.Response.Status != 200)
        {
            Assert.That(failure, Is.Not.Null, "a recorded error fails the count");
            Assert.Multiple(() =>
            {
                Assert.That(failure!.StatusCode, Is.EqualTo(interaction.Response.Status));
                Assert.That(failure.Message, Does.Contain(answer["error"]!["message"]!.GetValue<string>()));
            });
            return;
        }

        Assert.That(count, Is.EqualTo(answer["input_tokens"]!.GetValue<long>()));
    }
}
