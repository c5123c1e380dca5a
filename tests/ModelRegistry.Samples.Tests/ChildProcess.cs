using System.Diagnostics;
using System.Text;

namespace ModelRegistry.Samples.Tests;

/// <summary>
/// Start information for a sample run as a separate process, with an environment the test writes out in full rather
/// than the test process's own: a key, AWS_* or DEFAULT_MODEL in the shell that started the tests never reaches it.
/// </summary>
internal static class ChildProcess
{
    /// <summary>
    /// Kept from the test process: where <c>dotnet</c> and the tools are, and nothing that changes what a sample does.
    /// HOME is always a fresh directory of the test's, so no <c>~/.aws</c> counts either.
    /// </summary>
    private static readonly string[] Kept = ["PATH", "DOTNET_ROOT", "DOTNET_ROOT_X64", "DOTNET_ROOT_ARM64", "TMPDIR"];

    /// <summary>A process start with stdout and stderr redirected (UTF-8) and only the kept variables, HOME and LANG set.</summary>
    /// <param name="fileName">The program.</param>
    /// <param name="home">The name of the directory under the temporary directory that serves as HOME.</param>
    /// <param name="arguments">The arguments.</param>
    public static ProcessStartInfo Start(string fileName, string home, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var inherited = start.Environment.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
        start.Environment.Clear();
        foreach (var name in Kept)
        {
            if (inherited.TryGetValue(name, out var value) && value is not null)
            {
                start.Environment[name] = value;
            }
        }

        start.Environment["HOME"] = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), home)).FullName;
        start.Environment["LANG"] = "C.UTF-8";
        return start;
    }
}
