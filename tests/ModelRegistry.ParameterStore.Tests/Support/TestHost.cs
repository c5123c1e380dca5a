using ModelRegistry.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelRegistry.Providers;

namespace ModelRegistry.ParameterStore.Tests.Support;

/// <summary>An application's services with the registry, the fake provider, captured logs and a controllable clock.</summary>
internal sealed class TestHost : IAsyncDisposable
{
    private TestHost(ServiceProvider services, FakeProvider provider, LogCapture logs, RecordingTimeProvider time)
    {
        Services = services;
        Provider = provider;
        Logs = logs;
        Time = time;
    }

    public ServiceProvider Services { get; }

    public FakeProvider Provider { get; }

    public LogCapture Logs { get; }

    public RecordingTimeProvider Time { get; }

    public IModelRegistry Registry => Services.GetRequiredService<IModelRegistry>();

    public ISecretResolver Secrets => Services.GetRequiredService<ISecretResolver>();

    /// <summary>The host; its environment holds exactly <paramref name="environment"/> (the process's is never read).</summary>
    public static TestHost Create(
        Action<ModelRegistryBuilder> configure,
        IDictionary<string, string?>? configuration = null,
        Action<ModelRegistryOptions>? options = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        // The registries these tests store carry a Bedrock-style key, which the fake provider declares like Bedrock does.
        var provider = new FakeProvider { Settings = [EntrySettings.AwsArn("inference_profile_arn", "bedrock", "application-inference-profile")] };
        var logs = new LogCapture();
        var time = new RecordingTimeProvider();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton(EnvironmentProvider.FromVariables(environment ?? new Dictionary<string, string?>()));
        services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        if (configuration is not null)
        {
            services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(configuration).Build());
        }

        services.AddSingleton<IChatClientProvider>(provider);
        configure(services.AddModelRegistry(options));
        return new TestHost(services.BuildServiceProvider(), provider, logs, time);
    }

    /// <summary>Calls the model (default when null) and returns its answer.</summary>
    public async Task<string> AskAsync(string? model = null) =>
        (await Registry.GetChatClient(model).GetResponseAsync("hi")).Text;

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}
