using Microsoft.Extensions.Logging;

namespace ModelRegistry.Fuzz;

/// <summary>
/// The secrets canary: the providers' fake credentials must appear in no exception message, health description or
/// log line, not even in part (any 12 characters of one in a row count, so a message cut through a key is caught).
/// </summary>
internal sealed class Secrets(IEnumerable<string> secrets)
{
    private const int Window = 12;

    private readonly string[] _windows = [.. secrets.SelectMany(s => Enumerable.Range(0, Math.Max(1, s.Length - Window + 1)).Select(i => s.Substring(i, Math.Min(Window, s.Length))))];

    /// <summary>The part of a secret the text holds, or <see langword="null"/>.</summary>
    public string? FindIn(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        foreach (var window in _windows)
        {
            if (text.Contains(window, StringComparison.Ordinal))
            {
                return window;
            }
        }

        return null;
    }
}

/// <summary>Loggers that format every message (so formatting runs as in production) and remember the first one holding a secret.</summary>
internal sealed class CanaryLoggerFactory(Secrets secrets) : ILoggerFactory, ILogger
{
    /// <summary>The first log line of the current input that held a secret.</summary>
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
        if (Leak is null && secrets.FindIn(text) is not null)
        {
            Leak = text;
        }
    }
}
