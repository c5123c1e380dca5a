using Microsoft.Extensions.Time.Testing;

namespace ModelRegistry.Bedrock.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that records each timer it is asked for, so a test waits until the code is waiting
/// (a retry delay, an attempt timeout) and then advances the fake clock by exactly that wait: deterministic, and red
/// whenever the code waits for anything else.
/// </summary>
internal sealed class RecordingClock : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<TimeSpan> _timers = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FakeTimeProvider Fake { get; } = TestClients.Clock();

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => Fake.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new RecordingTimer(Fake.CreateTimer(callback, state, dueTime, period), this);
        Record(dueTime);
        return timer;
    }

    /// <summary>How many timers with exactly this due time were started so far.</summary>
    public int Started(TimeSpan dueTime)
    {
        lock (_gate)
        {
            return _timers.Count(t => t == dueTime);
        }
    }

    /// <summary>
    /// Completes once <paramref name="count"/> timers with exactly this due time were started. Real time bounds the wait
    /// only as a hang guard (10 s): a test whose code never starts that timer fails instead of hanging.
    /// </summary>
    public async Task TimerCreated(TimeSpan dueTime, int count = 1)
    {
        var guard = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_timers.Count(t => t == dueTime) >= count)
                {
                    return;
                }

                changed = _changed.Task;
            }

            var left = guard - DateTime.UtcNow;
            try
            {
                await changed.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero);
            }
            catch (TimeoutException)
            {
                lock (_gate)
                {
                    throw new TimeoutException($"no timer #{count} of {dueTime} was started; timers: {string.Join(", ", _timers)}");
                }
            }
        }
    }

    private void Record(TimeSpan dueTime)
    {
        if (dueTime == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        TaskCompletionSource changed;
        lock (_gate)
        {
            _timers.Add(dueTime);
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    /// <summary>Timers are often created stopped and started with Change (a CancellationTokenSource's CancelAfter does so).</summary>
    private sealed class RecordingTimer(ITimer inner, RecordingClock owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            owner.Record(dueTime);
            return inner.Change(dueTime, period);
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
