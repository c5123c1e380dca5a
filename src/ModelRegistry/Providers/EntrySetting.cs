namespace ModelRegistry.Providers;

/// <summary>
/// One key a registry entry may carry, declared by the registry or by a provider
/// (<see cref="IChatClientProvider.Settings"/>). Every key of every entry is checked against these declarations when the
/// registry loads, from any source: an unknown key, a key in the wrong case or a value out of range fails the load with a
/// <see cref="ModelRegistryException"/> naming the entry, the key and what is allowed. Create them with <see cref="EntrySettings"/>.
/// </summary>
public abstract class EntrySetting
{
    private protected EntrySetting(string key, string expected, bool isSecret)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(expected);
        Key = key;
        Expected = expected;
        IsSecret = isSecret;
    }

    /// <summary>The key as entries write it; nested keys are joined with <c>:</c> (<c>resilience:max_retries</c>).</summary>
    public string Key { get; }

    /// <summary>What a valid value is, for messages: <c>a whole number from 0 to 20</c>.</summary>
    public string Expected { get; }

    /// <summary>Whether the value is a secret reference, never repeated in a message when it is invalid.</summary>
    internal bool IsSecret { get; }

    /// <summary>Returns what is wrong with a value, or <see langword="null"/> when it is valid.</summary>
    /// <param name="value">The value as the entry holds it.</param>
    /// <param name="secretSchemes">The secret schemes the application serves, when known.</param>
    internal abstract string? Check(string value, IReadOnlyCollection<string>? secretSchemes);

    /// <summary>The message for an invalid value: names the entry (and its source), the key and the allowed values; a secret is not repeated.</summary>
    internal string Invalid(string entryName, string value, string? problem = null, string? source = null) =>
        $"Model registry entry '{Shorten(entryName)}'{(source is null ? string.Empty : $" ({source})")}: " + (IsSecret
            ? $"setting '{Key}' {(string.IsNullOrEmpty(problem) ? $"must be {Expected}" : problem)}. The value is not shown, as it may be a secret."
            : $"setting '{Key}' must be {Expected}, but is '{Shorten(value)}'{(string.IsNullOrEmpty(problem) ? string.Empty : $" ({problem})")}.");

    /// <inheritdoc />
    public override string ToString() => $"{Key}: {Expected}";

    private static string Shorten(string text)
    {
        var clean = string.Concat(text.Select(c => char.IsControl(c) ? '?' : c));
        return clean.Length <= 80 ? clean : string.Concat(clean.AsSpan(0, 77), "...");
    }
}
