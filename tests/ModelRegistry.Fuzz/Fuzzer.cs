using System.Diagnostics;
using System.Globalization;

namespace ModelRegistry.Fuzz;

/// <summary>The runner's phases: its own measurement check, the seeds unmutated, the timed run and the report, and replay.</summary>
internal static class Fuzzer
{
    private static byte[]? _sink;

    /// <summary>
    /// Proves the judge before trusting it: a clean input passes and completes synchronously; a deliberate 100 MB
    /// allocation is caught on the worker's thread and, when the call goes asynchronous and allocates on another thread,
    /// by the exclusive re-measurement; a call that never finishes is a hang; a stray exception is an escape.
    /// </summary>
    public static bool SelfTest(FuzzRun run, IReadOnlyList<FuzzProvider> providers, Secrets secrets, IReadOnlyList<FuzzTarget> targets)
    {
        var target = targets.First(t => !t.ErrorStatuses);
        var seed = target.Seeds[0];
        var worker = new Worker(providers, secrets, 0);
        var call = worker.Call(target, target.Calls[0]);
        FuzzInput Clean() => new() { Target = target.Name, Call = target.Calls[0], SeedName = seed.Name, Status = seed.Status, Headers = [.. seed.Headers], Body = seed.Body };
        var problems = new List<string>();

        var clean = run.Execute(worker, call, Clean());
        if (clean.IsFailure || clean.Kind != OutcomeKind.Ok)
        {
            problems.Add($"the unmutated seed {seed.Name} of {target.Name} does not pass: {FailureLog.Result(clean)}");
        }

        worker.Handler.Hook = static () =>
        {
            _sink = new byte[100 << 20];
            _sink = null;
            return Task.CompletedTask;
        };
        var onThread = run.Execute(worker, call, Clean());
        if (!onThread.IsBigAllocation)
        {
            problems.Add($"a 100 MB allocation on the worker's thread was not caught (measured {FailureLog.Megabytes(onThread.Allocated)})");
        }

        worker.Handler.Hook = static async () =>
        {
            await Task.Yield();
            await Task.Run(static () =>
            {
                _sink = new byte[100 << 20];
                _sink = null;
            }).ConfigureAwait(false);
        };
        var elsewhere = run.Execute(worker, call, Clean());
        if (!elsewhere.IsBigAllocation || elsewhere.Synchronous)
        {
            problems.Add($"a 100 MB allocation on another thread was not caught (measured {FailureLog.Megabytes(elsewhere.Allocated)}, synchronous {elsewhere.Synchronous})");
        }

        var guard = run.HangGuard;
        run.HangGuard = TimeSpan.FromMilliseconds(300);
        worker.Handler.Hook = static () => new TaskCompletionSource().Task;
        var hang = run.Execute(worker, call, Clean());
        run.HangGuard = guard;
        if (hang.Kind != OutcomeKind.Hang)
        {
            problems.Add($"a call that never finishes was not a hang ({FailureLog.Result(hang)})");
        }

        worker.Handler.Hook = null;
        var escape = run.Execute(worker, new FuzzCall(static () => throw new FormatException("stray")), Clean());
        if (escape.Kind != OutcomeKind.Escape)
        {
            problems.Add($"a stray FormatException was not an escape ({FailureLog.Result(escape)})");
        }

        var leak = run.Execute(worker, new FuzzCall(() => Task.FromResult<string?>("echo " + providers[0].Secret[..14])), Clean());
        if (leak.Leak is null)
        {
            problems.Add("part of a secret in a result was not caught");
        }

        if (problems.Count > 0)
        {
            Console.WriteLine("fuzz: the runner's own checks failed, so its verdicts cannot be trusted:");
            problems.ForEach(p => Console.WriteLine("  " + p));
            Console.WriteLine("fuzz: runner self-test failed");
            return false;
        }

        Console.WriteLine(
            $"self-test: clean call {FailureLog.Megabytes(clean.Allocated)}{(clean.Synchronous ? ", synchronous" : ", NOT synchronous")}; " +
            $"100 MB caught on the worker's thread ({FailureLog.Megabytes(onThread.Allocated)}) and on another ({FailureLog.Megabytes(elsewhere.Allocated)}, measured alone); " +
            "a stuck call is a hang; a stray exception is an escape; a partial secret is a leak");
        return true;
    }

