using System.Diagnostics;

namespace ModelRegistry.Samples.Tests;

/// <summary>A sample started by a test sees the environment the test wrote out, not the test process's own.</summary>
public sealed class ChildProcessTests
{
    [Test]
    public async Task A_sample_process_sees_only_the_variables_its_test_gives_it()
    {
        var start = ChildProcess.Start("env", "child-process-test");
        start.Environment["MODELS_PARAMETER"] = "/e2e/models";
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));

        var names = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=')[0]).ToList();
        Assert.Multiple(() =>
        {
            // The test process always has more (under build/test.sh: LC_ALL, MODELREGISTRY_*, DOTNET_NOLOGO, ...).
            Assert.That(names, Is.SubsetOf(new[] { "PATH", "DOTNET_ROOT", "DOTNET_ROOT_X64", "DOTNET_ROOT_ARM64", "TMPDIR", "HOME", "LANG", "MODELS_PARAMETER" }));
            Assert.That(names, Is.SupersetOf(new[] { "PATH", "HOME", "LANG", "MODELS_PARAMETER" }));
            Assert.That(output, Does.Contain($"HOME={Path.Combine(Path.GetTempPath(), "child-process-test")}\n"));
        });
    }
}
