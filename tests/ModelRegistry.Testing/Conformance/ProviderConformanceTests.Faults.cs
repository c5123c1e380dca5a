using Microsoft.Extensions.AI;
using ModelRegistry.Providers;
using NUnit.Framework;

namespace ModelRegistry.Testing;

/// <summary>
/// Transport faults and cancellation: a reset, a stall or a cut in a body or a stream is classified alike by every
/// provider (<see cref="ProviderErrorCodes"/>); a body is read inside the attempt, so its faults are retried; the
/// caller's cancellation is an <see cref="OperationCanceledException"/> and nothing else.
/// </summary>
public abstract partial class ProviderConformanceTests
{
    /// <summary>A connection reset in the middle of a body is retried like any lost connection, and the next attempt answers.</summary>
    [Test]
    public async Task ResetMidBodyIsRetried()
    {
        await using var host = await StartAsync();
        host.Server.Enqueue(ResetHalfway(Wire.Text), Wire.Text);

        var call = TextAsync(host);
        await host.Clock.AdvanceWhenArmedAsync(FirstBackoff);

        Assert.That(await call.WaitAsync(HangGuard), Is.EqualTo(ConformanceData.Answer));
        Assert.That(host.Server.Requests, Has.Count.EqualTo(2));
    }

    /// <summary>A reset in the middle of the body on every attempt fails as <c>connection_failed</c>, retryable.</summary>
    [Test]
    public async Task ResetMidBodyOnEveryAttempt()
    {
        await using var host = await StartAsync();
        for (var i = 0; i < Attempts; i++)
        {
            host.Server.Enqueue(ResetHalfway(Wire.Text));
        }

        var call = ChatAsync(host, Question());
        await host.Clock.AdvanceWhenArmedAsync(FirstBackoff);
        await host.Clock.AdvanceWhenArmedAsync(SecondBackoff);

        AssertFault(await FailsAsync<ModelProviderException>(call), ProviderErrorCodes.ConnectionFailed);
        Assert.That(host.Server.Requests, Has.Count.EqualTo(Attempts));
    }

    /// <summary>A body that stalls after its headers is cut by the attempt timeout (headers and body are one attempt) and retried.</summary>
    [Test]
    public async Task StallMidBodyIsRetried()
    {
        await using var host = await StartAsync();
        host.Server.Enqueue(StallHalfway(Wire.Text), Wire.Text);

        var call = TextAsync(host);
        await host.Responses.WaitForResponsesAsync(1); // the client has the headers and is reading the body
        await host.Clock.AdvanceWhenArmedAsync(AttemptTimeout);
        await host.Clock.AdvanceWhenArmedAsync(FirstBackoff);

        Assert.That(await call.WaitAsync(HangGuard), Is.EqualTo(ConformanceData.Answer));
        Assert.That(host.Server.Requests, Has.Count.EqualTo(2));
    }

    /// <summary>A body that stalls on every attempt fails as <c>timeout</c>, retryable.</summary>
    [Test]
    public async Task StallMidBodyOnEveryAttempt()
    {
        await using var host = await StartAsync();
        for (var i = 0; i < Attempts; i++)
        {
            host.Server.Enqueue(StallHalfway(Wire.Text));
        }

        var call = ChatAsync(host, Question());
        TimeSpan[] backoffs = [FirstBackoff, SecondBackoff];
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            await host.Responses.WaitForResponsesAsync(attempt);
            await host.Clock.AdvanceWhenArmedAsync(AttemptTimeout);
            if (attempt < Attempts)
            {
                await host.Clock.AdvanceWhenArmedAsync(backoffs[attempt - 1]);
            }
        }

