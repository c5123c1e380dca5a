using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ModelRegistry.Emf.Internal;
using ModelRegistry.Emf.Tests.TestSupport;
using ModelRegistry.Testing;
using static ModelRegistry.Emf.Tests.TestSupport.JsonText;
using ModelRegistry.Providers;

namespace ModelRegistry.Emf.Tests;

/// <summary>The sinks, and that writing metrics never disturbs the call.</summary>
public sealed class EmfSinkTests
{
    [Test]
    public void Standard_output_is_one_shared_stream_sink_so_its_lock_covers_the_whole_process()
    {
        var first = EmfSink.StandardOutput;
        var second = EmfSink.StandardOutput;

        Assert.That(second, Is.SameAs(first));
        Assert.That(first, Is.TypeOf<StreamEmfSink>());
    }

    [Test]
    public void The_stream_sink_writes_the_line_in_one_write_and_flushes()
    {
        var stream = new ChunkingStream();
        var sink = new StreamEmfSink(stream);

        sink.Write("{\"a\":1}\n"u8);

        Assert.That(stream.Writes, Is.EqualTo(1));
        Assert.That(stream.Flushes, Is.EqualTo(1));
        Assert.That(stream.Text, Is.EqualTo("{\"a\":1}\n"));
    }

    [Test]
    public async Task The_text_writer_sink_writes_whole_lines()
    {
        using var writer = new StringWriter();
        using var h = new EmfHarness(o => o.Sink = EmfSink.ToTextWriter(writer));

        await h.Client.GetResponseAsync("hi");
        await h.Client.GetResponseAsync("hi");

        var lines = writer.ToString().Split('\n');
        Assert.That(lines, Has.Length.EqualTo(3));
        Assert.That(lines[2], Is.Empty);
        foreach (var line in lines[..2])
        {
            EmfAssert.IsValidLine(line + "\n");
        }
    }

    [Test]
    public async Task The_logger_sink_logs_the_json_as_the_whole_message_without_the_line_feed()
    {
        var logger = new FakeLogger();
        using var h = new EmfHarness(o => o.Sink = EmfSink.ToLogger(logger, LogLevel.Debug));

        await h.Client.GetResponseAsync("hi");

        var entry = logger.Collector.GetSnapshot().Single();
        Assert.That(entry.Level, Is.EqualTo(LogLevel.Debug));
        Assert.That(entry.Id.Name, Is.EqualTo("EmfLine"));
        Assert.That(entry.Message, Does.StartWith("{\"_aws\":").And.EndWith("}"));
        EmfAssert.IsValidLine(entry.Message + "\n");
    }

    [Test]
    public async Task Without_a_sink_option_an_EmfSink_registered_in_services_is_used()
    {
        var sink = new RecordingSink();
        var services = new ServiceCollection().AddSingleton<EmfSink>(sink).BuildServiceProvider();
        using var client = new ScriptedChatClient().AsBuilder()
            .UseEmfMetrics(o => o.Model = "m")
            .Build(services);

        await client.GetResponseAsync("hi");

        Assert.That(sink.Single(), Does.Contain(J("'Model':'m',")));
    }

