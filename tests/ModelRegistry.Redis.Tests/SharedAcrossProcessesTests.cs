using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ModelRegistry.Redis.Tests;

/// <summary>Several processes share one limit through Redis and together never exceed it.</summary>
public sealed partial class SharedAcrossProcessesTests
{
    private const int Workers = 4;
    private const int AttemptsEach = 150;
    private const long Capacity = 100;

    [Test]
    public async Task Four_processes_hammering_one_bucket_get_exactly_its_capacity_between_them()
    {
        var configuration = RedisTestServer.Configuration;
        var prefix = RedisTestServer.UniquePrefix();
        var worker = Path.Combine(AppContext.BaseDirectory, "worker", "ModelRegistry.Redis.Worker.dll");
        Assert.That(File.Exists(worker), Is.True, $"the worker should be built beside the tests: {worker}");

        var processes = new List<Process>();
        try
        {
            for (var i = 0; i < Workers; i++)
            {
                var start = new ProcessStartInfo("dotnet")
                {
                    RedirectStandardInput = true,
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                foreach (var argument in new[] { worker, configuration, prefix, "shared:rpm", Capacity.ToString(CultureInfo.InvariantCulture), AttemptsEach.ToString(CultureInfo.InvariantCulture) })
                {
                    start.ArgumentList.Add(argument);
                }

                processes.Add(Process.Start(start)!);
            }

            // Every worker has connected before any takes a token, so the takes of all four overlap.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            foreach (var process in processes)
            {
                var ready = await process.StandardOutput.ReadLineAsync(timeout.Token);
                if (ready != "ready")
                {
                    Assert.Fail($"a worker did not start: '{ready}' {await process.StandardError.ReadToEndAsync(timeout.Token)}");
                }
            }

            foreach (var process in processes)
            {
                await process.StandardInput.WriteLineAsync("go");
                await process.StandardInput.FlushAsync(timeout.Token);
            }

            var results = new List<(long Allowed, long Refused)>();
            foreach (var process in processes)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
                await process.WaitForExitAsync(timeout.Token);
                Assert.That(process.ExitCode, Is.Zero, await process.StandardError.ReadToEndAsync(timeout.Token));
                var match = Result().Match(line ?? "");
                Assert.That(match.Success, Is.True, $"worker printed '{line}'");
                results.Add((long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture)));
            }

            TestContext.Out.WriteLine($"allowed per worker: {string.Join(", ", results.Select(r => r.Allowed))}");
            Assert.Multiple(() =>
            {
                // The bucket refills one token every 864 s: none while the test runs, so the bound is the capacity itself.
                Assert.That(results.Sum(r => r.Allowed), Is.EqualTo(Capacity));
                Assert.That(results.Sum(r => r.Allowed + r.Refused), Is.EqualTo(Workers * AttemptsEach));
            });
        }
        finally
        {
            foreach (var process in processes)
            {
                if (!process.HasExited)
                {
                    process.Kill();
                }

                process.Dispose();
            }
        }
    }

    [GeneratedRegex("^allowed=([0-9]+) refused=([0-9]+)$")]
    private static partial Regex Result();
}
