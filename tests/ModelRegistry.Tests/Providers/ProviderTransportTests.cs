using System.Text;
using System.Text.Json;
using ModelRegistry.Providers;
using ModelRegistry.Testing;
using ModelRegistry.Tests.Support;

namespace ModelRegistry.Tests.Providers;

/// <summary>
/// The kit's error boundary and bounded reads over real loopback HTTP: what a body too large, a stalled or broken
/// stream, a cut-off answer or a decoder's exception becomes, with which code and whether it is retryable.
/// </summary>
public sealed class ProviderTransportTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(15);

    private static ScriptedResponse Sse(string body) => new() { Headers = [new("Content-Type", "text/event-stream")], Body = Encoding.UTF8.GetBytes(body) };

    [Test]
    public async Task A_body_declaring_more_than_max_response_bytes_fails_before_it_is_read_and_is_not_retried()
    {
        await using var tiny = await TinyHarness.StartAsync(r => r.MaxResponseBytes = 1024);
        tiny.Server.Enqueue(ScriptedResponse.Json(TinyWire.Answer(new string('x', 2000))), ScriptedResponse.Json(TinyWire.Answer("small")));

        var ex = Assert.ThrowsAsync<ModelProviderException>(() => tiny.ChatAsync().WaitAsync(Guard));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.ErrorCode, Is.EqualTo(ProviderErrorCodes.ResponseTooLarge));
            Assert.That(ex.IsRetryable, Is.False);
            Assert.That(ex.Message, Does.Contain("declares 2047 bytes, more than the limit of 1024 bytes (resilience:max_response_bytes)"));
            Assert.That(tiny.Server.Requests, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task A_streamed_body_without_a_length_fails_once_it_passes_max_response_bytes()
    {
        await using var tiny = await TinyHarness.StartAsync(r => r.MaxResponseBytes = 1024);
        var part = Encoding.UTF8.GetBytes(new string(' ', 700));
        tiny.Server.Enqueue(new ScriptedResponse { Chunks = [(part, TimeSpan.Zero), (part, TimeSpan.Zero), ("{}"u8.ToArray(), TimeSpan.Zero)] });

        var ex = Assert.ThrowsAsync<ModelProviderException>(() => tiny.ChatAsync().WaitAsync(Guard));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.ErrorCode, Is.EqualTo(ProviderErrorCodes.ResponseTooLarge));
            Assert.That(ex.Message, Does.Contain("larger than the limit of 1024 bytes (resilience:max_response_bytes)"));
            Assert.That(ex.IsRetryable, Is.False);
        });
    }

    [Test]
    public async Task A_body_of_exactly_max_response_bytes_is_read()
    {
        await using var tiny = await TinyHarness.StartAsync(r => r.MaxResponseBytes = 1024);
        var answer = TinyWire.Answer("x");
        answer = answer.Insert(1, new string(' ', 1024 - answer.Length));
        tiny.Server.Enqueue(new ScriptedResponse { Chunks = [(Encoding.UTF8.GetBytes(answer), TimeSpan.Zero)] });

        Assert.That((await tiny.ChatAsync().WaitAsync(Guard)).Text, Is.EqualTo("x"));
    }

    [Test]
    public async Task A_huge_declared_length_within_the_limit_allocates_nothing_like_it()
    {
        // 1 GiB declared (the largest limit allowed), 13 bytes sent: the buffer grows with what arrives, not with the claim.
        await using var server = new RawHttpServer("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n{\"text\":\"hi\"}");
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var transport = ProviderTransport.ForClient(TinyWire.Protocol, new TinyOptions
        {
            HttpClient = http,
            Resilience = new() { MaxRetries = 0, MaxResponseBytes = ProviderResilienceOptions.MaximumByteLimit },
        });

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var ex = Assert.ThrowsAsync<ModelProviderException>(() => transport.SendAsync(TinyWire.Chat(server.BaseAddress, "m", "hi"), TinyWire.ReadAnswer).WaitAsync(Guard));
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Multiple(() =>
        {
            Assert.That(ex!.ErrorCode, Is.EqualTo(ProviderErrorCodes.ConnectionFailed), "the body ended 1 GiB short");
            Assert.That(allocated, Is.LessThan(32L << 20), "bytes allocated while reading a body that claims 1 GiB");
        });
    }

    [Test]
    public async Task A_huge_declared_length_above_the_limit_fails_at_once()
    {
        await using var server = new RawHttpServer("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 9223372036854775807\r\n\r\n{}");
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var transport = ProviderTransport.ForClient(TinyWire.Protocol, new TinyOptions { HttpClient = http });

        var ex = Assert.ThrowsAsync<ModelProviderException>(() => transport.SendAsync(TinyWire.Chat(server.BaseAddress, "m", "hi"), TinyWire.ReadAnswer).WaitAsync(Guard));

        Assert.That(ex!.ErrorCode, Is.EqualTo(ProviderErrorCodes.ResponseTooLarge));
        Assert.That(server.Connections, Is.EqualTo(1), "not retried");
    }

    public static IEnumerable<Exception> DecoderFaults() =>
    [
        new InvalidOperationException("The requested operation requires an element of type 'String', but the target element has type 'Number'."),
        new ArgumentException("bad argument"),
        new FormatException("not a date"),
        new ArgumentOutOfRangeException("created", "year 10000"),
        new IndexOutOfRangeException("index 3"),
        new OverflowException("too big"),
        new KeyNotFoundException("'text' was not found"),
        new NullReferenceException("null"),
        new InvalidCastException("cast"),
        new NotSupportedException("unknown block"),
        new DecoderFallbackException("invalid UTF-8 byte"),
        new JsonException("'x' is an invalid start of a value."),
        new InvalidDataException("bad frame"),
        new TimeoutException("a timeout inside a decoder"),
        new HttpRequestException("a decoder that fetched something"),
    ];

    [TestCaseSource(nameof(DecoderFaults))]
    public async Task Anything_a_decoder_throws_on_a_complete_body_is_invalid_response(Exception fault)
    {
        await using var tiny = await TinyHarness.StartAsync();
        tiny.Server.Enqueue(ScriptedResponse.Json(TinyWire.Answer("fine")));

        var ex = Assert.ThrowsAsync<ModelProviderException>(() =>
            tiny.Transport.SendAsync<TinyAnswer>(TinyWire.Chat(tiny.Server.BaseAddress, "m", "hi"), _ => throw fault).WaitAsync(Guard));

        // A decoder that itself does I/O and loses its connection is a lost connection; anything else is a bad answer.
        var lostConnection = fault is HttpRequestException;
        Assert.Multiple(() =>
        {
            Assert.That(ex!.ErrorCode, Is.EqualTo(lostConnection ? ProviderErrorCodes.ConnectionFailed : ProviderErrorCodes.InvalidResponse));
            Assert.That(ex.IsRetryable, Is.True, "a malformed answer is the provider's fault: breaker and fallback count it");
            Assert.That(ex.InnerException, Is.SameAs(fault));
            Assert.That(ex.Provider, Is.EqualTo("tiny"));
            Assert.That(ex.Message, Does.StartWith(lostConnection ? "Tiny could not be reached, or the connection broke: " : $"Tiny's answer could not be read ({fault.GetType().Name}: "));
        });
    }

    [TestCaseSource(nameof(DecoderFaults))]
    public async Task Anything_a_stream_decoder_throws_is_classified(Exception fault)
    {
        await using var tiny = await TinyHarness.StartAsync();
        tiny.Server.Enqueue(Sse(TinyWire.Sse("one", "two", "[DONE]")));

        var ex = Assert.ThrowsAsync<ModelProviderException>(async () =>
        {
            await foreach (var _ in tiny.Transport.StreamAsync(TinyWire.Chat(tiny.Server.BaseAddress, "m", "hi", stream: true), (stream, ct) => Failing(stream, fault, ct)))
            {
            }
        });

        var expected = fault is HttpRequestException ? ProviderErrorCodes.ConnectionFailed : ProviderErrorCodes.InvalidResponse;
        Assert.Multiple(() =>
        {
            Assert.That(ex!.ErrorCode, Is.EqualTo(expected));
            Assert.That(ex.IsRetryable, Is.True);
            Assert.That(ex.InnerException, Is.SameAs(fault));
        });
    }

    private static async IAsyncEnumerable<string> Failing(ProviderStream stream, Exception fault, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var text in TinyWire.ReadEvents(stream, cancellationToken))
        {
            yield return text;
            throw fault;
        }
    }

    [TestCase("{\"text\":\"hel")]
    [TestCase("{\"text\":")]
    [TestCase("{\"text\"")]
    [TestCase("[1,2")]
    [TestCase("")]
    [TestCase("   ")]
    public async Task Cut_off_json_is_response_truncated(string body)
    {
        await using var tiny = await TinyHarness.StartAsync(r => r.MaxRetries = 0);
        tiny.Server.Enqueue(new ScriptedResponse { Body = Encoding.UTF8.GetBytes(body), Headers = [new("Content-Type", "application/json")] });

        var ex = Assert.ThrowsAsync<ModelProviderException>(() => tiny.ChatAsync().WaitAsync(Guard));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.ErrorCode, Is.EqualTo(ProviderErrorCodes.ResponseTruncated));
            Assert.That(ex.IsRetryable, Is.True);
            Assert.That(ex.Message, Is.EqualTo($"Tiny's answer ended before its JSON was complete ({Encoding.UTF8.GetByteCount(body)} bytes arrived)."));
        });
    }

    [TestCase("{\"text\":\"x\"}}")]
    [TestCase("{\"text\":tru}")]
    [TestCase("{\"text\":\"\\uZZZZ\"}")]
    public async Task Malformed_but_complete_json_is_invalid_response(string body)
    {
        await using var tiny = await TinyHarness.StartAsync(r => r.MaxRetries = 0);
        tiny.Server.Enqueue(new ScriptedResponse { Body = Encoding.UTF8.GetBytes(body) });

        var ex = Assert.ThrowsAsync<ModelProviderException>(() => tiny.ChatAsync().WaitAsync(Guard));
        Assert.That(ex!.ErrorCode, Is.EqualTo(ProviderErrorCodes.InvalidResponse));
    }

    [Test]
    public async Task A_ModelProviderException_from_a_decoder_passes_through_as_it_is()
    {
        await using var tiny = await TinyHarness.StartAsync();
        tiny.Server.Enqueue(ScriptedResponse.Json("{}"), Sse(TinyWire.Sse("a", "[DONE]")));
        var own = tiny.Transport.Failure("content_filtered", "the answer was filtered", isRetryable: false);

        var fromDecode = Assert.ThrowsAsync<ModelProviderException>(() => tiny.Transport.SendAsync<string>(TinyWire.Chat(tiny.Server.BaseAddress, "m", "hi"), _ => throw own));
        var fromStream = Assert.ThrowsAsync<ModelProviderException>(async () =>
        {
            await foreach (var _ in tiny.Transport.StreamAsync(TinyWire.Chat(tiny.Server.BaseAddress, "m", "hi", stream: true), (s, ct) => Failing(s, own, ct)))
            {
            }
        });

        Assert.Multiple(() =>
        {
            Assert.That(fromDecode, Is.SameAs(own));
            Assert.That(fromStream, Is.SameAs(own));
            Assert.That(own.ErrorCode, Is.EqualTo("content_filtered"));
            Assert.That(own.IsRetryable, Is.False);
        });
    }

    [Test]
    public async Task A_stream_yields_every_event_in_order()
    {
        await using var tiny = await TinyHarness.StartAsync();
        tiny.Server.Enqueue(Sse(": keep-alive\n\n" + TinyWire.Sse("Hel", "lo", "[DONE]")));

        var texts = await tiny.StreamAsync().ToListAsync().AsTask().WaitAsync(Guard);

        Assert.That(texts, Is.EqualTo(new[] { "Hel", "lo" }));
        Assert.That(tiny.Server.Requests.Single().Header("accept"), Is.EqualTo("text/event-stream"));
    }

    [Test]
    public async Task A_stream_that_ends_without_its_final_event_is_response_truncated()
    {
        await using var tiny = await TinyHarness.StartAsync();
        tiny.Server.Enqueue(Sse(TinyWire.Sse("Hel", "lo")));

        var received = new List<string>();
        var ex = Assert.ThrowsAsync<ModelProviderException>(async () =>
        {
            await foreach (var text in tiny.StreamAsync())
            {
                received.Add(text);
            }
        });

        Assert.Multiple(() =>
        {
            Assert.That(received, Is.EqualTo(new[] { "Hel", "lo" }));
            Assert.That(ex!.ErrorCode, Is.EqualTo(ProviderErrorCodes.ResponseTruncated));
            Assert.That(ex.IsRetryable, Is.True);
            Assert.That(ex.Message, Is.EqualTo("Tiny's answer ended before it was complete: the stream ended without [DONE]"));
        });
    }

    [Test]
    public async Task A_stream_reset_after_its_first_event_is_connection_failed_and_not_retried()
    {
        await using var tiny = await TinyHarness.StartAsync();
        var body = TinyWire.Sse("one", "two", "[DONE]");
        tiny.Server.Enqueue(new ScriptedResponse { Headers = [new("Content-Type", "text/event-stream")], Body = Encoding.UTF8.GetBytes(body), TruncateAfter = "data: one\n\n".Length });

        var received = new List<string>();
        var ex = Assert.ThrowsAsync<ModelProviderException>(async () =>
        {
            await foreach (var text in tiny.StreamAsync())
            {
                received.Add(text);
            }
        });

        Assert.Multiple(() =>
        {
            Assert.That(received, Is.EqualTo(new[] { "one" }));
            Assert.That(ex!.ErrorCode, Is.EqualTo(ProviderErrorCodes.ConnectionFailed));
            Assert.That(tiny.Server.Requests, Has.Count.EqualTo(1), "a stream is never retried once its headers arrived");
        });
    }

    [Test]
    public async Task A_stream_is_retried_before_its_headers()
    {
        await using var tiny = await TinyHarness.StartAsync();
        tiny.Server.Enqueue(new ScriptedResponse { Status = 502 }, Sse(TinyWire.Sse("ok", "[DONE]")));

        var call = tiny.StreamAsync().ToListAsync().AsTask();
        await tiny.Time.AdvanceWhenArmedAsync(TimeSpan.FromSeconds(1), call);

        Assert.That(await call.WaitAsync(Guard), Is.EqualTo(new[] { "ok" }));
    }

    [Test]
    public async Task A_stream_that_stalls_between_chunks_ends_with_stream_idle_timeout_after_exactly_the_idle_time()
    {
        await using var tiny = await TinyHarness.StartAsync(r => r.StreamIdleTimeout = TimeSpan.FromSeconds(5));
        tiny.Server.Enqueue(new ScriptedResponse
        {
            Headers = [new("Content-Type", "text/event-stream")],
            Chunks = [("data: first\n\n"u8.ToArray(), TimeSpan.Zero), ("data: late\n\n"u8.ToArray(), TimeSpan.FromHours(1))],
        });

        await using var items = tiny.StreamAsync().GetAsyncEnumerator();
        Assert.That(await items.MoveNextAsync().AsTask().WaitAsync(Guard), Is.True);
        Assert.That(items.Current, Is.EqualTo("first"));
        var next = items.MoveNextAsync().AsTask();

        // The idle timer is re-armed on every read: the one armed now is the stalled read's.
        await tiny.Time.AdvanceWhenArmedAsync(TimeSpan.FromSeconds(5), next);

        var ex = Assert.ThrowsAsync<ModelProviderException>(() => next.WaitAsync(Guard));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.ErrorCode, Is.EqualTo(ProviderErrorCodes.StreamIdleTimeout));
            Assert.That(ex.IsRetryable, Is.True, "the registry may fall back");
            Assert.That(ex.Message, Is.EqualTo("Tiny's stream stalled: the stream sent nothing for 5000 ms (resilience:stream_idle_timeout_ms)."));
        });
    }

    [Test]
    public async Task The_callers_cancellation_of_a_stream_is_an_OperationCanceledException()
    {
        await using var tiny = await TinyHarness.StartAsync(r => r.StreamIdleTimeout = TimeSpan.FromSeconds(5));
        tiny.Server.Enqueue(new ScriptedResponse
        {
            Headers = [new("Content-Type", "text/event-stream")],
            Chunks = [("data: first\n\n"u8.ToArray(), TimeSpan.Zero), ("data: late\n\n"u8.ToArray(), TimeSpan.FromHours(1))],
        });
        using var cancel = new CancellationTokenSource();

        await using var items = tiny.StreamAsync(cancel.Token).GetAsyncEnumerator(cancel.Token);
        Assert.That(await items.MoveNextAsync().AsTask().WaitAsync(Guard), Is.True);
        var next = items.MoveNextAsync().AsTask();
        await tiny.Time.WaitUntilArmedAsync(TimeSpan.FromSeconds(5));
        await cancel.CancelAsync();

        var ex = Assert.CatchAsync<OperationCanceledException>(() => next.WaitAsync(Guard));
        Assert.That(ex, Is.Not.InstanceOf<ModelProviderException>());
    }

    [Test]
    public async Task An_sse_line_beyond_max_event_bytes_is_response_too_large_and_not_retried()
    {
        await using var tiny = await TinyHarness.StartAsync(r => r.MaxEventBytes = 1024);
        tiny.Server.Enqueue(Sse("data: " + new string('x', 5000) + "\n\ndata: [DONE]\n\n"), Sse(TinyWire.Sse("never", "[DONE]")));

        var ex = Assert.ThrowsAsync<ModelProviderException>(async () => await tiny.StreamAsync().ToListAsync());

        Assert.Multiple(() =>
        {
            Assert.That(ex!.ErrorCode, Is.EqualTo(ProviderErrorCodes.ResponseTooLarge));
            Assert.That(ex.IsRetryable, Is.False);
            Assert.That(ex.Message, Does.Contain("exceeds the limit of 1024 bytes (resilience:max_event_bytes)"));
            Assert.That(tiny.Server.Requests, Has.Count.EqualTo(1));
        });
    }

    [TestCase("..")]
    [TestCase(".")]
    [TestCase("")]
    [TestCase(" ")]
    [TestCase("model\r\nHost: evil")]
    [TestCase("a\u0000b")]
    [TestCase("a\u001fb")]
    [TestCase("a\u007fb")]
    [TestCase("a\u0085b")]
    [TestCase("a\u009fb")]
    public void A_path_segment_refuses_dot_segments_and_control_characters(string id)
    {
        var ex = Assert.Throws<ArgumentException>(() => ProviderRequest.PathSegment(id, "ChatOptions.ModelId"));
        Assert.That(ex!.Message, Does.StartWith("ChatOptions.ModelId must be a model or resource id, but is empty, '.' or '..', or holds control characters."));
    }

    [TestCase("mistral-large-latest", "mistral-large-latest")]
    [TestCase("anthropic.claude-haiku-4-5-20251001-v1:0", "anthropic.claude-haiku-4-5-20251001-v1%3A0")]
    [TestCase("../admin", "..%2Fadmin")]
    [TestCase("a/b?c#d e", "a%2Fb%3Fc%23d%20e")]
    [TestCase("...", "...")]
    public void A_path_segment_is_exactly_one_encoded_segment(string id, string expected)
    {
        Assert.That(ProviderRequest.PathSegment(id, "model id"), Is.EqualTo(expected));
    }

    [Test]
    public async Task An_encoded_model_id_reaches_the_server_as_one_segment()
    {
        await using var tiny = await TinyHarness.StartAsync();
        tiny.Server.Enqueue(ScriptedResponse.Json(TinyWire.Answer("ok")));

        await tiny.Transport.SendAsync(TinyWire.Chat(tiny.Server.BaseAddress, "../../admin?x=1", "hi"), TinyWire.ReadAnswer).WaitAsync(Guard);

        Assert.That(tiny.Server.Requests.Single().PathAndQuery, Is.EqualTo("/v1/tiny/..%2F..%2Fadmin%3Fx%3D1"));
    }
}