    /// <summary>
    /// Every seed once, unmutated, through every call of its target. Their failures count like any input's; a success
    /// target none of whose own seeds is answered is wired wrong, and the run stops (<see langword="null"/>).
    /// </summary>
    public static TargetStats[]? CheckSeeds(FuzzRun run, IReadOnlyList<FuzzProvider> providers, Secrets secrets, IReadOnlyList<FuzzTarget> targets, FailureLog failures)
    {
        var worker = new Worker(providers, secrets, targets.Count);
        var wired = true;
        Console.WriteLine("seeds unmutated:");
        for (var t = 0; t < targets.Count; t++)
        {
            var target = targets[t];
            var stats = worker.Stats[t];
            var ownAnswered = 0;
            var iteration = 0;
            foreach (var seed in target.Seeds)
            {
                foreach (var call in target.Calls)
                {
                    var input = new FuzzInput { Target = target.Name, Call = call, SeedName = seed.Name, Status = seed.Status, Headers = [.. seed.Headers], Body = seed.Body, Iteration = --iteration };
                    var outcome = run.Execute(worker, target, input);
                    stats.Add(outcome, 0, input.Body.Length);
                    if (outcome.IsFailure)
                    {
                        failures.Record(input, outcome);
                    }

                    ownAnswered += outcome.Kind == OutcomeKind.Ok && !seed.IsRecorded ? 1 : 0;
                }
            }

            var answered = stats.Labels.GetValueOrDefault("ok");
            Console.WriteLine($"  {target.Name,-22} {target.Seeds.Count,4} seeds, {stats.Inputs,4} calls: {answered} answered, {stats.Inputs - answered - stats.Escapes - stats.Hangs} provider errors, {stats.Failures} failing");
            if (!target.ErrorStatuses && ownAnswered == 0)
            {
                Console.WriteLine($"fuzz: none of the own seeds of {target.Name} is answered cleanly; the target is wired wrong");
                wired = false;
            }
        }

        return wired ? worker.Stats : null;
    }

    public static int Fuzz(FuzzRun run, IReadOnlyList<FuzzProvider> providers, Secrets secrets, IReadOnlyList<FuzzTarget> targets, FailureLog failures, FuzzOptions options, TargetStats[] seedStats)
    {
        Console.WriteLine($"fuzzing {targets.Count} targets for {options.Seconds.ToString(CultureInfo.InvariantCulture)} s with {options.Workers} workers, seed {options.Seed} (--seed {options.Seed} reproduces the inputs)");
        var mutator = new Mutator(FuzzRun.MaxEventBytes);
        var hashes = targets.Select(t => StableHash(t.Name)).ToArray();
        var workers = Enumerable.Range(0, options.Workers).Select(_ => new Worker(providers, secrets, targets.Count)).ToArray();
        var clock = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(options.Seconds);
        long next = -1;
        var stop = false;
        var broken = false;
        var threads = workers.Select(worker => new Thread(() =>
        {
            while (!Volatile.Read(ref stop) && clock.Elapsed < deadline)
            {
                var i = Interlocked.Increment(ref next);
                var t = (int)(i % targets.Count);
                var iteration = i / targets.Count;
                var target = targets[t];
                FuzzInput input;
                try
                {
                    input = mutator.Create(target, options.Seed, iteration, new Rng(Rng.For(options.Seed, hashes[t], iteration)));
                }
                catch (Exception ex)
                {
                    // A bug of the runner itself: say so (with what reproduces it) rather than judge anything.
                    Console.WriteLine($"fuzz: the mutator failed on {target.Name}, iteration {iteration}, seed {options.Seed}: {ex}");
                    Volatile.Write(ref broken, true);
                    Volatile.Write(ref stop, true);
                    break;
                }

                var started = Stopwatch.GetTimestamp();
                var outcome = run.Execute(worker, target, input);
                worker.Stats[t].Add(outcome, Stopwatch.GetTimestamp() - started, input.Body.Length);
                if (outcome.IsFailure)
                {
                    failures.Record(input, outcome);
                }
            }
        })
        { IsBackground = true, Name = "fuzz worker" }).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        // The watchdog: a worker stuck inside a synchronous call never reaches its own hang guard.
        var stuckAfter = run.HangGuard + TimeSpan.FromSeconds(5);
        var lastReport = TimeSpan.Zero;
        while (threads.Any(t => t.IsAlive))
        {
            Thread.Sleep(100);
            foreach (var worker in workers)
            {
                var started = worker.StartedAt;
                if (started != 0 && Stopwatch.GetElapsedTime(started) > stuckAfter && worker.Input is { } stuck)
                {
                    var outcome = new Outcome(OutcomeKind.Hang, "hang", null, 0, true, null);
                    failures.Record(stuck, outcome);
                    Console.WriteLine($"fuzz: a worker has been stuck in one call for {stuckAfter.TotalSeconds:0} s; stopping.");
                    Volatile.Write(ref stop, true);
                    Report(targets, workers, seedStats, clock.Elapsed, options, failures, extraHangs: 1);
                    return 1;
                }
            }

            if (clock.Elapsed - lastReport >= TimeSpan.FromSeconds(30) && clock.Elapsed < deadline)
            {
                lastReport = clock.Elapsed;
                var inputs = workers.Sum(w => w.Stats.Sum(s => s.Inputs));
                var failed = workers.Sum(w => w.Stats.Sum(s => s.Failures));
                Console.WriteLine($"[{clock.Elapsed.TotalSeconds,5:0} s] {inputs:N0} inputs ({inputs / clock.Elapsed.TotalSeconds:N0}/s), {failed} failing");
            }
        }

        var status = Report(targets, workers, seedStats, clock.Elapsed, options, failures, extraHangs: 0);
        return broken ? 2 : status;
    }

