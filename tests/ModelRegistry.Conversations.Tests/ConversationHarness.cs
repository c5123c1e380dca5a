using System.Security.Claims;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ModelRegistry.Conversations.Internal;
using ModelRegistry.Providers;

namespace ModelRegistry.Conversations.Tests;

/// <summary>An application as the README shows it: <c>AddModelRegistry().UseConversations(...)</c> over scripted entries.</summary>
internal sealed class ConversationHarness : IAsyncDisposable
{
    public const string Registry = """
        {
          "primary":   { "provider": "scripted", "model_id": "p-1", "fallbacks": ["secondary"] },
          "secondary": { "provider": "scripted", "model_id": "s-1" },
          "stateful":  { "provider": "scripted", "model_id": "st-1", "fallbacks": ["secondary"] }
        }
        """;

    private readonly ServiceProvider _services;

    private ConversationHarness(ServiceProvider services, Dictionary<string, ScriptedModel> models, FakeLogCollector logs)
    {
        _services = services;
        Models = models;
        Logs = logs;
        Unstored = new MetricCollector<long>(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), ConversationRuntime.MeterName, ConversationRuntime.UnstoredAnswersInstrument);
    }

    public Dictionary<string, ScriptedModel> Models { get; }

    public FakeLogCollector Logs { get; }

    public MetricCollector<long> Unstored { get; }

    public ConversationService Service => _services.GetRequiredService<ConversationService>();

    public IConversationStore Store => _services.GetRequiredService<IConversationStore>();

    public static ClaimsPrincipal Principal(string? owner, params string[] roles)
    {
        List<Claim> claims = [.. roles.Select(r => new Claim(ClaimTypes.Role, r))];
        if (owner is not null)
        {
            claims.Add(new Claim(ClaimTypes.NameIdentifier, owner));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, "test"));
    }

    /// <summary>Builds the application; <paramref name="store"/> configures the store, <paramref name="configure"/> the rest.</summary>
    public static ConversationHarness Build(Action<ConversationOptions> store, Action<ConversationOptions>? configure = null, Action<IServiceCollection>? services = null, ConversationHarness? sharing = null, Func<IConversationStore, IConversationStore>? wrapStore = null)
    {
        var models = new Dictionary<string, ScriptedModel>
        {
            ["primary"] = new("primary"),
            ["secondary"] = new("secondary"),
            ["stateful"] = new("stateful") { Stateful = true },
        };
        var logs = new FakeLogCollector();
        var collection = new ServiceCollection()
            .AddSingleton<IChatClientProvider>(new ScriptedProvider(models))
            .AddSingleton(EnvironmentProvider.FromVariables(new Dictionary<string, string?>()))
            .AddLogging(b => b.AddProvider(new FakeLoggerProvider(logs)).SetMinimumLevel(LogLevel.Debug))
            .AddMetrics();
        services?.Invoke(collection);
        if (sharing is not null)
        {
            collection.AddSingleton(sharing.Store); // a second process on the same store
        }

        collection.AddModelRegistry().FromJson(Registry).UseConversations(o =>
        {
            if (sharing is null)
            {
                store(o);
            }

            o.DefaultCaller = Principal("alice", ConversationRoles.User);
            configure?.Invoke(o);
        });
        if (wrapStore is not null)
        {
            var original = collection.Last(d => d.ServiceType == typeof(IConversationStore));
            collection.Remove(original);
            collection.AddSingleton(sp => wrapStore(original.ImplementationFactory is { } create ? (IConversationStore)create(sp) : (IConversationStore)original.ImplementationInstance!));
        }

        return new ConversationHarness(collection.BuildServiceProvider(), models, logs);
    }

    public IChatClient Client(string entry = "primary") => _services.GetRequiredService<IModelRegistry>().GetChatClient(entry);

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    public ValueTask DisposeAsync()
    {
        Unstored.Dispose();
        return _services.DisposeAsync();
    }
}
