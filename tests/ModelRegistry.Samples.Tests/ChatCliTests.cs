using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using ModelRegistry.Testing;

namespace ModelRegistry.Samples.Tests;

/// <summary>
/// The chat CLI as a user runs it: a separate process, on a machine with no keys, so every model answers through the
/// offline demo endpoint — through the real registry, providers, HTTP and EMF middleware. (The Ctrl-C test gives it a
/// key and an endpoint of its own, one that holds the answer open until it is cancelled.)
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

    /// <summary>The CLI on a machine with no keys, so the offline demo answers unless the test gives it one.</summary>
    private static ProcessStartInfo Start(params string[] args)
    {
        var start = ChildProcess.Start("dotnet", "modelchat-test-home", [Cli, .. args]);
        start.RedirectStandardInput = true;
        start.WorkingDirectory = Path.GetTempPath();
        return start;
    }

    private static Task<(int Exit, string Out, string Err)> RunAsync(string stdin, params string[] args) => RunAsync(stdin, new Dictionary<string, string>(), args);

    private static async Task<(int Exit, string Out, string Err)> RunAsync(string stdin, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = Start(args);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

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

    [TestCase("haiku", "bedrock", "us.anthropic.claude-haiku-4-5-20251001-v1:0")]
    [TestCase("haiku-mantle", "anthropic", "anthropic.claude-haiku-4-5")]
    [TestCase("minimax-mantle", "openai", "minimax.minimax-m2.5")]
    public async Task With_a_model_the_named_entry_answers_over_its_providers_wire(string model, string provider, string modelId)
    {
        var (exit, stdout, stderr) = await RunAsync(string.Empty, "--model", model, "Hello");

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, stderr);
            Assert.That(stdout, Does.StartWith($"[offline demo] You asked {modelId}: \"Hello\""));
            Assert.That(stderr, Does.Contain($"— {model} · {modelId}"));
            Assert.That(stderr, Does.Contain($"\"Model\":\"{model}\",\"Provider\":\"{provider}\""));
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
            Assert.That(stderr, Does.Contain("error: Model 'gpt-5' is not in the registry").And.Contain("Known models: devstral-small, haiku, haiku-mantle, minimax-mantle, mistral-large."));
        });
    }

    [Test]
    public async Task List_shows_the_registry_with_the_default_and_fallbacks()
    {
        var (exit, stdout, stderr) = await RunAsync(string.Empty, "--list");

        Assert.That(exit, Is.Zero, stderr);
        Assert.That(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[]
        {
            "  devstral-small  mistral   devstral-small-2507",
            "  haiku           bedrock   us.anthropic.claude-haiku-4-5-20251001-v1:0",
            "  haiku-mantle    anthropic anthropic.claude-haiku-4-5  → falls back to haiku",
            "  minimax-mantle  openai    minimax.minimax-m2.5",
            "* mistral-large   mistral   mistral-large-latest  → falls back to haiku",
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
        // The model's endpoint sends the first answer's first words, then holds that stream open until the client
        // leaves: the first answer can only end by Ctrl-C, and the test presses it once those words are on stdout.
        await using var model = await HeldStreamServer.StartAsync();
        var start = Start("--model", "devstral-small");
        start.Environment["MISTRAL_API_KEY"] = "sk-test-ctrl-c";
        start.Environment["ModelRegistry__Models__devstral-small__endpoint"] = model.BaseAddress;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteLineAsync("a long question");

        var seen = new StringBuilder();
        var buffer = new char[256];
        while (!seen.ToString().Contains(HeldStreamServer.FirstWords, StringComparison.Ordinal))
        {
            var read = await process.StandardOutput.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromMinutes(1));
            Assert.That(read, Is.GreaterThan(0), $"the answer never started; stderr:\n{(process.HasExited ? await stderr : string.Empty)}");
            seen.Append(buffer, 0, read);
        }

        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await model.HeldStreamClosed.WaitAsync(TimeSpan.FromMinutes(1));
        await process.StandardInput.WriteLineAsync("second question");
        process.StandardInput.Close();
        seen.Append(await process.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromMinutes(1)));
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(process.ExitCode, Is.Zero, await stderr);
            Assert.That(await stderr, Does.Contain("[answer cancelled]"));
            Assert.That(seen.ToString(), Does.Contain("You asked devstral-small-2507: \"second question\". The chat goes on."));
            Assert.That(Regex.Count(await stderr, "— devstral-small · "), Is.EqualTo(1), "only the second answer completed");
        });
    }

    [Test]
    public async Task The_chat_is_a_stored_conversation_that_another_run_continues_from_PostgreSQL()
    {
        var connectionString = Environment.GetEnvironmentVariable("MODELREGISTRY_POSTGRES");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            Assert.Fail("MODELREGISTRY_POSTGRES is not set, so there is no PostgreSQL for the chat's conversations; run ./build/test.sh, which starts one.");
        }

        var environment = new Dictionary<string, string> { ["Conversations__ConnectionString"] = connectionString! };
        var (exit, _, stderr) = await RunAsync("first question\n\n", environment, "--model", "devstral-small");
        Assert.That(exit, Is.Zero, stderr);
        var id = Regex.Match(stderr, @"conversation (conv_[0-9a-f]+) \(continue it later with --conversation \1\)").Groups[1].Value;
        Assert.That(id, Is.Not.Empty, stderr);

        var (resumedExit, resumedOut, resumedErr) = await RunAsync(string.Empty, environment, "--model", "devstral-small", "--conversation", id, "second question");

        Assert.That(resumedExit, Is.Zero, resumedErr);
        Assert.That(resumedOut, Does.StartWith("[offline demo] You asked devstral-small-2507: \"second question\""));
        var firstInput = int.Parse(Regex.Match(stderr, @"· (\d+) in /").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var resumedInput = int.Parse(Regex.Match(resumedErr, @"· (\d+) in /").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(resumedInput, Is.GreaterThan(firstInput * 3), "the second run sent the stored first exchange with its question");

        var (unknownExit, _, unknownErr) = await RunAsync(string.Empty, environment, "--model", "devstral-small", "--conversation", "conv_unknown", "hi");
        Assert.That((unknownExit, unknownErr), Is.EqualTo((1, unknownErr)));
        Assert.That(unknownErr, Does.Contain("Conversation 'conv_unknown' was not found"));
    }

    [Test]
    public async Task Unknown_options_print_the_usage()
    {
        var (exit, _, stderr) = await RunAsync(string.Empty, "--frobnicate");

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("error: Unknown option --frobnicate.").And.Contain("usage: modelchat"));
    }
}
