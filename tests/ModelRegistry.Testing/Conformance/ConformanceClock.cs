using Microsoft.Extensions.Time.Testing;

namespace ModelRegistry.Testing;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that knows which timers are armed, so a test waits until the code under test has
/// armed the exact timer it expects (a retry's backoff, a Retry-After, an attempt or idle timeout) and then advances
/// by exactly that much. A wait that is wrong (a mutant ignoring Retry-After) never sees its timer and fails after
/// <see cref="HangGuard"/> of real time, every run.
/// </summary>
public sealed class ConformanceClock : FakeTimeProvider
{
    /// <summary>The real time a test waits for something that should happen at once, before it fails instead of hanging.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(20);

    private readonly object _gate = new();
    private readonly List<TrackedTimer> _armed = [];
    private readonly List<(TimeSpan Due, TaskCompletionSource Armed)> _waiters = [];

    /// <summary>Creates the clock at a fixed instant.</summary>
    public ConformanceClock()
        : base(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero))
    {
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new TrackedTimer(this);
        timer.Inner = base.CreateTimer(s => timer.Fire(callback, s), state, dueTime, period);
        timer.Armed(dueTime, period);
        return timer;
    }

    /// <summary>Waits until a timer with exactly this due time is armed (at most <see cref="HangGuard"/>), then advances the clock by it.</summary>
    /// <param name="dueTime">The timer's due time.</param>
    /// <exception cref="TimeoutException">No such timer was armed in time; the message lists those that were.</exception>
    public async Task AdvanceWhenArmedAsync(TimeSpan dueTime)
    {
        await WaitUntilArmedAsync(dueTime).ConfigureAwait(false);
        Advance(dueTime);
    }

    /// <summary>Waits until a timer with exactly this due time is armed, at most <see cref="HangGuard"/>.</summary>
    /// <param name="dueTime">The timer's due time.</param>
    /// <exception cref="TimeoutException">No such timer was armed in time; the message lists those that were.</exception>
    public async Task WaitUntilArmedAsync(TimeSpan dueTime)
    {
        Task armed;
        lock (_gate)
        {
            if (_armed.Any(t => t.Due == dueTime))
            {
                return;
            }

            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((dueTime, waiter));
            armed = waiter.Task;
        }

        try
        {
            await armed.WaitAsync(HangGuard).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            string now;
            lock (_gate)
            {
                now = _armed.Count == 0 ? "none" : string.Join(", ", _armed.Select(t => t.Due));
            }

            throw new TimeoutException($"No timer of {dueTime} was armed within {HangGuard.TotalSeconds:0} s of real time (armed: {now}).");
        }
    }

    private void Track(TrackedTimer timer, TimeSpan dueTime)
    {
        lock (_gate)
        {
            _armed.Remove(timer);
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                return;
            }

            timer.Due = dueTime;
            _armed.Add(timer);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Due == dueTime)
                {
                    _waiters[i].Armed.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    private sealed class TrackedTimer(ConformanceClock clock) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public ITimer Inner { get; set; } = null!;

        public TimeSpan Due { get; set; }

        public void Armed(TimeSpan dueTime, TimeSpan period)
        {
            _period = period;

            // A timer due at once has fired (or fires now); no test waits for it.
            clock.Track(this, dueTime == TimeSpan.Zero ? Timeout.InfiniteTimeSpan : dueTime);
        }

        public void Fire(TimerCallback callback, object? state)
        {
            // A one-shot timer is disarmed once it fired; a periodic one is due again after its period.
            clock.Track(this, _period);
            callback(state);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var changed = Inner.Change(dueTime, period);
            Armed(dueTime, period);
            return changed;
        }

        public void Dispose()
        {
            clock.Track(this, Timeout.InfiniteTimeSpan);
            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            clock.Track(this, Timeout.InfiniteTimeSpan);
            return Inner.DisposeAsync();
        }
    }
}
