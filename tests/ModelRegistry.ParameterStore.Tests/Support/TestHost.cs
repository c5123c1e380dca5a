using ModelRegistry.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ModelRegistry.Providers;

namespace ModelRegistry.ParameterStore.Tests.Support;

/// <summary>An application's services with the registry, the fake provider, captured logs and a controllable clock.</summary>
internal sealed class TestHost : IAsyncDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    private TestHost(ServiceProvider services, FakeProvider provider, FakeLogCollector logs, FakeClock time)
    {
        Services = services;
        Provider = provider;
        Logs = logs;
        Time = time;
    }

    public ServiceProvider Services { get; }

    public FakeProvider Provider { get; }

    /// <summary>Every log record, debug and up.</summary>
    public FakeLogCollector Logs { get; }

    public FakeClock Time { get; }

    /// <summary>The short waits armed so far, in order: the extension's backoffs (its 10 s attempt timeouts left out).</summary>
    public IReadOnlyList<TimeSpan> Backoffs => [.. Time.ArmedTimers.Where(t => t > TimeSpan.Zero && t < TimeSpan.FromSeconds(5))];

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
        var logs = new FakeLogCollector();
        var time = new FakeClock();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton(EnvironmentProvider.FromVariables(environment ?? new Dictionary<string, string?>()));
        services.AddLogging(b => b.AddProvider(new FakeLoggerProvider(logs)).SetMinimumLevel(LogLevel.Debug));
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

    /// <summary>
    /// Lets each of <paramref name="waits"/> elapse, in order, once the code waits for exactly it (and checks it waits
    /// the whole time), then awaits <paramref name="work"/>, 20 real seconds at most.
    /// </summary>
    public async Task<T> AfterWaitsAsync<T>(Task<T> work, params TimeSpan[] waits)
    {
        foreach (var wait in waits)
        {
            await Time.AdvanceWhenArmedAsync(wait, work);
        }

        return await work.WaitAsync(Guard);
    }

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}
