using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace ModelRegistry.Mistral.Tests;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also reports each timer it is asked for, so a test can wait until the retry
/// policy is sleeping (without sleeping itself) and then advance the fake clock by exactly the wait it asked for.
/// </summary>
internal sealed class RecordingTimeProvider : TimeProvider
{
    private readonly ConcurrentQueue<TimeSpan> _timers = new();
    private readonly ConcurrentDictionary<TimeSpan, TaskCompletionSource> _waiting = new();

    public FakeTimeProvider Fake { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    public IReadOnlyCollection<TimeSpan> Timers => _timers;

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

    private void Record(TimeSpan dueTime)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            _timers.Enqueue(dueTime);
            Signal(dueTime).TrySetResult();
        }
    }

    /// <summary>Timers are often created stopped and started with Change (a CancellationTokenSource's CancelAfter does so).</summary>
    private sealed class RecordingTimer(ITimer inner, RecordingTimeProvider owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            owner.Record(dueTime);
            return inner.Change(dueTime, period);
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    /// <summary>Completes once a timer with this due time has been created (at most 10 real seconds, so a broken test fails instead of hanging).</summary>
    public Task TimerCreated(TimeSpan dueTime) => Signal(dueTime).Task.WaitAsync(TimeSpan.FromSeconds(10));

    private TaskCompletionSource Signal(TimeSpan dueTime) =>
        _waiting.GetOrAdd(dueTime, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
