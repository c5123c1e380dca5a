using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelRegistry.Testing;
using static ModelRegistry.Mistral.Tests.MistralTestKit;

namespace ModelRegistry.Mistral.Tests;

/// <summary>A deprecated model is reported in the logs on every call that tells us, and the key never reaches a log.</summary>
public sealed class DeprecationLoggingTests
{
    private sealed class CapturingLogger : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<(LogLevel Level, string Category, string Message)> Entries { get; } = new();

        private string _category = string.Empty;

        public ILogger CreateLogger(string categoryName) => new CapturingLogger { _category = categoryName, Parent = this };

        private CapturingLogger? Parent { get; init; }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            (Parent ?? this).Entries.Enqueue((logLevel, _category, formatter(state, exception)));

        public void Dispose()
        {
        }
    }

    [Test]
    public async Task A_deprecation_header_on_a_chat_response_logs_a_warning_naming_the_model()
    {
        await using var server = await ReplayServer.StartAsync();
        var deprecated = Completion(model: "mistral-medium-2312");
        server.Enqueue(new ScriptedResponse { Body = deprecated.Body, Headers = [.. deprecated.Headers, new("x-model-deprecation-timestamp", "2026-11-30T00:00:00Z")] });
        server.Enqueue(ScriptedResponse.Json("""{"detail":"Unauthorized"}""", 401));
        var logs = new CapturingLogger();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["MISTRAL_API_KEY"] = ApiKey }).Build());
        services.AddModelRegistry(o => o.Resilience.MaxRetries = 0)
            .FromJson($$"""{"medium":{"provider":"mistral","model_id":"mistral-medium-2312","endpoint":"{{server.BaseAddress}}"} }""")
            .AddMistral();
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredKeyedService<IChatClient>("medium");

        await client.GetResponseAsync("hi");
        Assert.ThrowsAsync<ModelProviderException>(() => client.GetResponseAsync("hi"));

        var mistral = logs.Entries.Where(e => e.Category == "ModelRegistry.Mistral").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(mistral.Any(e => e.Level == LogLevel.Warning && e.Message.Contains("mistral-medium-2312", StringComparison.Ordinal) && e.Message.Contains("2026-11-30", StringComparison.Ordinal)),
                Is.True, string.Join("\n", mistral));
            Assert.That(mistral.Any(e => e.Message.Contains("401", StringComparison.Ordinal)), Is.True, "failures are logged at debug level");
            Assert.That(logs.Entries.Select(e => e.Message), Has.None.Contains(ApiKey));
        });
    }
}
