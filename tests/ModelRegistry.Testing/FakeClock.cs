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
/// the second). Two ways to wait for one:
/// </para>
/// <list type="bullet">
/// <item><see cref="WaitUntilArmedAsync"/> (and <see cref="AdvanceWhenArmedAsync(TimeSpan, CancellationToken)"/>):
/// until a timer with that due time is armed <i>now</i> (armed, and neither fired, disarmed nor disposed since). The
/// right wait for a timer re-armed on every read, such as a stream's idle timeout: one armed for an earlier read does
/// not count.</item>
/// <item><see cref="WaitForTimerAsync"/>: counts arms in order; its n-th call for a due time completes once the n-th
/// timer with that due time has been armed, so two equal back-offs need two waits, even after both fired.</item>
/// </list>
/// <para>Typical use, a retry after <c>Retry-After: 2</c>:</para>
/// <code>
/// var clock = new FakeClock();                                   // given to the client as its TimeProvider
/// var call = client.GetResponseAsync("hi");                      // the server answers 429, Retry-After: 2
/// await clock.AdvanceWhenArmedAsync(TimeSpan.FromSeconds(2), call); // the policy waits 2 s, not 1, not 3
/// var response = await call;
/// </code>
/// </remarks>
public sealed class FakeClock : FakeTimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<TimeSpan> _armed = [];
    private readonly List<TrackedTimer> _pending = [];
    private readonly Dictionary<TimeSpan, int> _awaited = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

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
    /// How long, in real time, a wait for a timer lasts before it fails: only a guard against a hung test (the code
    /// never arms the timer), never part of what a test asserts. Default 10 s.
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
        var timer = new TrackedTimer(this);
        timer.Inner = base.CreateTimer(s => timer.Fire(callback, s), state, dueTime, period);
        Armed(timer, dueTime, period);
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
    public Task WaitForTimerAsync(TimeSpan dueTime, CancellationToken cancellationToken = default)
    {
        int count;
        lock (_gate)
        {
            count = _awaited[dueTime] = _awaited.GetValueOrDefault(dueTime) + 1;
        }

        return WaitAsync(
            () => _armed.Count(t => t == dueTime) >= count,
            () => string.Create(CultureInfo.InvariantCulture, $"Timer number {count} with due time {dueTime} was not armed"),
            cancellationToken);
    }

    /// <summary>
    /// Completes once a timer with exactly this due time is armed now: armed, and neither fired, disarmed nor disposed
    /// since. Fails with a <see cref="TimeoutException"/> listing the timers armed when none is within <see cref="HangGuard"/>.
    /// </summary>
    /// <param name="dueTime">The due time the code should be waiting for.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when such a timer is armed.</returns>
    public Task WaitUntilArmedAsync(TimeSpan dueTime, CancellationToken cancellationToken = default) => WaitAsync(
        () => _pending.Exists(t => t.DueTime == dueTime),
        () => string.Create(CultureInfo.InvariantCulture, $"No timer with due time {dueTime} was armed"),
        cancellationToken);

    /// <summary>Waits until a timer with exactly this due time is armed now (<see cref="WaitUntilArmedAsync"/>), then advances the clock by exactly that.</summary>
    /// <param name="dueTime">The due time the code should be waiting for.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the clock has been advanced.</returns>
    public async Task AdvanceWhenArmedAsync(TimeSpan dueTime, CancellationToken cancellationToken = default)
    {
        await WaitUntilArmedAsync(dueTime, cancellationToken).ConfigureAwait(false);
        Advance(dueTime);
    }

    /// <summary>
    /// Waits until a timer with exactly this due time is armed now (<see cref="WaitUntilArmedAsync"/>), advances the clock
    /// by all of it but one tick, checks that <paramref name="waiting"/> has not completed (the code waits the whole
    /// time, not less), then advances the last tick.
    /// </summary>
    /// <param name="dueTime">The due time the code should be waiting for.</param>
    /// <param name="waiting">The work that waits, e.g. the call being retried.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the clock has been advanced by <paramref name="dueTime"/>.</returns>
    /// <exception cref="InvalidOperationException"><paramref name="waiting"/> completed one tick before its wait was over.</exception>
    public async Task AdvanceWhenArmedAsync(TimeSpan dueTime, Task waiting, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(waiting);
        await WaitUntilArmedAsync(dueTime, cancellationToken).ConfigureAwait(false);
        Advance(dueTime - TimeSpan.FromTicks(1));
        if (waiting.IsCompleted)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"The work completed ({waiting.Status}) one tick before its wait of {dueTime} was over: it did not wait the whole time."));
        }

        Advance(TimeSpan.FromTicks(1));
    }

    private async Task WaitAsync(Func<bool> condition, Func<string> failure, CancellationToken cancellationToken)
    {
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        guard.CancelAfter(HangGuard);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (condition())
                {
                    return;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(guard.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                string armed, now;
                lock (_gate)
                {
                    armed = _armed.Count == 0 ? "none" : string.Join(", ", _armed);
                    now = _pending.Count == 0 ? "none" : string.Join(", ", _pending.Select(t => t.DueTime));
                }

                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                    $"{failure()} within {HangGuard.TotalSeconds:0.###} s of real time; armed now: {now}; armed so far: {armed}."));
            }
        }
    }

    /// <summary>Records an arm (a finite due time) or a disarm of <paramref name="timer"/>, and wakes the waits.</summary>
    private void Armed(TrackedTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            timer.Period = period;
            _pending.Remove(timer);
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                _armed.Add(dueTime);

                // A timer due at once has fired (or fires now): no test waits for it.
                if (dueTime > TimeSpan.Zero)
                {
                    timer.DueTime = dueTime;
                    _pending.Add(timer);
                }
            }

            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    /// <summary>A fired one-shot timer is disarmed; a periodic one is armed again for its period.</summary>
    private void Fired(TrackedTimer timer)
    {
        lock (_gate)
        {
            _pending.Remove(timer);
            if (timer.Period != Timeout.InfiniteTimeSpan && timer.Period > TimeSpan.Zero)
            {
                timer.DueTime = timer.Period;
                _pending.Add(timer);
            }
        }
    }

    private void Disposed(TrackedTimer timer)
    {
        lock (_gate)
        {
            _pending.Remove(timer);
        }
    }

    /// <summary>The fake clock's timer, reporting each arm, fire and disposal.</summary>
    private sealed class TrackedTimer(FakeClock clock) : ITimer
    {
        public ITimer Inner { get; set; } = null!;

        public TimeSpan DueTime { get; set; }

        public TimeSpan Period { get; set; } = Timeout.InfiniteTimeSpan;

        public void Fire(TimerCallback callback, object? state)
        {
            clock.Fired(this);
            callback(state);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var changed = Inner.Change(dueTime, period);
            if (changed)
            {
                clock.Armed(this, dueTime, period);
            }

            return changed;
        }

        public void Dispose()
        {
            clock.Disposed(this);
            Inner.Dispose();
        }

        public async ValueTask DisposeAsync()
        {
            clock.Disposed(this);
            await Inner.DisposeAsync().ConfigureAwait(false);
        }
    }
}