    [Test]
    public async Task A_sink_that_throws_does_not_disturb_the_call_and_is_logged()
    {
        var sink = new ThrowingSink();
        using var h = new EmfHarness(o => o.Sink = sink);
        h.Inner.Respond = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "fine")));

        var response = await h.Client.GetResponseAsync("hi");
        var updates = await EmfChatClientTests.ReadAll(h.Client.GetStreamingResponseAsync("hi"));

        Assert.That(response.Text, Is.EqualTo("fine"));
        Assert.That(updates, Is.EqualTo(new[] { "ok" }));
        Assert.That(sink.Calls, Is.EqualTo(2));
        Assert.That(h.Logger.Collector.GetSnapshot().Where(r => r.Level == LogLevel.Warning).Select(r => r.Exception), Has.All.TypeOf<IOException>());
        Assert.That(h.Logger.Collector.Messages(LogLevel.Warning), Has.Count.EqualTo(2));
    }

    [Test]
    public void A_non_finite_value_is_left_out_of_the_directive_and_the_line_with_a_warning()
    {
        var sink = new RecordingSink();
        var logger = new FakeLogger();
        var settings = EmfSettings.Create(EmfHarness.TestOptions(sink));
        var identity = new EmfIdentity(settings, "haiku", "fake", null, null);
        var call = new EmfCall { Outcome = AttemptOutcome.Success, TimestampMilliseconds = 1, LatencyMilliseconds = double.NaN, TimeToFirstTokenMilliseconds = double.PositiveInfinity };

        EmfLineWriter.Emit(settings, identity, call, sink, logger);

        var line = sink.Single();
        Assert.That(line, Does.Not.Contain("Latency").And.Not.Contain("TimeToFirstToken"));
        Assert.That(CloudWatchReader.Read(line).Select(d => d.Name), Does.Contain("Invocations"));
        Assert.That(logger.Collector.Messages(LogLevel.Warning), Has.Exactly(1).Contains("Latency").And.Exactly(1).Contains("TimeToFirstToken"));
    }

    [Test]
    public async Task A_line_over_one_megabyte_is_dropped_with_a_warning_and_the_call_is_unaffected()
    {
        using var h = new EmfHarness(o => o.Model = "haiku");
        var huge = new string('r', 1024 * 1024);
        var calls = 0;
        h.Inner.Respond = (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")) { ResponseId = calls++ == 0 ? huge : "small" });

        var response = await h.Client.GetResponseAsync("hi");
        await h.Client.GetResponseAsync("hi");

        Assert.That(response.ResponseId, Is.SameAs(huge));
        Assert.That(h.Logger.Collector.Messages(LogLevel.Warning).Single(), Does.Contain("larger than the 1048576 bytes"));
        Assert.That(h.Sink.Single(), Does.Contain(J("'ResponseId':'small'")), "only the second, normal line");
    }

    [Test]
    public void A_property_with_control_characters_stays_on_one_line()
    {
        var sink = new RecordingSink();
        var settings = EmfSettings.Create(EmfHarness.TestOptions(sink));
        var identity = new EmfIdentity(settings, "haiku", "fake", null, null);
        var call = new EmfCall { ResponseId = "a\nb\r\"c\u2028", FinishReason = "</script>" };

        EmfLineWriter.Emit(settings, identity, call, sink, new FakeLogger());

        using var document = JsonDocument.Parse(sink.Single());
        Assert.That(document.RootElement.GetProperty("ResponseId").GetString(), Is.EqualTo("a\nb\r\"c\u2028"));
        Assert.That(document.RootElement.GetProperty("FinishReason").GetString(), Is.EqualTo("</script>"));
    }

    [Test]
    public void The_xray_root_is_taken_from_the_header_wherever_it_stands()
    {
        Assert.That(EmfLineWriter.XRayRoot("Root=1-abc-def;Parent=1;Sampled=0").ToString(), Is.EqualTo("1-abc-def"));
        Assert.That(EmfLineWriter.XRayRoot("Parent=1; Root=1-abc-def ;Sampled=0").ToString(), Is.EqualTo("1-abc-def"));
        Assert.That(EmfLineWriter.XRayRoot("1-abc-def").ToString(), Is.EqualTo("1-abc-def"));
    }

    /// <summary>Writes each write call in two halves with a yield between, so unlocked concurrent writers would interleave.</summary>
    internal sealed class ChunkingStream : Stream
    {
        private readonly MemoryStream _inner = new();

        public int Writes { get; private set; }

        public int Flushes { get; private set; }

        public string Text => Encoding.UTF8.GetString(_inner.ToArray());

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _inner.Length;

        public override long Position { get => _inner.Position; set => throw new NotSupportedException(); }

        public override void Flush() => Flushes++;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Writes++;
            var half = buffer.Length / 2;
            _inner.Write(buffer[..half]);
            Thread.Yield();
            _inner.Write(buffer[half..]);
        }
    }

    private sealed class ThrowingSink : EmfSink
    {
        private int _calls;

        public int Calls => _calls;

        public override void Write(ReadOnlySpan<byte> utf8Line)
        {
            Interlocked.Increment(ref _calls);
            throw new IOException("stdout is closed");
        }
    }
}
