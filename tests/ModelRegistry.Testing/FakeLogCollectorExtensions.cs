using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace ModelRegistry.Testing;

/// <summary>
/// The one helper around <see cref="FakeLogCollector"/> (Microsoft.Extensions.Diagnostics.Testing, the tests' one fake
/// logger): what was logged as text, to assert that a message was written or that a secret appears nowhere.
/// </summary>
public static class FakeLogCollectorExtensions
{
    /// <summary>Every record so far, one per line (see <see cref="Text"/>).</summary>
    /// <param name="logs">The collector.</param>
    /// <returns>The text.</returns>
    public static string AllText(this FakeLogCollector logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        return string.Join('\n', logs.GetSnapshot().Select(Text));
    }

    /// <summary>The messages logged at exactly <paramref name="level"/> so far, in order.</summary>
    /// <param name="logs">The collector.</param>
    /// <param name="level">The level, e.g. <see cref="LogLevel.Warning"/>.</param>
    /// <returns>The messages.</returns>
    public static IReadOnlyList<string> Messages(this FakeLogCollector logs, LogLevel level)
    {
        ArgumentNullException.ThrowIfNull(logs);
        return [.. logs.GetSnapshot().Where(r => r.Level == level).Select(r => r.Message)];
    }

    /// <summary>A record as <c>Level Category: message</c>, then <c> | </c> and its exception (with inner ones and stack) when it has one.</summary>
    /// <param name="record">The record.</param>
    /// <returns>The text.</returns>
    public static string Text(this FakeLogRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return $"{record.Level} {record.Category}: {record.Message}{(record.Exception is null ? string.Empty : " | " + record.Exception)}";
    }
}