    public static int Replay(FuzzRun run, IReadOnlyList<FuzzProvider> providers, IReadOnlyList<FuzzTarget> targets, Secrets secrets, string file)
    {
        var input = FuzzInput.Load(file);
        var target = targets.FirstOrDefault(t => t.Name == input.Target);
        if (target is null)
        {
            Console.Error.WriteLine($"{file} is for target {input.Target}, which this runner does not have.");
            return 2;
        }

        var outcome = run.Execute(new Worker(providers, secrets, 0), target, input);
        var kinds = FailureLog.Kinds(outcome).ToList();
        Console.WriteLine(FailureLog.Explain(input, outcome, kinds.Count == 0 ? "none" : string.Join(", ", kinds)));
        Console.WriteLine(kinds.Count == 0 ? "replay: passes now" : $"replay: still fails ({string.Join(", ", kinds)})");
        return kinds.Count == 0 ? 0 : 1;
    }

    /// <summary>Prints inputs and rates per target (the seeds' own run counts in the failures and outcomes, not in the rates).</summary>
    private static int Report(IReadOnlyList<FuzzTarget> targets, Worker[] workers, TargetStats[] seedStats, TimeSpan elapsed, FuzzOptions options, FailureLog failures, int extraHangs)
    {
        var seconds = Math.Max(0.001, elapsed.TotalSeconds);
        var total = new TargetStats();
        Console.WriteLine();
        Console.WriteLine($"{"target",-23} {"seeds",5} {"inputs",11} {"inputs/s",9} {"µs/input",9} {"slowest",8} {"max alloc",10} {"alloc/body",10}  outcomes");
        for (var t = 0; t < targets.Count; t++)
        {
            var stats = new TargetStats();
            foreach (var worker in workers)
            {
                stats.Merge(worker.Stats[t]);
            }

            total.Merge(stats);
            var seeds = seedStats[t];
            total.Escapes += seeds.Escapes;
            total.Hangs += seeds.Hangs;
            total.BigAllocations += seeds.BigAllocations;
            total.Leaks += seeds.Leaks;
            var micro = stats.Inputs == 0 ? 0 : stats.Ticks * 1_000_000.0 / Stopwatch.Frequency / stats.Inputs;
            var labels = string.Join(", ", stats.Labels.OrderByDescending(l => l.Value).Take(6).Select(l => $"{l.Key} {100.0 * l.Value / Math.Max(1, stats.Inputs):0.#}%"));
            var slowest = TimeSpan.FromTicks(stats.MaxTicks * TimeSpan.TicksPerSecond / Stopwatch.Frequency);
            Console.WriteLine(
                $"{targets[t].Name,-23} {targets[t].Seeds.Count,5} {stats.Inputs,11:N0} {stats.Inputs / seconds,9:N0} {micro,9:N0} {slowest.TotalMilliseconds,6:N0} ms " +
                $"{FailureLog.Megabytes(stats.MaxAllocated),10} {stats.MaxAmplification,9:N0}x  {labels}");
        }

        var hangs = total.Hangs + extraHangs;
        Console.WriteLine(
            $"{"total",-23} {targets.Sum(t => t.Seeds.Count),5} {total.Inputs,11:N0} {total.Inputs / seconds,9:N0}" +
            $"  ({total.Remeasured:N0} inputs went asynchronous and were measured alone)");
        var failed = total.Escapes + hangs + total.BigAllocations + total.Leaks;
        if (failed > 0)
        {
            Console.WriteLine($"failing inputs are in {failures.Directory}");
        }

        Console.WriteLine(
            $"fuzz: {total.Inputs:N0} inputs in {seconds:0} s ({total.Inputs / seconds:N0}/s), {targets.Count} targets, seed {options.Seed}: " +
            $"{total.Escapes} escapes, {hangs} hangs, {total.BigAllocations} big allocations, {total.Leaks} secret leaks");
        return failed == 0 ? 0 : 1;
    }

    private static int StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)hash;
    }
}
