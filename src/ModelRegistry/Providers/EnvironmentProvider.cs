namespace ModelRegistry.Providers;

/// <summary>
/// Where the registry, its providers and middleware read environment variables (<c>DEFAULT_MODEL</c>,
/// <c>MISTRAL_API_KEY</c>, <c>AWS_BEARER_TOKEN_BEDROCK</c>...): the one place, so an application or a test can replace
/// it, as <see cref="TimeProvider"/> replaces the clock. <c>AddModelRegistry()</c> registers <see cref="System"/>; register
/// another instance to override it. Direct-use clients take it through <see cref="ProviderClientOptions.Environment"/>.
/// </summary>
public class EnvironmentProvider
{
    /// <summary>The process's own environment.</summary>
    public static EnvironmentProvider System { get; } = new();

    /// <summary>Creates the process environment provider; subclass it to read variables from elsewhere.</summary>
    protected EnvironmentProvider()
    {
    }

    /// <summary>An environment holding exactly these variables and no others (the process's are not read).</summary>
    /// <param name="variables">Name to value; names are case-sensitive, as on Linux.</param>
    public static EnvironmentProvider FromVariables(IReadOnlyDictionary<string, string?> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        return new Fixed(new Dictionary<string, string?>(variables, StringComparer.Ordinal));
    }

    /// <summary>Returns a variable's value, trimmed; <see langword="null"/> when it is unset, empty or only white space.</summary>
    /// <param name="name">The variable's name.</param>
    public string? Get(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var value = Read(name);
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    /// <summary>Reads a variable as it is stored.</summary>
    /// <param name="name">The variable's name.</param>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0030:Do not use banned APIs",
        Justification = "The one place the library reads the process environment; everything else asks this class.")]
    protected virtual string? Read(string name) => Environment.GetEnvironmentVariable(name);

    private sealed class Fixed(Dictionary<string, string?> variables) : EnvironmentProvider
    {
        protected override string? Read(string name) => variables.TryGetValue(name, out var value) ? value : null;
    }
}
