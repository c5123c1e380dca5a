using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace ModelRegistry.ParameterStore.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also reports each timer created, so a test can wait until the code under
/// test is waiting (a retry backoff) and then advance exactly that long, without sleeping.
/// </summary>
internal sealed class RecordingTimeProvider : TimeProvider
{
    private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

    public FakeTimeProvider Fake { get; } = new();

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => Fake.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Fake.CreateTimer(callback, state, dueTime, period);
        _timers.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>
    /// Completes <paramref name="work"/>, advancing fake time through each short wait (a backoff; attempt timeouts are
    /// longer and ignored) it starts. <paramref name="beforeAdvance"/> runs before the n-th wait (1-based) is advanced.
    /// Returns the result and the waits, in order. Gives up after 20 real seconds.
    /// </summary>
    public async Task<(T Result, List<TimeSpan> Waits)> DriveAsync<T>(Task<T> work, Func<int, Task>? beforeAdvance = null)
    {
        var waits = new List<TimeSpan>();
        using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var done = CancellationTokenSource.CreateLinkedTokenSource(giveUp.Token);
        try
        {
            while (!work.IsCompleted)
            {
                var next = NextShortTimerAsync(done.Token);
                if (await Task.WhenAny(work, next) == work)
                {
                    break;
                }

                var wait = await next;
                waits.Add(wait);
                if (beforeAdvance is not null)
                {
                    await beforeAdvance(waits.Count);
                }

                Fake.Advance(wait);
            }
        }
        finally
        {
            await done.CancelAsync();
        }

        Assert.That(giveUp.IsCancellationRequested, Is.False, "the work neither finished nor waited within 20 s");
        return (await work, waits);
    }

    /// <summary>Waits (at most 20 real seconds) until a timer of exactly <paramref name="dueTime"/> is created.</summary>
    public async Task WaitForTimerAsync(TimeSpan dueTime)
    {
        using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await NextTimerAsync(due => due == dueTime, giveUp.Token);
    }

    private Task<TimeSpan> NextShortTimerAsync(CancellationToken cancellationToken) =>
        NextTimerAsync(due => due > TimeSpan.Zero && due < TimeSpan.FromSeconds(5), cancellationToken);

    private async Task<TimeSpan> NextTimerAsync(Func<TimeSpan, bool> match, CancellationToken cancellationToken)
    {
        while (true)
        {
            var due = await _timers.Reader.ReadAsync(cancellationToken);
            if (match(due))
            {
                return due;
            }
        }
    }
}