        AssertFault(await FailsAsync<ModelProviderException>(call), ProviderErrorCodes.Timeout);
        Assert.That(host.Server.Requests, Has.Count.EqualTo(Attempts));
    }

    /// <summary>A complete response whose JSON body was cut short fails as <c>response_truncated</c>, retryable (the provider's fault, so the registry may fall back).</summary>
    [Test]
    public async Task TruncatedBody()
    {
        await using var host = await StartAsync();
        var text = Wire.Text;
        host.Server.Enqueue(new ScriptedResponse { Status = text.Status, Headers = text.Headers, Body = text.Body[..(text.Body.Length / 2)] });

        AssertFault(await FailsAsync<ModelProviderException>(ChatAsync(host, Question())), ProviderErrorCodes.ResponseTruncated);
    }

    /// <summary>A successful status with a body that is not the provider's answer fails as <c>invalid_response</c>, retryable.</summary>
    [Test]
    public async Task MalformedBody()
    {
        await using var host = await StartAsync();
        var text = Wire.Text;
        host.Server.Enqueue(new ScriptedResponse { Status = text.Status, Headers = text.Headers, Body = "<html><body>Bad gateway</body></html>"u8.ToArray() });

        AssertFault(await FailsAsync<ModelProviderException>(ChatAsync(host, Question())), ProviderErrorCodes.InvalidResponse);
    }

    /// <summary>A connection reset in the middle of a stream fails as <c>connection_failed</c>, retryable; a started stream is not retried.</summary>
    [Test]
    public async Task ResetMidStream()
    {
        await using var host = await StartAsync();
        host.Server.Enqueue(Wire.TextStream.ResetEarly());

        AssertFault(await FailsAsync<ModelProviderException>(Stream(host, Question()).Completion), ProviderErrorCodes.ConnectionFailed);
        Assert.That(host.Server.Requests, Has.Count.EqualTo(1));
    }

    /// <summary>A stream that stalls after its first part fails after the idle timeout as <c>stream_idle_timeout</c>, retryable, after delivering that part.</summary>
    [Test]
    public async Task StallMidStream()
    {
        await using var host = await StartAsync();
        host.Server.Enqueue(Wire.TextStream.StalledEarly());

        var run = Stream(host, Question());
        await run.FirstTextAsync();
        await host.Clock.AdvanceWhenArmedAsync(StreamIdleTimeout);

        AssertFault(await FailsAsync<ModelProviderException>(run.Completion), ProviderErrorCodes.StreamIdleTimeout);
        Assert.Multiple(() =>
        {
            Assert.That(run.Updates.First(u => u.Text.Length > 0).Text, Is.EqualTo(ConformanceData.AnswerParts[0]), "what arrived before the stall");
            Assert.That(host.Server.Requests, Has.Count.EqualTo(1));
        });
    }

    /// <summary>A stream whose body ends cleanly before its final event fails as <c>response_truncated</c>, retryable; it is not a complete answer.</summary>
    [Test]
    public async Task TruncatedStream()
    {
        await using var host = await StartAsync();
        host.Server.Enqueue(Wire.TextStream.EndedEarly());

        AssertFault(await FailsAsync<ModelProviderException>(Stream(host, Question()).Completion), ProviderErrorCodes.ResponseTruncated);
    }

    /// <summary>The caller cancels while the provider has not answered: <see cref="OperationCanceledException"/>, nothing else.</summary>
    [Test]
    public async Task CancelBeforeHeaders([Values] bool streaming)
    {
        await using var host = await StartAsync();
        host.Server.Enqueue(new ScriptedResponse { DelayBeforeHeaders = WireStream.Stall });
        using var cancel = new CancellationTokenSource();

        var call = streaming ? Stream(host, Question(), cancellationToken: cancel.Token).Completion : ChatAsync(host, Question(), cancellationToken: cancel.Token);
        await WaitForRequestsAsync(host.Server, 1);
        await cancel.CancelAsync();

        await FailsAsync<OperationCanceledException>(call);
    }

    /// <summary>The caller cancels while a body is arriving: <see cref="OperationCanceledException"/>, not a timeout or a connection error.</summary>
    [Test]
    public async Task CancelMidBody()
    {
        await using var host = await StartAsync();
        host.Server.Enqueue(StallHalfway(Wire.Text));
        using var cancel = new CancellationTokenSource();

        var call = ChatAsync(host, Question(), cancellationToken: cancel.Token);
        await host.Responses.WaitForResponsesAsync(1);
        await cancel.CancelAsync();

        await FailsAsync<OperationCanceledException>(call);
        Assert.That(host.Server.Requests, Has.Count.EqualTo(1), "not retried");
    }

    /// <summary>The caller cancels while the client waits to retry: <see cref="OperationCanceledException"/>, and no further attempt.</summary>
    [Test]
    public async Task CancelDuringBackoff()
    {
        await using var host = await StartAsync();
        host.Server.Enqueue(Wire.Error(503, ConformanceData.ErrorMessage(503)));
        using var cancel = new CancellationTokenSource();

        var call = ChatAsync(host, Question(), cancellationToken: cancel.Token);
        await host.Clock.WaitUntilArmedAsync(FirstBackoff);
        await cancel.CancelAsync();

        await FailsAsync<OperationCanceledException>(call);
        Assert.That(host.Server.Requests, Has.Count.EqualTo(1));
    }

    /// <summary>The caller cancels a stream after its first part: <see cref="OperationCanceledException"/>, not an idle timeout or a provider error.</summary>
    [Test]
    public async Task CancelMidStream()
    {
        await using var host = await StartAsync();
        host.Server.Enqueue(Wire.TextStream.StalledEarly());
        using var cancel = new CancellationTokenSource();

        var run = Stream(host, Question(), cancellationToken: cancel.Token);
        await run.FirstTextAsync();
        await cancel.CancelAsync();

        await FailsAsync<OperationCanceledException>(run.Completion);
    }

    private static ScriptedResponse ResetHalfway(ScriptedResponse answer) => new()
    {
        Status = answer.Status,
        Headers = answer.Headers,
        Body = answer.Body,
        TruncateAfter = answer.Body.Length / 2,
    };

    private static ScriptedResponse StallHalfway(ScriptedResponse answer) => new()
    {
        Status = answer.Status,
        Headers = answer.Headers,
        Chunks = [(answer.Body[..(answer.Body.Length / 2)], TimeSpan.Zero), (answer.Body[(answer.Body.Length / 2)..], WireStream.Stall)],
    };

    private static void AssertFault(ModelProviderException error, string code) => Assert.Multiple(() =>
    {
        Assert.That(error.ErrorCode, Is.EqualTo(code));
        Assert.That(error.IsRetryable, Is.True, "retryable, so the breaker counts it and the registry may fall back");
        Assert.That(error.StatusCode, Is.Null.Or.InRange(200, 299), "no error status was sent");
        Assert.That(error.ModelName, Is.EqualTo(ConformanceData.EntryName));
    });
}
