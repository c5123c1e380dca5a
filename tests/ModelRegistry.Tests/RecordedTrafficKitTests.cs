using System.Text;
using ModelRegistry.Testing;

namespace ModelRegistry.Tests;

/// <summary>The kit replays real recorded traffic byte for byte: a Mistral JSON call, a Mistral SSE stream and a Bedrock event stream.</summary>
[Category("RecordedTraffic")]
public sealed class RecordedTrafficKitTests
{
    [SetUp]
    public void RequireCorpus()
    {
        if (!CassetteCorpus.IsAvailable)
        {
            Assert.Ignore(CassetteCorpus.NotFoundReason);
        }
    }

    [TestCase("models__cassettes__test_mistral__test_mistral_forwards_penalties.yaml", "application/json")]
    [TestCase("models__cassettes__test_mistral__test_mistral_model_thinking_part_iter.yaml", "text/event-stream")]
    [TestCase("models__cassettes__test_bedrock__test_bedrock_model_stream.yaml", "application/vnd.amazon.eventstream")]
    public async Task Replays_recorded_responses_byte_for_byte(string file, string contentType)
    {
        var cassette = Cassette.Load(CassetteCorpus.PathOf(file));
        await using var server = await ReplayServer.StartAsync(cassette);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        foreach (var interaction in cassette.Interactions)
        {
            var recorded = interaction.Request;
            using var request = new HttpRequestMessage(new HttpMethod(recorded.Method), recorded.PathAndQuery.TrimStart('/'));
            if (recorded.Body is { } body)
            {
                request.Content = new ByteArrayContent(body);
            }

            using var response = await http.SendAsync(request);
            var received = await response.Content.ReadAsByteArrayAsync();

            Assert.Multiple(() =>
            {
                Assert.That((int)response.StatusCode, Is.EqualTo(interaction.Response.Status));
                Assert.That(received, Is.EqualTo(interaction.Response.Body), "body bytes");
                Assert.That(received, Is.Not.Empty);
                Assert.That(response.Content.Headers.ContentType?.MediaType ?? interaction.Response.Header("content-type"), Does.StartWith(contentType));
            });
        }

        Assert.That(server.Requests.Select(r => r.PathAndQuery), Is.EqualTo(cassette.Interactions.Select(i => i.Request.PathAndQuery)));
        for (var i = 0; i < cassette.Interactions.Count; i++)
        {
            Assert.That(JsonEquivalence.Differences(cassette.Interactions[i].Request.Json, server.Requests[i].Json), Is.Empty);
        }
    }

    [Test]
    public void Every_cassette_in_the_corpus_loads()
    {
        var files = CassetteCorpus.Find(".yaml");
        Assert.That(files, Is.Not.Empty);
        foreach (var file in files)
        {
            var cassette = Cassette.Load(file);
            Assert.That(cassette.Interactions, Is.Not.Empty, file);
            Assert.That(cassette.Interactions.Where(i => i.Response.Body.Length > 0 && i.Response.Header("content-type")?.Contains("json", StringComparison.Ordinal) == true)
                .All(i => Encoding.UTF8.GetString(i.Response.Body).TrimStart().StartsWith('{') || Encoding.UTF8.GetString(i.Response.Body).TrimStart().StartsWith('[')), Is.True, file);
        }
    }
}
