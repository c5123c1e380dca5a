using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ModelRegistry.ParameterStore.Tests.Support;

/// <summary>Collects every log line (debug and up), with its exception's messages, so tests can assert on what was logged.</summary>
internal sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Text)> _lines = new();

    public IReadOnlyList<(LogLevel Level, string Text)> Lines => [.. _lines];

    /// <summary>Everything logged, messages and exception chains, as one text.</summary>
    public string AllText => string.Join('\n', _lines.Select(l => l.Text));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = $"{category}: {formatter(state, exception)}";
            for (var inner = exception; inner is not null; inner = inner.InnerException)
            {
                text += $" | {inner.GetType().Name}: {inner.Message}";
            }

            capture._lines.Enqueue((logLevel, text));
        }
    }
}
