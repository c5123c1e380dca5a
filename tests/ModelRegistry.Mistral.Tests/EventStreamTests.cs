using System.Net;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Providers;
using ModelRegistry.Testing;
using static ModelRegistry.Mistral.Tests.MistralTestKit;

namespace ModelRegistry.Mistral.Tests;

/// <summary>
/// Mistral streams through the kit's <see cref="ServerSentEventReader"/>: every framing the API (or a proxy) may use,
/// fed one byte per read so every split point is exercised, and the bound on one event.
/// </summary>
public sealed class EventStreamTests
{
    /// <summary>A stream that returns at most one byte per read, like the slowest network.</summary>
    private sealed class TrickleStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(1, buffer.Length)], cancellationToken);
    }

    /// <summary>Answers every request with a 200 event stream whose body trickles in one byte at a time.</summary>
    private sealed class TrickleHandler(string body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StreamContent(new TrickleStream(Encoding.UTF8.GetBytes(body))) { Headers = { { "Content-Type", "text/event-stream" } } },
            });
    }

    private static async Task<ChatResponse> TrickleAsync(string body)
    {
        var options = new MistralClientOptions
        {
            ApiKey = ApiKey,
            Environment = NoEnvironment,
            HttpClient = new HttpClient(new TrickleHandler(body)),
            Resilience = new ProviderResilienceOptions { MaxRetries = 0 },
        };
        using var client = new MistralClient(options).AsIChatClient("mistral-small-latest");
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("hi"))
        {
            updates.Add(update);
        }

        return updates.ToChatResponse();
    }

    [TestCase("\n")]
    [TestCase("\r\n")]
    [TestCase("\r")]
    public async Task Events_are_read_with_any_line_ending_split_at_every_byte(string newline)
    {
        var body = string.Join(newline,
            ": keep-alive", "data: " + Chunk("""{"role":"assistant","content":"Hel"}"""), "",
            "id: 7", "retry: 1000", "data:" + Chunk("""{"content":"lo"}""", finish: "stop"), "",
            "data: [DONE]", "", "");

        var response = await TrickleAsync(body);

        Assert.Multiple(() =>
        {
            Assert.That(response.Text, Is.EqualTo("Hello"), "a data field without the space after the colon reads alike");
            Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
        });
    }

    [Test]
    public async Task Multi_line_data_is_joined_and_a_last_event_without_its_blank_line_still_counts()
    {
        // One chunk's JSON over two data lines (joined by LF, still valid JSON); [DONE] ends the body without a line end.
        var chunk = Chunk("""{"role":"assistant","content":"joined"}""");
        var split = chunk.IndexOf("\"choices\"", StringComparison.Ordinal);
        var body = $"data: {chunk[..split]}\ndata: {chunk[split..]}\n\ndata: [DONE]";

        var response = await TrickleAsync(body);

        Assert.That(response.Text, Is.EqualTo("joined"), "without [DONE] being read, the stream would count as truncated");
    }

    [Test]
    public async Task Blank_lines_comments_and_an_event_name_without_data_dispatch_nothing()
    {
        // An "event: error" line with no data must not name the next event: that chunk would then be read as an error.
        var body = "\n\n: ping\n\nevent: error\n\n" + "data: " + Chunk("""{"role":"assistant","content":"fine"}""", finish: "stop") + "\n\n";

        var response = await TrickleAsync(body);

        Assert.That(response.Text, Is.EqualTo("fine"));
    }

    [Test]
    public async Task Events_larger_than_the_reader_s_buffer_are_read_whole()
    {
        var big = new string('x', 100_000);
        var body = Encoding.UTF8.GetBytes("data: " + Chunk($$"""{"role":"assistant","content":"{{big}}"}""") + "\n\ndata: " + Chunk("""{"content":"!"}""", finish: "stop") + "\n\n");
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(new ScriptedResponse { Headers = [new("Content-Type", "text/event-stream")], Chunks = [.. body.Chunk(4096).Select(c => (c, TimeSpan.Zero))] });
        using var client = ChatClient(server);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("hi"))
        {
            updates.Add(update);
        }

        Assert.That(updates.ToChatResponse().Text, Is.EqualTo(big + "!"));
    }

    [Test]
    public async Task A_256_MB_line_fails_as_response_too_large_at_max_event_bytes_without_buffering_it()
    {
        // Before the kit, the reader doubled its buffer for as long as the line went on: 1.8 GB allocated for this one.
        const int piece = 64 * 1024;
        const long total = 256L << 20;
        var filler = new byte[piece];
        Array.Fill(filler, (byte)'x');
        "data: "u8.CopyTo(filler);
        await using var server = await ReplayServer.StartAsync();
        server.Enqueue(new ScriptedResponse
        {
            Headers = [new("Content-Type", "text/event-stream")],
            Chunks = [.. Enumerable.Repeat((filler, TimeSpan.Zero), (int)(total / piece))],
        });
        var services = new ServiceCollection();
        services.AddSingleton(EnvironmentProvider.FromVariables(new Dictionary<string, string?> { ["MISTRAL_API_KEY"] = ApiKey }));
        services.AddModelRegistry(o => o.Resilience.MaxRetries = 0).FromJson($$"""
            {"small":{"provider":"mistral","model_id":"mistral-small-latest","endpoint":"{{server.BaseAddress}}","resilience":{"max_event_bytes":65536} } }
            """).AddMistral();
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredKeyedService<IChatClient>("small");

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var error = Assert.ThrowsAsync<ModelProviderException>(async () =>
        {
            await foreach (var _ in client.GetStreamingResponseAsync("hi"))
            {
            }
        });
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Multiple(() =>
        {
            Assert.That(error!.ErrorCode, Is.EqualTo(ProviderErrorCodes.ResponseTooLarge));
            Assert.That(error.IsRetryable, Is.False);
            Assert.That(error.Message, Does.Contain("65536").And.Contain("resilience:max_event_bytes"));
            Assert.That(allocated, Is.LessThan(32L << 20), "the whole process allocated far less than the line's 256 MB");
        });
    }
}
