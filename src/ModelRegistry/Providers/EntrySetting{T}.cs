using System.Diagnostics.CodeAnalysis;

namespace ModelRegistry.Providers;

/// <summary>A declared entry key whose value reads as a <typeparamref name="T"/>. Create it with <see cref="EntrySettings"/>.</summary>
/// <typeparam name="T">The value's type.</typeparam>
public sealed class EntrySetting<T> : EntrySetting
{
    private readonly Func<string, IReadOnlyCollection<string>?, (T? Value, string? Problem)> _parse;

    internal EntrySetting(string key, string expected, Func<string, IReadOnlyCollection<string>?, (T? Value, string? Problem)> parse, bool isSecret = false)
        : base(key, expected, isSecret)
    {
        _parse = parse;
    }

    /// <summary>Reads the entry's value; <see langword="false"/> when the entry does not set the key.</summary>
    /// <param name="entry">The registry entry.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="ModelRegistryException">The value is invalid (an entry the registry did not validate); the message names entry and key.</exception>
    public bool TryGetValue(ModelEntry entry, [MaybeNullWhen(false)] out T value)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var text = entry.GetSetting(Key);
        if (text is null)
        {
            value = default;
            return false;
        }

        var (parsed, problem) = _parse(text, null);
        if (problem is not null || parsed is null)
        {
            throw new ModelRegistryException(Invalid(entry.Name, text, problem));
        }

        value = parsed;
        return true;
    }

    /// <summary>Reads the entry's value, or returns <paramref name="defaultValue"/> when the entry does not set the key.</summary>
    /// <param name="entry">The registry entry.</param>
    /// <param name="defaultValue">The value when unset.</param>
    /// <exception cref="ModelRegistryException">The value is invalid; the message names entry and key.</exception>
    public T GetValueOrDefault(ModelEntry entry, T defaultValue) => TryGetValue(entry, out var value) ? value : defaultValue;

    /// <summary>Parses a value that did not come from an entry (an option, an environment variable) by the same rules.</summary>
    /// <param name="text">The text.</param>
    /// <param name="value">The value.</param>
    /// <returns>Whether the text is valid.</returns>
    public bool TryParse(string text, [MaybeNullWhen(false)] out T value)
    {
        ArgumentNullException.ThrowIfNull(text);
        var (parsed, problem) = _parse(text, null);
        value = parsed;
        return problem is null && parsed is not null;
    }

    internal override string? Check(string value, IReadOnlyCollection<string>? secretSchemes)
    {
        var (parsed, problem) = _parse(value, secretSchemes);
        return problem ?? (parsed is null ? "invalid" : null);
    }
}
