using System.Diagnostics;
using System.Text.Json.Nodes;

namespace ModelRegistry.Bedrock.Tests.Support;

/// <summary>Runs botocore's SigV4Auth (python3 on the machine) on requests, as an independent signer.</summary>
internal static class Botocore
{
    private static readonly Lazy<string?> Missing = new(() =>
    {
        try
        {
            var (code, _, error) = Run("-c", "import botocore", string.Empty);
            return code == 0 ? null : $"python3 cannot import botocore: {error}";
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return $"python3 is not installed: {ex.Message}";
        }
    });

    /// <summary>Why botocore cannot be used here, or <see langword="null"/> when it can.</summary>
    public static string? Unavailable => Missing.Value;

    public static List<JsonObject> Sign(JsonArray requests)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Support", "botocore_sigv4.py");
        var (code, output, error) = Run(script, null, requests.ToJsonString());
        Assert.That(code, Is.Zero, $"botocore signer failed: {error}");
        return [.. JsonNode.Parse(output)!.AsArray().Select(n => n!.AsObject())];
    }

    private static (int Code, string Output, string Error) Run(string first, string? second, string input)
    {
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(first);
        if (second is not null)
        {
            start.ArgumentList.Add(second);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill();
            return (-1, string.Empty, "timed out");
        }

        return (process.ExitCode, output.Result, error.Result);
    }
}
