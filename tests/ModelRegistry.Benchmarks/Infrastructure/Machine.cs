using System.Runtime.InteropServices;

namespace ModelRegistry.Benchmarks.Infrastructure;

/// <summary>The machine the numbers were measured on, in one line.</summary>
internal static class Machine
{
    public static string Describe()
    {
        var cpu = ReadValue("/proc/cpuinfo", "model name", ':') ?? RuntimeInformation.ProcessArchitecture.ToString();
        var os = ReadValue("/etc/os-release", "PRETTY_NAME", '=')?.Trim('"') ?? RuntimeInformation.OSDescription;
        return $"{cpu}, {Environment.ProcessorCount} logical cores, {os}, kernel {Environment.OSVersion.Version}";
    }

    private static string? ReadValue(string path, string key, char separator)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        foreach (var line in File.ReadLines(path))
        {
            var at = line.IndexOf(separator, StringComparison.Ordinal);
            if (at > 0 && line[..at].Trim() == key)
            {
                return line[(at + 1)..].Trim();
            }
        }

        return null;
    }
}
