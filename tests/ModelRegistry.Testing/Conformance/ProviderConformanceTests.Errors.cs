using System.Globalization;
using Microsoft.Extensions.AI;
using NUnit.Framework;

namespace ModelRegistry.Testing;

/// <summary>
/// Error cases: every status leaves as the same <see cref="ModelProviderException"/> classification in every provider,
/// and retryable ones are retried on the server, on the fake clock, with exactly the expected waits.
/// </summary>
public abstract partial class ProviderConformanceTests
{
    /// <summary>
    /// An error status is classified alike by every provider: status, retryable (408, 429, 500, 503: retried twice,
    /// 1 s then 2 s), throttling (429), no Retry-After when none was sent, the provider's message and the entry's name.
    /// </summary>
    [Test]
    public async Task ErrorStatusIsClassified([Values(400, 401, 403, 404, 408, 413, 429, 500, 503)] int status, [Values] bool streaming)
    {
        var retryable = status is 408 or 429 or 500 or 503;
        var attempts = retryable ? Attempts : 1;
        await using var host = await StartAsync();
        for (var i = 0; i < attempts; i++)
        {
            host.Server.Enqueue(Wire.Error(status, ConformanceData.ErrorMessage(status)));
        }

        var call = Call(host, streaming);
        if (retryable)
        {
            await host.Clock.AdvanceWhenArmedAsync(FirstBackoff);
            await host.Clock.AdvanceWhenArmedAsync(SecondBackoff);
        }

        var error = await FailsAsync<ModelProviderException>(call);

        Assert.Multiple(() =>
        {
            Assert.That(error.StatusCode, Is.EqualTo(status));
            Assert.That(error.IsRetryable, Is.EqualTo(retryable), "retryable");
            Assert.That(error.IsThrottling, Is.EqualTo(status == 429), "throttling");
            Assert.That(error.RetryAfter, Is.Null, "no Retry-After was sent");
            Assert.That(error.Message, Does.Contain(ConformanceData.ErrorMessage(status)), "the provider's message");
            Assert.That(error.ModelName, Is.EqualTo(ConformanceData.EntryName));
            Assert.That(error.Provider, Is.EqualTo(host.Entry.Provider).IgnoreCase);
            Assert.That(host.Server.Requests, Has.Count.EqualTo(attempts), "attempts the server saw");
        });
        foreach (var request in host.Server.Requests)
        {
            Wire.AssertModel(request, host.Entry.ModelId);
        }
    }

    /// <summary>A 429 with <c>Retry-After</c> is retried after exactly that wait, each time, and reports it.</summary>
    [Test]
    public async Task RetryAfterIsWaitedOut([Values] bool streaming)
    {
        await using var host = await StartAsync();
        for (var i = 0; i < Attempts; i++)
        {
            host.Server.Enqueue(Throttled(ConformanceData.RetryAfterSeconds));
        }

        var call = Call(host, streaming);
        var wait = TimeSpan.FromSeconds(ConformanceData.RetryAfterSeconds);
        await host.Clock.AdvanceWhenArmedAsync(wait);
        await host.Clock.AdvanceWhenArmedAsync(wait);

        var error = await FailsAsync<ModelProviderException>(call);

        Assert.Multiple(() =>
        {
            Assert.That(error.StatusCode, Is.EqualTo(429));
            Assert.That(error.IsRetryable && error.IsThrottling, Is.True, "retryable throttling");
            Assert.That(error.RetryAfter, Is.EqualTo(wait));
            Assert.That(host.Server.Requests, Has.Count.EqualTo(Attempts));
        });
    }

    /// <summary>A 429 asking for a longer wait than <c>resilience:max_retry_after_ms</c> fails at once, saying how long, so a fallback can answer.</summary>
    [Test]
    public async Task RetryAfterBeyondTheLimitFailsAtOnce([Values] bool streaming)
    {
        await using var host = await StartAsync();
        host.Server.Enqueue(Throttled(ConformanceData.LongRetryAfterSeconds));

        var error = await FailsAsync<ModelProviderException>(Call(host, streaming));

        Assert.Multiple(() =>
        {
            Assert.That(error.StatusCode, Is.EqualTo(429));
            Assert.That(error.IsRetryable && error.IsThrottling, Is.True, "retryable throttling");
            Assert.That(error.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(ConformanceData.LongRetryAfterSeconds)));
            Assert.That(host.Server.Requests, Has.Count.EqualTo(1), "not retried");
        });
    }

    /// <summary>A retryable error followed by an answer: the retry is a fresh, complete request, and the caller gets the answer.</summary>
    [Test]
    public async Task RetriedErrorThenAnswer([Values] bool streaming)
    {
        await using var host = await StartAsync();
        host.Server.Enqueue(Wire.Error(503, ConformanceData.ErrorMessage(503)), streaming ? Wire.TextStream.Complete() : Wire.Text);

        var call = streaming ? StreamTextAsync(host) : TextAsync(host);
        await host.Clock.AdvanceWhenArmedAsync(FirstBackoff);

        Assert.That(await call.WaitAsync(HangGuard), Is.EqualTo(ConformanceData.Answer));
        Assert.That(host.Server.Requests[1].Body, Is.EqualTo(host.Server.Requests[0].Body), "the retry sends the same body");
    }

    private ScriptedResponse Throttled(int seconds)
    {
        var error = Wire.Error(429, ConformanceData.ErrorMessage(429));
        return new ScriptedResponse
        {
            Status = error.Status,
            Body = error.Body,
            Headers = [.. error.Headers, new("Retry-After", seconds.ToString(CultureInfo.InvariantCulture))],
        };
    }

    /// <summary>The question as a plain or a streaming call, started now.</summary>
    private static Task Call(ConformanceHost host, bool streaming) =>
        streaming ? Stream(host, Question()).Completion : ChatAsync(host, Question());

    private static async Task<string> TextAsync(ConformanceHost host) => (await ChatAsync(host, Question())).Text;

    private static async Task<string> StreamTextAsync(ConformanceHost host) => (await Stream(host, Question()).ToEndAsync()).ToChatResponse().Text;
}
