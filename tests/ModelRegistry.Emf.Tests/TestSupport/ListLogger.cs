using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ModelRegistry.Emf.Tests.TestSupport;

/// <summary>A logger that keeps what it is told, to assert on warnings.</summary>
internal sealed class ListLogger : ILogger, ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, EventId Id, string Message, Exception? Exception)> Entries { get; } = new();

    public IEnumerable<string> Warnings => Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, eventId, formatter(state, exception), exception));

    public ILogger CreateLogger(string categoryName) => this;

    public void Dispose()
    {
    }
}
