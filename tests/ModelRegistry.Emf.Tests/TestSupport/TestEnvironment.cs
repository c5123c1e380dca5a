using ModelRegistry.Providers;

namespace ModelRegistry.Emf.Tests.TestSupport;

/// <summary>Environments for tests: the process's is never read nor set.</summary>
internal sealed class TestEnvironment : EnvironmentProvider
{
    public Dictionary<string, string?> Variables { get; } = new(StringComparer.Ordinal);

    /// <summary>An environment holding exactly these variables, which the test may change between calls.</summary>
    public static TestEnvironment With(params (string Name, string? Value)[] variables)
    {
        var environment = new TestEnvironment();
        foreach (var (name, value) in variables)
        {
            environment.Variables[name] = value;
        }

        return environment;
    }

    protected override string? Read(string name) => Variables.TryGetValue(name, out var value) ? value : null;
}
