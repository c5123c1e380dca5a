using ModelRegistry.Testing;

namespace ModelRegistry.Samples.Tests.Kit;

/// <summary>The test kit's fake clock: a test sees exactly which timers the code armed, and only Advance moves time.</summary>
public sealed class FakeClockTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    [Test]
    public async Task A_delay_is_seen_armed_and_ends_only_after_exactly_its_due_time()
    {
        var clock = new FakeClock();
        var delay = Task.Delay(TimeSpan.FromMilliseconds(750), clock);

        await clock.WaitForTimerAsync(TimeSpan.FromMilliseconds(750));
        clock.Advance(TimeSpan.FromMilliseconds(749));
        Assert.That(delay.IsCompleted, Is.False);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await delay.WaitAsync(Guard);

        Assert.That(clock.ArmedTimers, Is.EqualTo(new[] { TimeSpan.FromMilliseconds(750) }));
    }

    [Test]
    public async Task A_timer_re_armed_with_Change_counts_as_armed_and_a_disarm_does_not()
    {
        var clock = new FakeClock();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30), clock);
        timeout.CancelAfter(Timeout.InfiniteTimeSpan);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));

        await clock.WaitForTimerAsync(TimeSpan.FromSeconds(5));
        clock.Advance(TimeSpan.FromSeconds(5));

        Assert.Multiple(() =>
        {
            Assert.That(timeout.IsCancellationRequested, Is.True);
            Assert.That(clock.ArmedTimers, Is.EqualTo(new[] { TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5) }));
        });
    }

    [Test]
    public async Task The_second_wait_for_a_due_time_needs_a_second_timer_with_it()
    {
        var clock = new FakeClock();
        var first = Task.Delay(TimeSpan.FromMilliseconds(500), clock);
        await clock.WaitForTimerAsync(TimeSpan.FromMilliseconds(500));
        clock.Advance(TimeSpan.FromMilliseconds(500));
        await first.WaitAsync(Guard);

        var second = clock.WaitForTimerAsync(TimeSpan.FromMilliseconds(500));
        Assert.That(second.IsCompleted, Is.False, "the first timer was already awaited");
        var again = Task.Delay(TimeSpan.FromMilliseconds(500), clock);
        await second.WaitAsync(Guard);
        clock.Advance(TimeSpan.FromMilliseconds(500));
        await again.WaitAsync(Guard);
    }

    [Test]
    public async Task Waiting_for_a_timer_of_another_length_fails_listing_what_was_armed()
    {
        var clock = new FakeClock { HangGuard = TimeSpan.Zero };
        var delay = Task.Delay(TimeSpan.FromMilliseconds(250), clock);
        await clock.WaitForTimerAsync(TimeSpan.FromMilliseconds(250));

        var error = Assert.ThrowsAsync<TimeoutException>(() => clock.WaitForTimerAsync(TimeSpan.FromSeconds(2)));

        Assert.That(error!.Message, Does.Contain("Timer number 1 with due time 00:00:02 was not armed").And.Contain("armed so far: 00:00:00.2500000."));
        clock.Advance(TimeSpan.FromMilliseconds(250));
        await delay.WaitAsync(Guard);
    }

    [Test]
    public void The_clock_starts_at_a_fixed_time_and_moves_only_when_advanced()
    {
        var clock = new FakeClock();
        var start = clock.GetTimestamp();
        clock.Advance(TimeSpan.FromSeconds(3));

        Assert.Multiple(() =>
        {
            Assert.That(new FakeClock().GetUtcNow(), Is.EqualTo(FakeClock.DefaultStart));
            Assert.That(clock.GetUtcNow(), Is.EqualTo(FakeClock.DefaultStart.AddSeconds(3)));
            Assert.That(clock.GetElapsedTime(start), Is.EqualTo(TimeSpan.FromSeconds(3)));
        });
    }
}
