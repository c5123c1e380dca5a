using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ModelRegistry.Redis.Tests;

/// <summary>Keeps every log record (level, category, message, exception text) for assertions.</summary>
internal sealed class ListLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogRecord> _records = new();

    public IReadOnlyList<LogRecord> Records => [.. _records];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _records);

    public void Dispose()
    {
    }

    internal sealed record LogRecord(LogLevel Level, string Category, string Message, string? Exception);

    private sealed class Logger(string category, ConcurrentQueue<LogRecord> records) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            records.Enqueue(new LogRecord(logLevel, category, formatter(state, exception), exception?.ToString()));
    }
}
