using System.Text;
using Microsoft.Extensions.Logging;

namespace ModelRegistry.Fuzz;

/// <summary>
/// The secrets canary: the providers' fake credentials must appear in no exception message, health description or
/// log line, not even in part (any 12 characters of one in a row count, so a message cut through a key is caught).
/// A part the answer itself holds outside a whole credential (a mutation broke the echoed key apart, an escape swallowed
/// its first characters, or the body was cut off before the key ended) is no leak: the client cannot know those
/// characters are secret.
/// </summary>
internal sealed class Secrets(IEnumerable<string> secrets)
{
    private const int Window = 12;

    private readonly string[] _secrets = [.. secrets];

    private string[] Windows => field ??= [.. _secrets.SelectMany(s => Enumerable.Range(0, Math.Max(1, s.Length - Window + 1)).Select(i => s.Substring(i, Math.Min(Window, s.Length))))];

    /// <summary>Whether the text holds any part of a secret (a cheap first look; <see cref="FindIn"/> decides).</summary>
    public bool Suspect(string? text) => !string.IsNullOrEmpty(text) && Windows.Any(w => text.Contains(w, StringComparison.Ordinal));

    /// <summary>The part of a secret the text holds that the answer did not hand over as plain text, or <see langword="null"/>.</summary>
    public string? FindIn(string? text, ReadOnlySpan<byte> answer)
    {
        if (!Suspect(text))
        {
            return null;
        }

        // The answer as sent, and as its JSON strings read (an escape can swallow a key's first characters).
        var raw = Masked(Encoding.UTF8.GetString(answer));
        var unescaped = Masked(Unescape(Encoding.UTF8.GetString(answer)));
        foreach (var window in Windows)
        {
            if (text!.Contains(window, StringComparison.Ordinal) && !raw.Contains(window, StringComparison.Ordinal) && !unescaped.Contains(window, StringComparison.Ordinal))
            {
                return window;
            }
        }

        return null;
    }

    /// <summary>The text with every whole secret masked.</summary>
    private string Masked(string text)
    {
        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, new string('*', secret.Length), StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>JSON's <c>\uXXXX</c> escapes read, everything else as it is.</summary>
    private static string Unescape(string text)
    {
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 5 < text.Length && text[i + 1] == 'u'
                && int.TryParse(text.AsSpan(i + 2, 4), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var code))
            {
                result.Append((char)code);
                i += 5;
            }
            else
            {
                result.Append(text[i]);
            }
        }

        return result.ToString();
    }
}

/// <summary>Loggers that format every message (so formatting runs as in production) and remember the first one that may hold a secret.</summary>
internal sealed class CanaryLoggerFactory(Secrets secrets) : ILoggerFactory, ILogger
{
    /// <summary>The first log line of the current input that held part of a secret (judged with the answer by <see cref="Secrets.FindIn"/>).</summary>
    public string? Leak { get; set; }

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var text = formatter(state, exception);
        if (Leak is null && secrets.Suspect(text))
        {
            Leak = text;
        }
    }
}
