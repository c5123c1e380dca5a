using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Testing;
using static ModelRegistry.OpenAI.Tests.OpenAITestKit;

namespace ModelRegistry.OpenAI.Tests.RecordedTraffic;

/// <summary>
/// Every Chat Completions call of the recorded-traffic corpus to OpenAI (<c>api.openai.com/v1/chat/completions</c>) and
/// Bedrock Mantle (<c>bedrock-mantle.{region}.api.aws/v1/chat/completions</c>), and every Responses API call to OpenAI
/// (<c>/v1/responses</c>), Mantle (<c>/v1/responses</c> and <c>/openai/v1/responses</c>) and OpenRouter
/// (<c>openrouter.ai/api/v1/responses</c>, an OpenAI-compatible server), replays through the client, pointed at the
/// recorded base path with entry setting <c>api</c> to match: the equivalent MEAI call (<see cref="RecordedCall"/>,
/// <see cref="RecordedResponsesCall"/>) must send a request semantically equal to the recorded one (differences that
/// do not matter are listed and justified in <see cref="RequestComparison"/>), and the recorded answer must map to the
/// right MEAI objects, or to the recorded error. Cassettes without such a call are listed in <see cref="NotOurs"/> with
/// the reason, and a test keeps that list exact.
/// </summary>
[Category("RecordedTraffic")]
public sealed class CassetteReplayTests
{
    /// <summary>The cassettes of our file names that hold no Chat Completions or Responses call to a server we replay, and why.</summary>
    private static readonly Dictionary<string, string> NotOurs = new(StringComparer.Ordinal)
    {
        ["models__cassettes__test_openai__test_compatible_api_with_tool_calls_without_id.yaml"] = "another host (Gemini's OpenAI-compatible endpoint); covered by our own fixture for calls without ids",
        ["models__cassettes__test_openai__test_openai_model_cerebras_provider.yaml"] = "another host (api.cerebras.ai)",
        ["models__cassettes__test_openai__test_openai_model_cerebras_provider_harmony.yaml"] = "another host (api.cerebras.ai)",
        ["models__cassettes__test_openai__test_openai_model_cerebras_provider_qwen_3_coder.yaml"] = "another host (api.cerebras.ai)",
        ["models__cassettes__test_openai__test_text_response.yaml"] = "another host (pydantic's demo endpoint)",
    };

