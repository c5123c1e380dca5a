using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelRegistry.Testing;
using static ModelRegistry.OpenAI.Tests.OpenAITestKit;

namespace ModelRegistry.OpenAI.Tests.RecordedTraffic;

/// <summary>
/// Every Chat Completions call of the recorded-traffic corpus to OpenAI (<c>api.openai.com/v1/chat/completions</c>) and
/// Bedrock Mantle (<c>bedrock-mantle.{region}.api.aws/v1/chat/completions</c>) replays through the client: the equivalent
/// MEAI call (<see cref="RecordedCall"/>) must send a request semantically equal to the recorded one (differences that
/// do not matter are listed and justified in <see cref="RequestComparison"/>), and the recorded answer must map to the
/// right MEAI objects, or to the recorded error. Cassettes without such a call are listed in <see cref="NotOurs"/> with
/// the reason, and a test keeps that list exact.
/// </summary>
[Category("RecordedTraffic")]
public sealed class CassetteReplayTests
{
    /// <summary>The cassettes of our file names that hold no Chat Completions call to OpenAI or Mantle, and why.</summary>
    private static readonly Dictionary<string, string> NotOurs = new(StringComparer.Ordinal)
    {
        ["models__cassettes__test_mantle__test_gpt_oss_responses.yaml"] = "Responses API (/v1/responses), which this provider does not speak",
        ["models__cassettes__test_mantle__test_reused_tool_call_ids[request].yaml"] = "Responses API on Mantle (/openai/v1/responses)",
        ["models__cassettes__test_mantle__test_reused_tool_call_ids[stream].yaml"] = "Responses API on Mantle (/openai/v1/responses)",
        ["models__cassettes__test_mantle__test_reused_tool_call_ids_gpt_5_5.yaml"] = "Responses API on Mantle (/openai/v1/responses)",
        ["models__cassettes__test_openai__test_compatible_api_with_tool_calls_without_id.yaml"] = "another host (Gemini's OpenAI-compatible endpoint); covered by our own fixture for calls without ids",
        ["models__cassettes__test_openai__test_document_url_input_force_download_response_api.yaml"] = "Responses API, and a file download from another host",
        ["models__cassettes__test_openai__test_document_url_input_response_api.yaml"] = "Responses API",
        ["models__cassettes__test_openai__test_image_url_input_force_download_response_api.yaml"] = "Responses API, and an image download from another host",
        ["models__cassettes__test_openai__test_openai_instructions_with_responses_logprobs_streaming.yaml"] = "Responses API",
        ["models__cassettes__test_openai__test_openai_model_cerebras_provider.yaml"] = "another host (api.cerebras.ai)",
        ["models__cassettes__test_openai__test_openai_model_cerebras_provider_harmony.yaml"] = "another host (api.cerebras.ai)",
        ["models__cassettes__test_openai__test_openai_model_cerebras_provider_qwen_3_coder.yaml"] = "another host (api.cerebras.ai)",
        ["models__cassettes__test_openai__test_openai_responses_native_output_decimal_strict.yaml"] = "Responses API",
        ["models__cassettes__test_openai__test_text_response.yaml"] = "another host (pydantic's demo endpoint)",
        ["models__cassettes__test_openai_prompt_cache__test_openrouter_responses_prompt_cache_e2e.yaml"] = "another host (OpenRouter) and the Responses API",
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
        Assert.That(calls, Is.Not.Empty, "the cassette holds at least one Chat Completions call to OpenAI or Mantle");
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
        var calls = OurFileNames().Sum(p => Cassette.Load(p).Interactions.Count(IsOurs));
        TestContext.Out.WriteLine($"{Cassettes().Count()} cassettes with {calls} Chat Completions calls replay; {NotOurs.Count} hold none.");
        Assert.Multiple(() =>
        {
            Assert.That(withoutCalls, Is.EqualTo(NotOurs.Keys.Order(StringComparer.Ordinal)));
            Assert.That(calls, Is.GreaterThanOrEqualTo(47));
        });
    }

    private static IEnumerable<string> OurFileNames() =>
        CassetteCorpus.Find("test_openai").Concat(CassetteCorpus.Find("test_mantle")).Distinct();

    private static bool IsOurs(CassetteInteraction interaction)
    {
        var uri = new Uri(interaction.Request.Uri);
        return uri.AbsolutePath == "/v1/chat/completions"
            && (uri.Host == "api.openai.com" || (uri.Host.StartsWith("bedrock-mantle.", StringComparison.Ordinal) && uri.Host.EndsWith(".api.aws", StringComparison.Ordinal)));
    }

    private static async Task ReplayAsync(CassetteInteraction interaction)
    {
        var recorded = (JsonObject)interaction.Request.Json!;
        var call = RecordedCall.From(recorded);
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(ScriptedResponse.From(interaction.Response));
        using var client = ChatClient(server, model: "not-the-recorded-model"); // the model comes from ChatOptions.ModelId

        ChatResponse? response = null;
        ModelProviderException? error = null;
        try
        {
            if (call.Streaming)
            {
                var updates = new List<ChatResponseUpdate>();
                await foreach (var update in client.GetStreamingResponseAsync(call.Messages, call.Options))
                {
                    updates.Add(update);
                }

                response = updates.ToChatResponse();
            }
            else
            {
                response = await client.GetResponseAsync(call.Messages, call.Options);
            }
        }
        catch (ModelProviderException ex)
        {
            error = ex;
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
        var expected = call.Streaming ? RecordedAnswer.FromStream(interaction.Response.Body) : RecordedAnswer.FromJson(interaction.Response.Body);
        expected.AssertMatches(response!);
    }
}
