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
/// MEAI objects (or, for a recorded error, to the provider error with its status). Left out, and counted: calls to
/// other hosts and paths (Bedrock Converse, <c>count_tokens</c>, which the client does not map) and calls using features
/// the client does not build (<see cref="RecordedCall.Unsupported"/> names each with its reason).
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
        var replayed = 0;
        var skipped = new List<string>();
        foreach (var interaction in calls)
        {
            var recorded = (JsonObject)interaction.Request.Json!;
            if (RecordedCall.Unsupported(recorded) is { } reason)
            {
                skipped.Add(reason);
                continue;
            }

            await ReplayAsync(interaction, recorded);
            replayed++;
        }

        TestContext.Out.WriteLine($"{replayed} call(s) replayed; {skipped.Count} left out: {string.Join("; ", skipped.Distinct())}");
        Assert.That(replayed + skipped.Count, Is.EqualTo(calls.Count));
        if (replayed == 0)
        {
            // Every call of this cassette uses a feature the client does not build; the reasons are above and in RecordedCall.Unsupported.
            Assert.That(skipped, Is.Not.Empty);
        }
    }

    [Test]
    public void The_corpus_holds_messages_calls_and_says_why_each_left_out_call_is()
    {
        if (!CassetteCorpus.IsAvailable)
        {
            Assert.Ignore(CassetteCorpus.NotFoundReason);
        }

        var all = Cassettes().Select(c => (string)c.Arguments[0]!)
            .SelectMany(name => Cassette.Load(CassetteCorpus.PathOf(name)).Interactions.Where(IsMessagesCall))
            .Select(i => RecordedCall.Unsupported((JsonObject)i.Request.Json!))
            .ToList();
        TestContext.Out.WriteLine($"{all.Count} Messages API calls; {all.Count(r => r is null)} replay; left out: " +
            string.Join("; ", all.Where(r => r is not null).GroupBy(r => r).Select(g => $"{g.Count()} × {g.Key}")));
        // 44 of 98 when this was written: the rest use server tools, tool search, MCP, compaction or inline system messages.
        Assert.That(all.Count(r => r is null), Is.GreaterThan(all.Count / 3), "a good part of the recorded calls use only what the client builds");
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
