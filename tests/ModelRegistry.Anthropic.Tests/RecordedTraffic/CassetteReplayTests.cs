using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Testing;
using static ModelRegistry.Anthropic.Tests.AnthropicTestKit;

namespace ModelRegistry.Anthropic.Tests.RecordedTraffic;

/// <summary>
/// Every Messages API call of the recorded-traffic corpus replays through the client: for each recorded call to
/// api.anthropic.com (or a Mantle host) at <c>/v1/messages</c>, the equivalent MEAI call (built from the recorded request,
/// see <see cref="RecordedCall"/>) must send a request semantically equal to the recorded one (differences that do not
/// matter are listed and justified in <see cref="RequestComparison"/>), and the recorded response must map to the right
/// MEAI objects (or, for a recorded error, to the provider error with its status). Left out: calls to other hosts and
/// paths (Bedrock Converse, <c>count_tokens</c>, which the client does not map). Every Messages API call replays.
/// </summary>
[Category("RecordedTraffic")]
public sealed class CassetteReplayTests
{
    public static IEnumerable<TestCaseData> Cassettes()
    {
        if (!CassetteCorpus.IsAvailable)
        {
            yield return new TestCaseData(string.Empty).SetName("Corpus not available");
            yield break;
        }

        foreach (var path in CassetteCorpus.Find("anthropic").Concat(CassetteCorpus.Find("mantle")).Distinct())
        {
            var cassette = Cassette.Load(path);
            if (cassette.Interactions.Any(IsMessagesCall))
            {
                yield return new TestCaseData(Path.GetFileName(path)).SetName(Path.GetFileNameWithoutExtension(path));
            }
        }
    }

    /// <summary>A call of the Messages API: api.anthropic.com's <c>/v1/messages</c>, or Mantle's <c>/anthropic/v1/messages</c>.</summary>
    private static bool IsMessagesCall(CassetteInteraction interaction)
    {
        var uri = new Uri(interaction.Request.Uri);
        return (uri.Host == "api.anthropic.com" && uri.AbsolutePath == "/v1/messages")
            || (uri.Host.StartsWith("bedrock-mantle.", StringComparison.Ordinal) && uri.AbsolutePath == "/anthropic/v1/messages");
    }

    [TestCaseSource(nameof(Cassettes))]
    public async Task Replays(string cassetteName)
    {
        if (!CassetteCorpus.IsAvailable)
        {
            Assert.Ignore(CassetteCorpus.NotFoundReason);
        }

        var calls = Cassette.Load(CassetteCorpus.PathOf(cassetteName)).Interactions.Where(IsMessagesCall).ToList();
        foreach (var interaction in calls)
        {
            await ReplayAsync(interaction, (JsonObject)interaction.Request.Json!);
        }

        TestContext.Out.WriteLine($"{calls.Count} call(s) replayed");
        Assert.That(calls, Is.Not.Empty);
    }

    [Test]
    public void The_corpus_holds_98_messages_calls_and_every_one_is_expressible_through_meai()
    {
        if (!CassetteCorpus.IsAvailable)
        {
            Assert.Ignore(CassetteCorpus.NotFoundReason);
        }

        var all = Cassettes().Select(c => (string)c.Arguments[0]!)
            .SelectMany(name => Cassette.Load(CassetteCorpus.PathOf(name)).Interactions.Where(IsMessagesCall))
            .ToList();
        var failures = new List<string>();
        foreach (var interaction in all)
        {
            try
            {
                RecordedCall.From((JsonObject)interaction.Request.Json!);
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or NotSupportedException)
            {
                failures.Add($"{interaction.Request.Uri}: {ex.Message}");
            }
        }

        TestContext.Out.WriteLine($"{all.Count} Messages API calls; {all.Count - failures.Count} expressible through MEAI");
        Assert.Multiple(() =>
        {
            // 98 when the corpus was taken (44 before server tools, tool search, MCP, compaction and inline system
            // messages were mapped); each replays in Replays above.
            Assert.That(all, Has.Count.EqualTo(98), "the Messages API calls of the corpus");
            Assert.That(failures, Is.Empty, "every recorded call is expressible through MEAI types");
        });
    }

    private static async Task ReplayAsync(CassetteInteraction interaction, JsonObject recorded)
    {
        var call = RecordedCall.From(recorded);
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.From(interaction.Response));
        using var client = ChatClient(server, model: "not-the-recorded-model"); // the model comes from ChatOptions.ModelId

        ChatResponse? response = null;
        ModelProviderException? failure = null;
        try
        {
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
        }
        catch (ModelProviderException ex) when (interaction.Response.Status != 200)
        {
            failure = ex;
        }

        var sent = server.Requests.Single();
        var differences = RequestComparison.Differences(recorded, (JsonObject)sent.Json!);
        Assert.Multiple(() =>
        {
            Assert.That(sent.Method, Is.EqualTo(interaction.Request.Method));
            Assert.That(sent.PathAndQuery, Is.EqualTo("/v1/messages"), "the documented path (the recording's ?beta=true is its SDK's beta client)");
            Assert.That(sent.Header("anthropic-version"), Is.EqualTo("2023-06-01"));
            Assert.That(sent.Header("accept"), Is.EqualTo(call.Streaming ? "text/event-stream" : "application/json"));
            Assert.That(differences, Is.Empty, "request differs from the recording: " + string.Join("; ", differences));
        });

        if (interaction.Response.Status != 200)
        {
            var error = JsonNode.Parse(interaction.Response.Body)!["error"]!;
            Assert.That(failure, Is.Not.Null, "a recorded error fails the call");
            Assert.Multiple(() =>
            {
                Assert.That(failure!.StatusCode, Is.EqualTo(interaction.Response.Status));
                Assert.That(failure.Message, Does.Contain(error["message"]!.GetValue<string>()));
            });
            return;
        }

        var expected = call.Streaming ? RecordedAnswer.FromStream(interaction.Response.Body) : RecordedAnswer.FromJson(interaction.Response.Body);
        expected.AssertMatches(response!);
    }
}