    public static IEnumerable<TestCaseData> Cassettes()
    {
        if (!CassetteCorpus.IsAvailable)
        {
            yield return new TestCaseData(string.Empty).SetName("Corpus not available");
            yield break;
        }

        foreach (var path in OurFileNames())
        {
            if (!NotOurs.ContainsKey(Path.GetFileName(path)))
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

        var calls = Cassette.Load(CassetteCorpus.PathOf(cassetteName)).Interactions.Where(IsOurs).ToList();
        Assert.That(calls, Is.Not.Empty, "the cassette holds at least one Chat Completions or Responses call to a server we replay");
        foreach (var interaction in calls)
        {
            await ReplayAsync(interaction);
        }
    }

    [Test]
    public void Every_cassette_of_our_names_replays_or_is_listed_with_its_reason()
    {
        if (!CassetteCorpus.IsAvailable)
        {
            Assert.Ignore(CassetteCorpus.NotFoundReason);
        }

        var withoutCalls = OurFileNames().Where(p => !Cassette.Load(p).Interactions.Any(IsOurs)).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        var calls = OurFileNames().SelectMany(p => Cassette.Load(p).Interactions.Where(IsOurs)).ToList();
        var responses = calls.Count(IsResponses);
        TestContext.Out.WriteLine($"{Cassettes().Count()} cassettes with {calls.Count - responses} Chat Completions and {responses} Responses calls replay; {NotOurs.Count} hold none.");
        Assert.Multiple(() =>
        {
            Assert.That(withoutCalls, Is.EqualTo(NotOurs.Keys.Order(StringComparer.Ordinal)));
            Assert.That(calls.Count - responses, Is.GreaterThanOrEqualTo(47));
            Assert.That(responses, Is.GreaterThanOrEqualTo(19));
        });
    }

    private static IEnumerable<string> OurFileNames() =>
        CassetteCorpus.Find("test_openai").Concat(CassetteCorpus.Find("test_mantle")).Distinct();

    private static bool IsOurs(CassetteInteraction interaction)
    {
        var uri = new Uri(interaction.Request.Uri);
        var mantle = uri.Host.StartsWith("bedrock-mantle.", StringComparison.Ordinal) && uri.Host.EndsWith(".api.aws", StringComparison.Ordinal);
        return uri.AbsolutePath switch
        {
            "/v1/chat/completions" or "/v1/responses" => uri.Host == "api.openai.com" || mantle,
            "/openai/v1/responses" => mantle,
            "/api/v1/responses" => uri.Host == "openrouter.ai",
            _ => false,
        };
    }

    private static bool IsResponses(CassetteInteraction interaction) => new Uri(interaction.Request.Uri).AbsolutePath.EndsWith("/responses", StringComparison.Ordinal);

    private static async Task ReplayAsync(CassetteInteraction interaction)
    {
        var recorded = (JsonObject)interaction.Request.Json!;
        var responsesApi = IsResponses(interaction);
        List<ChatMessage> messages;
        ChatOptions chatOptions;
        bool streaming;
        if (responsesApi)
        {
            var call = RecordedResponsesCall.From(recorded);
            (messages, chatOptions, streaming) = (call.Messages, call.Options, call.Streaming);
        }
        else
        {
            var call = RecordedCall.From(recorded);
            (messages, chatOptions, streaming) = (call.Messages, call.Options, call.Streaming);
        }

        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.From(interaction.Response));

        // The client's endpoint is the recorded base path on the loopback server (/v1, /openai/v1, /api/v1).
        var path = new Uri(interaction.Request.Uri).AbsolutePath;
        var options = Options(server);
        options.Endpoint = new Uri(server.BaseAddress, path[1..^(responsesApi ? "/responses" : "/chat/completions").Length]);
        options.Api = responsesApi ? OpenAIWireApi.Responses : OpenAIWireApi.ChatCompletions;
        using var client = ChatClient(server, model: "not-the-recorded-model", options); // the model comes from ChatOptions.ModelId

        ChatResponse? response = null;
        ModelProviderException? error = null;
        try
        {
            if (streaming)
            {
                var updates = new List<ChatResponseUpdate>();
                await foreach (var update in client.GetStreamingResponseAsync(messages, chatOptions))
                {
                    updates.Add(update);
                }

                response = updates.ToChatResponse();
            }
            else
            {
                response = await client.GetResponseAsync(messages, chatOptions);
            }
        }
        catch (ModelProviderException ex)
        {
            error = ex;
        }

        var sent = server.Requests.Single();
        var differences = responsesApi
            ? RequestComparison.ResponsesDifferences(recorded, (JsonObject)sent.Json!)
            : RequestComparison.Differences(recorded, (JsonObject)sent.Json!);
        Assert.Multiple(() =>
        {
            Assert.That(sent.Method, Is.EqualTo(interaction.Request.Method));
            Assert.That(sent.PathAndQuery, Is.EqualTo(interaction.Request.PathAndQuery));
            Assert.That(sent.Header("accept"), Is.EqualTo(streaming ? "text/event-stream" : "application/json"));
            Assert.That(differences, Is.Empty, "request differs from the recording: " + string.Join("; ", differences));
        });

        if (interaction.Response.Status != 200)
        {
            var recordedError = JsonNode.Parse(interaction.Response.Body)!["error"]!;
            Assert.That(error, Is.Not.Null, "a recorded error is an error");
            Assert.Multiple(() =>
            {
                Assert.That(error!.StatusCode, Is.EqualTo(interaction.Response.Status));
                Assert.That(error.ErrorCode, Is.EqualTo(recordedError["code"]?.GetValue<string>() ?? recordedError["type"]!.GetValue<string>()));
                Assert.That(error.Message, Does.Contain(recordedError["message"]!.GetValue<string>()));
                Assert.That(error.IsRetryable, Is.False);
            });
            return;
        }

        Assert.That(error, Is.Null, error?.Message);
        if (responsesApi)
        {
            var answer = streaming ? RecordedResponsesAnswer.FromStream(interaction.Response.Body) : RecordedResponsesAnswer.FromJson(interaction.Response.Body);
            answer.AssertMatches(response!);
            return;
        }

        var expected = streaming ? RecordedAnswer.FromStream(interaction.Response.Body) : RecordedAnswer.FromJson(interaction.Response.Body);
        expected.AssertMatches(response!);
    }
}
