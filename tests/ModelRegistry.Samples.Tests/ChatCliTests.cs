using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using ModelRegistry.Testing;

namespace ModelRegistry.Samples.Tests;

/// <summary>
/// The chat CLI as a user runs it: a separate process, on a machine with no keys, so every model answers through the
/// offline demo endpoint — through the real registry, providers, HTTP and EMF middleware.
/// </summary>
[NonParallelizable]
public sealed class ChatCliTests
{
    private static readonly string Cli = LocateCli();

    private static string LocateCli()
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name; // bin/<Configuration>/net10.0
        var path = Path.Combine(CassetteCorpus.RepositoryRoot!, "samples", "ModelRegistry.Samples.Chat", "bin", configuration, "net10.0", "modelchat.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"The chat sample is not built at {path}; build the solution first.");
    }

    private static async Task<(int Exit, string Out, string Err)> RunAsync(string stdin, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(Cli);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // A machine with no keys: the CLI must run the offline demo.
        foreach (var variable in new[] { "MISTRAL_API_KEY", "MISTRAL_API_KEY_PARAMETER", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_BEARER_TOKEN_BEDROCK", "DEFAULT_MODEL" })
        {
            start.Environment.Remove(variable);
        }

        start.Environment["HOME"] = Path.Combine(Path.GetTempPath(), "modelchat-test-home");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    [Test]
    public async Task Without_a_model_the_default_answers_offline_through_the_whole_stack()
    {
        var (exit, stdout, stderr) = await RunAsync(string.Empty, "What is the capital of France?");

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, stderr);
            Assert.That(stdout, Does.StartWith("[offline demo] You asked mistral-large-latest: \"What is the capital of France?\""));
            Assert.That(stderr, Does.Contain("offline demo: no MISTRAL_API_KEY or AWS credentials found"));
            Assert.That(stderr, Does.Match(@"— mistral-large · mistral-large-latest · \d+ in / \d+ out tokens · \d+ ms"));
            Assert.That(stderr, Does.Contain("emf: {\"_aws\"").And.Contain("\"Model\":\"mistral-large\"").And.Contain("\"Invocations\":1"));
        });
    }

    [Test]
    public async Task With_a_model_the_named_entry_answers_here_a_Bedrock_one()
    {
        var (exit, stdout, stderr) = await RunAsync(string.Empty, "--model", "haiku", "Hello");

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, stderr);
            Assert.That(stdout, Does.StartWith("[offline demo] You asked us.anthropic.claude-haiku-4-5-20251001-v1:0: \"Hello\""));
            Assert.That(stderr, Does.Contain("— haiku · us.anthropic.claude-haiku-4-5-20251001-v1:0"));
            Assert.That(stderr, Does.Contain("\"Model\":\"haiku\",\"Provider\":\"bedrock\""));
        });
    }

    [Test]
    public async Task A_bad_model_name_fails_clearly_listing_the_known_names()
    {
        var (exit, stdout, stderr) = await RunAsync(string.Empty, "--model", "gpt-5", "hi");

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(2));
            Assert.That(stdout, Is.Empty);
            Assert.That(stderr, Does.Contain("error: Model 'gpt-5' is not in the registry").And.Contain("Known models: devstral-small, haiku, mistral-large."));
        });
    }

    [Test]
    public async Task List_shows_the_registry_with_the_default_and_fallbacks()
    {
        var (exit, stdout, stderr) = await RunAsync(string.Empty, "--list");

        Assert.That(exit, Is.Zero, stderr);
        Assert.That(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[]
        {
            "  devstral-small  mistral  devstral-small-2507",
            "  haiku           bedrock  us.anthropic.claude-haiku-4-5-20251001-v1:0",
            "* mistral-large   mistral  mistral-large-latest  → falls back to haiku",
            "(* = default model)",
        }));
    }

    [Test]
    public async Task Without_a_prompt_it_chats_turn_by_turn_until_an_empty_line()
    {
        var (exit, stdout, stderr) = await RunAsync("first question\nsecond question\n\nnever sent\n", "--model", "devstral-small");

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, stderr);
            Assert.That(stdout, Does.Contain("You asked devstral-small-2507: \"first question\"").And.Contain("You asked devstral-small-2507: \"second question\""));
            Assert.That(stdout, Does.Not.Contain("never sent"));
            Assert.That(Regex.Count(stderr, "— devstral-small · "), Is.EqualTo(2));
            Assert.That(Regex.Count(stderr, "emf: "), Is.EqualTo(2), "one EMF line per call");
        });
    }

    [Test]
    public async Task Ctrl_C_stops_the_answer_being_written_and_the_chat_goes_on()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Cli);
        start.Environment.Remove("MISTRAL_API_KEY");
        start.Environment.Remove("AWS_ACCESS_KEY_ID");
        start.Environment.Remove("AWS_PROFILE");
        start.Environment["HOME"] = Path.Combine(Path.GetTempPath(), "modelchat-test-home");
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteLineAsync("a long question");

        // Wait for the answer to start streaming, then press Ctrl-C (SIGINT) in the middle of it.
        var seen = new StringBuilder();
        var buffer = new char[256];
        while (!seen.ToString().Contains("[offline demo]", StringComparison.Ordinal))
        {
            var read = await process.StandardOutput.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromMinutes(1));
            Assert.That(read, Is.GreaterThan(0), "the answer never started");
            seen.Append(buffer, 0, read);
        }

        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await process.StandardInput.WriteLineAsync("second question");
        process.StandardInput.Close();
        seen.Append(await process.StandardOutput.ReadToEndAsync());
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(process.ExitCode, Is.Zero);
            Assert.That(await stderr, Does.Contain("[answer cancelled]"));
            Assert.That(seen.ToString(), Does.Contain("You asked mistral-large-latest: \"second question\". This answer came back through the whole stack"));
            Assert.That(Regex.Count(await stderr, "— mistral-large · "), Is.EqualTo(1), "only the second answer completed");
        });
    }

    [Test]
    public async Task Unknown_options_print_the_usage()
    {
        var (exit, _, stderr) = await RunAsync(string.Empty, "--frobnicate");

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("error: Unknown option --frobnicate.").And.Contain("usage: modelchat"));
    }
}
