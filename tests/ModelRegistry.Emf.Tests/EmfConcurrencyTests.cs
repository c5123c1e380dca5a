using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelRegistry.Emf.Internal;
using ModelRegistry.Emf.Tests.TestSupport;

namespace ModelRegistry.Emf.Tests;

/// <summary>Many concurrent calls write as many whole, parseable lines, each with its own call's numbers.</summary>
public sealed class EmfConcurrencyTests
{
    private const int Calls = 10_000;

    [Test]
    public async Task Ten_thousand_concurrent_calls_through_the_stream_sink_write_ten_thousand_whole_lines()
    {
        // The stream sink is what standard output uses; this stream splits every write with a yield in the middle.
        var stream = new EmfSinkTests.ChunkingStream();
        await RunConcurrently(new StreamEmfSink(stream));

        AssertOneLinePerCall(stream.Text);
    }

    [Test]
    public async Task Ten_thousand_concurrent_calls_through_a_text_writer_that_is_not_thread_safe_write_ten_thousand_whole_lines()
    {
        using var writer = new StringWriter();
        await RunConcurrently(EmfSink.ToTextWriter(writer));

        AssertOneLinePerCall(writer.ToString());
    }

    private static async Task RunConcurrently(EmfSink sink)
    {
        // Each call reports its index as its input token count, half of them streamed.
        var inner = new ScriptedChatClient(new Microsoft.Extensions.AI.ChatClientMetadata("fake", null, "m"))
        {
            Respond = async (messages, _, _) =>
            {
                await Task.Yield();
                var index = int.Parse(messages.Single().Text, System.Globalization.CultureInfo.InvariantCulture);
                return new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")) { Usage = new UsageDetails { InputTokenCount = index } };
            },
            Stream = (messages, _) => Streamed(int.Parse(messages.Single().Text, System.Globalization.CultureInfo.InvariantCulture)),
        };
        var options = EmfHarness.TestOptions(sink);
        using var client = new EmfChatClient(inner, options);

        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = Enumerable.Range(0, Calls).Select(i => Task.Run(async () =>
        {
            await start.Task;
            var text = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (i % 2 == 0)
            {
                await client.GetResponseAsync(text);
            }
            else
            {
                await foreach (var _ in client.GetStreamingResponseAsync(text))
                {
                }
            }
        })).ToArray();
        start.SetResult();
        await Task.WhenAll(calls);
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Streamed(int index)
    {
        await Task.Yield();
        yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails { InputTokenCount = index })]);
    }

    private static void AssertOneLinePerCall(string text)
    {
        Assert.That(text, Does.EndWith("\n"));
        var lines = text[..^1].Split('\n');
        Assert.That(lines, Has.Length.EqualTo(Calls));
        var inputs = new List<long>(Calls);
        foreach (var line in lines)
        {
            EmfAssert.IsValidLine(line + "\n");
            using var document = JsonDocument.Parse(line);
            inputs.Add(document.RootElement.GetProperty("InputTokens").GetInt64());
        }

        Assert.That(inputs.Order(), Is.EqualTo(Enumerable.Range(0, Calls).Select(i => (long)i)), "every call's own numbers, once");
    }
}
