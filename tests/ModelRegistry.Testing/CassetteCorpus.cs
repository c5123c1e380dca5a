namespace ModelRegistry.Testing;

/// <summary>
/// Finds the recorded-traffic corpus: the directory named by <c>MODELREGISTRY_CASSETTES</c>, else
/// <c>../shared/cassettes</c> beside the repository. It is not part of the repository, so tests that need it
/// check <see cref="IsAvailable"/> and report themselves as not run when it is missing.
/// </summary>
public static class CassetteCorpus
{
    /// <summary>The environment variable that points at the corpus directory.</summary>
    public const string EnvironmentVariable = "MODELREGISTRY_CASSETTES";

    private static readonly Lazy<string?> Root = new(Locate);

    /// <summary>The corpus directory, or <see langword="null"/> when it is not found.</summary>
    public static string? Directory => Root.Value;

    /// <summary>Whether the corpus was found.</summary>
    public static bool IsAvailable => Root.Value is not null;

    /// <summary>A sentence saying where the corpus was looked for, for skip messages.</summary>
    public static string NotFoundReason =>
        $"recorded-traffic corpus not found: set {EnvironmentVariable} or place it at ../shared/cassettes beside the repository";

    /// <summary>All cassette files whose name contains every fragment (ordinal, ignoring case), sorted.</summary>
    /// <param name="fragments">Name fragments, e.g. <c>"mistral"</c>.</param>
    public static IReadOnlyList<string> Find(params string[] fragments)
    {
        if (Root.Value is not { } root)
        {
            return [];
        }

        return System.IO.Directory.EnumerateFiles(root, "*.yaml", SearchOption.AllDirectories)
            .Where(f => fragments.All(x => Path.GetFileName(f).Contains(x, StringComparison.OrdinalIgnoreCase)))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The full path of a cassette by file name; throws when the corpus or the file is missing.</summary>
    /// <param name="fileName">The file name, e.g. <c>models__cassettes__test_mistral__test_mistral_forwards_penalties.yaml</c>.</param>
    public static string PathOf(string fileName)
    {
        var root = Root.Value ?? throw new InvalidOperationException(NotFoundReason);
        var match = System.IO.Directory.EnumerateFiles(root, fileName, SearchOption.AllDirectories).FirstOrDefault();
        return match ?? throw new FileNotFoundException($"No cassette named {fileName} under {root}.");
    }

    /// <summary>The repository root: the nearest directory above the test binaries holding ModelRegistry.sln.</summary>
    public static string? RepositoryRoot { get; } = FindRepositoryRoot();

    private static string? Locate()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return System.IO.Directory.Exists(configured) ? Path.GetFullPath(configured) : null;
        }

        if (RepositoryRoot is not { } repo)
        {
            return null;
        }

        var beside = Path.GetFullPath(Path.Combine(repo, "..", "shared", "cassettes"));
        return System.IO.Directory.Exists(beside) ? beside : null;
    }

    private static string? FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ModelRegistry.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
