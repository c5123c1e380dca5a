using System.Globalization;
using Microsoft.Extensions.Time.Testing;

namespace ModelRegistry.Testing;

/// <summary>
/// The tests' one fake time source: a <see cref="FakeTimeProvider"/> that also records every timer the code under test
/// arms, so a test can wait until the code is waiting for exactly the time it expects, then advance by exactly that.
/// Nothing moves on its own: no real-time loop advances the clock, so a wait of the wrong length is red on every run.
/// </summary>
/// <remarks>
/// <para>
/// A timer counts as armed when it is created with a finite due time or re-armed with <see cref="ITimer.Change"/>
/// (<c>Task.Delay(due, clock)</c> does the first, <c>CancellationTokenSource.CancelAfter</c> and Polly's timeouts
/// the second). <see cref="WaitForTimerAsync"/> consumes arms in order: its n-th call for a due time completes once
/// the n-th timer with that due time has been armed, so two equal back-offs need two waits.
/// </para>
/// <para>Typical use, a retry after <c>Retry-After: 2</c>:</para>
/// <code>
/// var clock = new FakeClock();                              // given to the client as its TimeProvider
/// var call = client.GetResponseAsync("hi");                 // the server answers 429, Retry-After: 2
/// await clock.WaitForTimerAsync(TimeSpan.FromSeconds(2));   // the policy now waits 2 s, not 1, not 3
/// clock.Advance(TimeSpan.FromMilliseconds(1999));
/// Assert.That(call.IsCompleted, Is.False);
/// clock.Advance(TimeSpan.FromMilliseconds(1));
/// var response = await call;
/// </code>
/// </remarks>
public sealed class FakeClock : FakeTimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<TimeSpan> _armed = [];
    private readonly Dictionary<TimeSpan, int> _awaited = [];
    private readonly List<(TimeSpan DueTime, int Count, TaskCompletionSource Armed)> _waiters = [];

    /// <summary>Starts the clock at <see cref="DefaultStart"/>.</summary>
    public FakeClock()
        : this(DefaultStart)
    {
    }

    /// <summary>Starts the clock at a given time.</summary>
    /// <param name="start">The time <see cref="TimeProvider.GetUtcNow"/> returns until the clock is advanced.</param>
    public FakeClock(DateTimeOffset start)
        : base(start)
    {
    }

    /// <summary>Where a clock starts unless told otherwise: 2026-03-01 12:00 UTC.</summary>
    public static DateTimeOffset DefaultStart { get; } = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// How long, in real time, <see cref="WaitForTimerAsync"/> waits for a timer before it fails: only a guard against
    /// a hung test (the code never arms the timer), never part of what a test asserts. Default 10 s.
    /// </summary>
    public TimeSpan HangGuard { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The due time of every timer armed so far, in order.</summary>
    public IReadOnlyList<TimeSpan> ArmedTimers
    {
        get
        {
            lock (_gate)
            {
                return [.. _armed];
            }
        }
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new TrackedTimer(base.CreateTimer(callback, state, dueTime, period), this);
        Armed(dueTime);
        return timer;
    }

    /// <summary>
    /// Completes once the code under test has armed a timer with exactly this due time: the n-th call for a due time
    /// waits for the n-th such timer. Fails with a <see cref="TimeoutException"/> listing the timers armed so far when
    /// none comes within <see cref="HangGuard"/>.
    /// </summary>
    /// <param name="dueTime">The due time the code should wait for.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the timer is armed.</returns>
    public async Task WaitForTimerAsync(TimeSpan dueTime, CancellationToken cancellationToken = default)
    {
        TaskCompletionSource armed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        int count;
        lock (_gate)
        {
            count = _awaited[dueTime] = _awaited.GetValueOrDefault(dueTime) + 1;
            if (_armed.Count(t => t == dueTime) >= count)
            {
                return;
            }

            _waiters.Add((dueTime, count, armed));
        }

        try
        {
            await armed.Task.WaitAsync(HangGuard, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            var seen = ArmedTimers;
            throw new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                $"Timer number {count} with due time {dueTime} was not armed within {HangGuard.TotalSeconds:0.###} s of real time; " +
                $"armed so far: {(seen.Count == 0 ? "none" : string.Join(", ", seen))}."));
        }
    }

    private void Armed(TimeSpan dueTime)
    {
        if (dueTime == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        List<TaskCompletionSource> done = [];
        lock (_gate)
        {
            _armed.Add(dueTime);
            var count = _armed.Count(t => t == dueTime);
            foreach (var waiter in _waiters.Where(w => w.DueTime == dueTime && w.Count <= count).ToList())
            {
                _waiters.Remove(waiter);
                done.Add(waiter.Armed);
            }
        }

        foreach (var armed in done)
        {
            armed.TrySetResult();
        }
    }

    /// <summary>The fake clock's timer, reporting each re-arm.</summary>
    private sealed class TrackedTimer(ITimer inner, FakeClock clock) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var changed = inner.Change(dueTime, period);
            if (changed)
            {
                clock.Armed(dueTime);
            }

            return changed;
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
