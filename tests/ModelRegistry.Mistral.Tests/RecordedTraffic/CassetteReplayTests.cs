using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Testing;
using static ModelRegistry.Mistral.Tests.MistralTestKit;

namespace ModelRegistry.Mistral.Tests.RecordedTraffic;

/// <summary>
/// Every Mistral cassette of the recorded-traffic corpus replays through the client: for each recorded call to
/// api.mistral.ai, the equivalent MEAI call (built from the recorded request, see <see cref="RecordedCall"/>) must send a
/// request semantically equal to the recorded one (differences that do not matter are listed and justified in
/// <see cref="RequestComparison"/>), and the recorded response must map to the right MEAI objects. Calls the recording
/// made to other hosts (OpenAI, file downloads) are not ours and are skipped.
/// </summary>
[Category("RecordedTraffic")]
public sealed class CassetteReplayTests
{
    private const string MistralHost = "api.mistral.ai";

    public static IEnumerable<TestCaseData> Cassettes()
    {
        if (!CassetteCorpus.IsAvailable)
        {
            yield return new TestCaseData(string.Empty).SetName("Corpus not available");
            yield break;
        }

        foreach (var path in CassetteCorpus.Find("mistral"))
        {
            if (File.ReadAllText(path).Contains(MistralHost, StringComparison.Ordinal))
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

        var cassette = Cassette.Load(CassetteCorpus.PathOf(cassetteName));
        var calls = cassette.Interactions.Where(i => new Uri(i.Request.Uri).Host == MistralHost).ToList();
        Assert.That(calls, Is.Not.Empty, "the cassette holds at least one Mistral call");
        foreach (var interaction in calls)
        {
            await ReplayAsync(interaction);
        }
    }

    [Test]
    public void The_corpus_holds_mistral_cassettes()
    {
        if (!CassetteCorpus.IsAvailable)
        {
            Assert.Ignore(CassetteCorpus.NotFoundReason);
        }

        var count = Cassettes().Count();
        TestContext.Out.WriteLine($"{count} Mistral cassettes replay.");
        Assert.That(count, Is.GreaterThan(0));
    }

    private static async Task ReplayAsync(CassetteInteraction interaction)
    {
        var recorded = (JsonObject)interaction.Request.Json!;
        var call = RecordedCall.From(recorded);
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.From(interaction.Response));
        using var client = ChatClient(server, model: "not-the-recorded-model"); // the model comes from ChatOptions.ModelId

        ChatResponse response;
        if (call.Streaming)
        {
            var updates = new List<ChatResponseUpdate>();
            await foreach (var update in client.GetStreamingResponseAsync(call.Messages, call.Options))
            {
                Assert.That(update.Role, Is.EqualTo(ChatRole.Assistant), "every update carries the assistant role");
                updates.Add(update);
            }

            response = updates.ToChatResponse();
        }
        else
        {
            response = await client.GetResponseAsync(call.Messages, call.Options);
        }

        var sent = server.Requests.Single();
        var differences = RequestComparison.Differences(recorded, (JsonObject)sent.Json!);
        Assert.Multiple(() =>
        {
            Assert.That(sent.Method, Is.EqualTo(interaction.Request.Method));
            Assert.That(sent.PathAndQuery, Is.EqualTo(interaction.Request.PathAndQuery));
            Assert.That(sent.Header("accept"), Is.EqualTo(call.Streaming ? "text/event-stream" : "application/json"));
            Assert.That(differences, Is.Empty, "request differs from the recording: " + string.Join("; ", differences));
        });

        var expected = call.Streaming ? RecordedAnswer.FromStream(interaction.Response.Body) : RecordedAnswer.FromJson(interaction.Response.Body);
        expected.AssertMatches(response);
    }
}
