using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ModelRegistry.Testing;

namespace ModelRegistry.Tests;

/// <summary>The test kit itself: cassettes load, the replay server serves them byte for byte and records requests.</summary>
public sealed class TestKitTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    private static async Task<(byte[] Body, HttpResponseMessage Response)> SendAsync(ReplayServer server, HttpMethod method, string path, string? json = null)
    {
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        var response = await http.SendAsync(request);
        return (await response.Content.ReadAsByteArrayAsync(), response);
    }

    [Test]
    public void Own_fixtures_parse_body_parsed_body_and_binary_forms()
    {
        var json = Cassette.Load(Fixture("chat-json.yaml")).Interactions.Single();
        var stream = Cassette.Load(Fixture("chat-stream.yaml")).Interactions.Single();
        var binary = Cassette.Load(Fixture("binary-then-error.yaml"));

        Assert.Multiple(() =>
        {
            Assert.That(json.Request.Json!["temperature"]!.GetValue<double>(), Is.EqualTo(0.2));
            Assert.That(json.Request.PathAndQuery, Is.EqualTo("/v1/chat/completions"));
            Assert.That(stream.Request.IsStreaming, Is.True);
            Assert.That(stream.Request.Uri, Is.EqualTo("https://api.example.test/v1/chat/completions"));
            Assert.That(JsonEquivalence.Differences(
                JsonNode.Parse("""{"model":"small-test-model","stream":true,"max_tokens":16,"top_p":0.9,"safe":false,"stop":null,"messages":[{"role":"user","content":"42"}]}"""),
                stream.Request.Json), Is.Empty, "plain YAML scalars resolve to JSON types, quoted ones stay strings");
            Assert.That(Encoding.UTF8.GetString(stream.Response.Body), Does.StartWith("data: {\"id\":\"s-1\"").And.EndWith("data: [DONE]\n\n"));
            Assert.That(binary.Interactions[0].Response.Body, Is.EqualTo(new byte[] { 0x00, 0x01, 0xfe, 0xff, 0x0a, 0x41 }));
            Assert.That(binary.Interactions[0].Request.Headers.Single().Value, Is.EqualTo("hello"));
            Assert.That(binary.Interactions[1].Response.Status, Is.EqualTo(404));
        });
    }

    [Test]
    public async Task Replays_own_fixtures_in_order_byte_for_byte_and_records_requests()
    {
        await using var server = await ReplayServer.StartAsync(Cassette.Load(Fixture("binary-then-error.yaml")));

        var (first, firstResponse) = await SendAsync(server, HttpMethod.Get, "bytes");
        var (second, secondResponse) = await SendAsync(server, HttpMethod.Get, "missing?x=1");
        var (third, thirdResponse) = await SendAsync(server, HttpMethod.Post, "extra", "{}");

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(new byte[] { 0x00, 0x01, 0xfe, 0xff, 0x0a, 0x41 }));
            Assert.That(firstResponse.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/octet-stream"));
            Assert.That(secondResponse.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(secondResponse.Headers.GetValues("x-amzn-ErrorType").Single(), Does.StartWith("ResourceNotFoundException"));
            Assert.That(Encoding.UTF8.GetString(second), Is.EqualTo("{\"message\":\"not here\"}"));
            Assert.That((int)thirdResponse.StatusCode, Is.EqualTo(599), "nothing queued: a clear error, not a hang");
            Assert.That(Encoding.UTF8.GetString(third), Does.Contain("no response queued for request #3 POST /extra"));
            Assert.That(server.Requests.Select(r => r.PathAndQuery), Is.EqualTo(new[] { "/bytes", "/missing?x=1", "/extra" }));
            Assert.That(server.Requests[2].Json!.ToJsonString(), Is.EqualTo("{}"));
        });
    }

    [Test]
    public async Task Recorded_transfer_headers_are_not_replayed()
    {
        var cassette = Cassette.Load(Fixture("chat-json.yaml"));
        await using var server = await ReplayServer.StartAsync(cassette);

        var (body, response) = await SendAsync(server, HttpMethod.Post, "v1/chat/completions", cassette.Interactions[0].Request.Json!.ToJsonString());

        Assert.Multiple(() =>
        {
            Assert.That(body, Is.EqualTo(cassette.Interactions[0].Response.Body));
            Assert.That(response.Content.Headers.ContentEncoding, Is.Empty, "the recorded body is already decoded");
            Assert.That(response.Headers.GetValues("x-request-id").Single(), Is.EqualTo("abc123"));
            Assert.That(JsonEquivalence.Differences(cassette.Interactions[0].Request.Json, server.Requests[0].Json), Is.Empty);
        });
    }

    [Test]
    public void Json_equivalence_ignores_order_and_number_form_and_reports_paths()
    {
        Assert.Multiple(() =>
        {
            Assert.That(JsonEquivalence.Differences("""{"a":1,"b":[1,{"c":"x"}]}""", """{ "b": [1.0, {"c": "x"}], "a": 1 }"""), Is.Empty);
            Assert.That(JsonEquivalence.Differences("""{"a":1,"b":[1,{"c":"x"}]}""", """{"b":[2,{"c":"y","d":true}]}"""), Is.EqualTo(new[]
            {
                "$.a: missing (expected 1)",
                "$.b[0]: expected 1, got 2",
                "$.b[1].c: expected \"x\", got \"y\"",
                "$.b[1].d: unexpected true",
            }));
            Assert.That(JsonEquivalence.Differences("""["é"]""", """["\u00e9"]"""), Is.Empty, "escapes do not matter");
            Assert.That(JsonEquivalence.Differences("""{"a":"1"}""", """{"a":1}"""), Has.Count.EqualTo(1), "a string is not a number");
        });
    }

    [Test]
    public async Task Scripted_faults_reset_truncate_delay_and_chunk()
    {
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(
            new ScriptedResponse { ResetConnection = true },
            new ScriptedResponse { Body = Encoding.UTF8.GetBytes("0123456789"), TruncateAfter = 4 },
            new ScriptedResponse { Chunks = [(Encoding.UTF8.GetBytes("data: 1\n\n"), TimeSpan.Zero), (Encoding.UTF8.GetBytes("data: 2\n\n"), TimeSpan.FromMilliseconds(20))] },
            new ScriptedResponse { DelayBeforeHeaders = TimeSpan.FromSeconds(30), Body = [1] });
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("reset"));
        var truncated = await http.GetAsync("truncated", HttpCompletionOption.ResponseHeadersRead);
        Assert.That(truncated.Content.Headers.ContentLength, Is.EqualTo(10));
        Assert.CatchAsync<Exception>(() => truncated.Content.ReadAsByteArrayAsync(), "a body cut short fails the read");
        Assert.That(await http.GetStringAsync("chunks"), Is.EqualTo("data: 1\n\ndata: 2\n\n"));

        // The delayed response is still pending once the server has the request: the client gives up, no clock decides.
        using var cancel = new CancellationTokenSource();
        var slow = http.GetAsync("slow", cancel.Token);
        using (var guard = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
        {
            while (server.Requests.Count < 4)
            {
                await Task.Delay(5, guard.Token); // a hang guard polling for an event
            }
        }

        Assert.That(slow.IsCompleted, Is.False, "30 s before its headers");
        await cancel.CancelAsync();
        Assert.CatchAsync<OperationCanceledException>(() => slow);
        Assert.That(server.Requests, Has.Count.EqualTo(4));
    }
}
