using ModelRegistry.Fuzz;
using ModelRegistry.Testing;

// The fuzz runner (see README.md): ./build/fuzz.sh [seconds] builds and runs it.
var options = FuzzOptions.Parse(args);
if (options.Error is { } usage)
{
    Console.Error.WriteLine(usage);
    Console.Error.WriteLine(FuzzOptions.Usage);
    return 2;
}

FuzzProvider[] providers = [new MistralFuzz(), new BedrockFuzz(), new AnthropicFuzz(), new OpenAIFuzz()];
var targets = providers.SelectMany(p => p.CreateTargets()).ToList();
var secrets = new Secrets(providers.Select(p => p.Secret));
var run = new FuzzRun(secrets);
var root = CassetteCorpus.RepositoryRoot ?? Directory.GetCurrentDirectory();
var failures = new FailureLog(options.Output ?? Path.Combine(root, "build", "out", "fuzz"), root);

if (options.Replay is { } replayFile)
{
    return Fuzzer.Replay(run, providers, targets, secrets, replayFile);
}

if (options.Targets is { } wanted)
{
    targets = [.. targets.Where(t => wanted.Any(w => t.Name.Contains(w, StringComparison.OrdinalIgnoreCase)))];
    if (targets.Count == 0)
    {
        Console.Error.WriteLine($"No target matches {string.Join(", ", wanted)}.");
        return 2;
    }
}

var own = targets.Sum(t => t.Seeds.Count);
var corpus = options.NoCorpus ? (Cassettes: 0, Seeds: 0, Unreadable: 0) : Corpus.AddSeeds(providers, targets);
Console.WriteLine(CassetteCorpus.IsAvailable && !options.NoCorpus
    ? $"seeds: {own} of ours, {corpus.Seeds} recorded responses from {corpus.Cassettes} cassettes in {CassetteCorpus.Directory}{(corpus.Unreadable > 0 ? $" ({corpus.Unreadable} unreadable)" : string.Empty)}"
    : $"seeds: {own} of ours; recorded corpus {(options.NoCorpus ? "not used (--no-corpus)" : "not found (set MODELREGISTRY_CASSETTES or place it at ../shared/cassettes)")}");

if (!Fuzzer.SelfTest(run, providers, secrets, targets))
{
    return 2;
}

var seedStats = Fuzzer.CheckSeeds(run, providers, secrets, targets, failures);
if (seedStats is null)
{
    return 2;
}

return Fuzzer.Fuzz(run, providers, secrets, targets, failures, options, seedStats);
