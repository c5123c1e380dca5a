using Microsoft.Extensions.Time.Testing;

namespace ModelRegistry.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that records every timer the code under test arms (created with a due time, or
/// started with <see cref="ITimer.Change"/>, as a CancellationTokenSource's timeout and an idle timer are), so a test
/// waits until the code is waiting for exactly the expected time and then advances by exactly that much. No real-time
/// window decides a result: the real-time limit of <see cref="WaitForTimerAsync"/> only keeps a broken test from hanging.
/// </summary>
internal sealed class RecordingTimeProvider : TimeProvider
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(15);

    private readonly object _gate = new();
    private readonly List<TimeSpan> _armed = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RecordingTimeProvider(DateTimeOffset? start = null)
    {
        Fake = new FakeTimeProvider(start ?? new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    }

    public FakeTimeProvider Fake { get; }

    /// <summary>How many timers have been armed so far: a mark to wait from.</summary>
    public int Armed
    {
        get
        {
            lock (_gate)
            {
                return _armed.Count;
            }
        }
    }

    /// <summary>The due times armed since <paramref name="mark"/>, in order.</summary>
    public IReadOnlyList<TimeSpan> ArmedSince(int mark)
    {
        lock (_gate)
        {
            return [.. _armed.Skip(mark)];
        }
    }

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

    /// <summary>Advances the clock by <paramref name="step"/>, firing every timer that falls due.</summary>
    public void Advance(TimeSpan step) => Fake.Advance(step);

    /// <summary>
    /// Completes when a timer of exactly <paramref name="dueTime"/> has been armed after <paramref name="mark"/> (an earlier
    /// <see cref="Armed"/>); returns the mark just past it, to wait for the next one from. Fails the test when none is armed.
    /// </summary>
    public async Task<int> WaitForTimerAsync(TimeSpan dueTime, int mark = 0)
    {
        using var guard = new CancellationTokenSource(HangGuard);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                for (var i = mark; i < _armed.Count; i++)
                {
                    if (_armed[i] == dueTime)
                    {
                        return i + 1;
                    }
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(guard.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"No timer of {dueTime.TotalMilliseconds} ms was armed; armed since the mark: [{string.Join(", ", ArmedSince(mark).Select(t => t.TotalMilliseconds))}] ms.");
                throw;
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
            _armed.Add(dueTime);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    private sealed class RecordingTimer(ITimer inner, RecordingTimeProvider owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var changed = inner.Change(dueTime, period);
            owner.Record(dueTime);
            return changed;
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
