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
    public async Task Armed_now_means_armed_and_not_since_disarmed_as_a_timer_re_armed_on_every_read_is()
    {
        var clock = new FakeClock();
        using var timer = clock.CreateTimer(_ => { }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        timer.Change(TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan); // a read that got its data at once...
        timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan); // ...disarms it again

        var counted = clock.WaitForTimerAsync(TimeSpan.FromSeconds(5));
        var armedNow = clock.WaitUntilArmedAsync(TimeSpan.FromSeconds(5));
        await counted.WaitAsync(Guard);
        Assert.That(armedNow.IsCompleted, Is.False, "the earlier read's timer is not armed any more");

        timer.Change(TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan); // the read that stalls
        await armedNow.WaitAsync(Guard);
    }

    [Test]
    public async Task A_fired_or_disposed_timer_is_not_armed_now_and_a_periodic_one_is_again()
    {
        var clock = new FakeClock { HangGuard = TimeSpan.Zero };
        var delay = Task.Delay(TimeSpan.FromSeconds(1), clock);
        await clock.AdvanceWhenArmedAsync(TimeSpan.FromSeconds(1));
        await delay.WaitAsync(Guard);
        var disposed = new CancellationTokenSource(TimeSpan.FromSeconds(7), clock);
        disposed.Dispose();
        var ticks = 0;
        using var periodic = clock.CreateTimer(_ => Interlocked.Increment(ref ticks), null, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3));
        await clock.AdvanceWhenArmedAsync(TimeSpan.FromSeconds(3));

        var fired = Assert.ThrowsAsync<TimeoutException>(() => clock.WaitUntilArmedAsync(TimeSpan.FromSeconds(1)));
        Assert.ThrowsAsync<TimeoutException>(() => clock.WaitUntilArmedAsync(TimeSpan.FromSeconds(7)));
        Assert.Multiple(() =>
        {
            Assert.That(fired!.Message, Is.EqualTo("No timer with due time 00:00:01 was armed within 0 s of real time; armed now: 00:00:03; armed so far: 00:00:01, 00:00:07, 00:00:03."));
            Assert.That(clock.WaitUntilArmedAsync(TimeSpan.FromSeconds(3)).IsCompletedSuccessfully, Is.True, "the periodic timer is due again after its period");
            Assert.That(ticks, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Advancing_with_the_waiting_work_checks_that_it_waits_the_whole_time()
    {
        var clock = new FakeClock();
        var exact = Task.Delay(TimeSpan.FromSeconds(2), clock);
        await clock.AdvanceWhenArmedAsync(TimeSpan.FromSeconds(2), exact);
        await exact.WaitAsync(Guard);

        // Armed for 2 s, but the work ends after 1 s: the check sees it done a tick early.
        var early = Task.WhenAny(Task.Delay(TimeSpan.FromSeconds(2), clock), Task.Delay(TimeSpan.FromSeconds(1), clock));
        var error = Assert.ThrowsAsync<InvalidOperationException>(() => clock.AdvanceWhenArmedAsync(TimeSpan.FromSeconds(2), early));

        Assert.That(error!.Message, Does.StartWith("The work completed (RanToCompletion) one tick before its wait of 00:00:02 was over"));
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
