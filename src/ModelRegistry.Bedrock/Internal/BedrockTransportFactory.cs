using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ModelRegistry.Bedrock.Internal;

/// <summary>Builds the transport of a client: from a registry entry and the application's services, or from direct options.</summary>
internal static class BedrockTransportFactory
{
    /// <summary>The name of the HttpClient registered by <c>AddBedrock()</c>.</summary>
    public const string HttpClientName = "ModelRegistry.Bedrock";

    private static readonly Lazy<HttpClient> SharedHttp = new(() => new HttpClient(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AllowAutoRedirect = false,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    });

    /// <summary>For a registry entry: HttpClient from IHttpClientFactory, the entry's resilience settings, secrets by reference.</summary>
    public static BedrockTransport FromEntry(ModelEntry entry, IServiceProvider services)
    {
        var settings = BedrockSettings.FromEntry(entry, services.GetService<ISecretResolver>());
        var registryOptions = services.GetService<IOptions<ModelRegistryOptions>>()?.Value ?? new ModelRegistryOptions();
        var http = services.GetService<IHttpClientFactory>()?.CreateClient(HttpClientName) ?? SharedHttp.Value;
        return Create(
            settings,
            http,
            registryOptions.Resilience.ForEntry(entry),
            services.GetService<TimeProvider>() ?? TimeProvider.System,
            services.GetService<ILoggerFactory>());
    }

    /// <summary>For direct use.</summary>
    public static BedrockTransport FromOptions(BedrockClientOptions options)
    {
        var settings = BedrockSettings.FromOptions(options);
        return Create(settings, options.HttpClient ?? SharedHttp.Value, options.Resilience ?? new ProviderResilienceOptions(),
            options.TimeProvider ?? TimeProvider.System, options.LoggerFactory);
    }

    /// <summary>Builds a transport from resolved parts (tests use it for fixed credentials).</summary>
    public static BedrockTransport Create(
        BedrockSettings settings, HttpClient http, ProviderResilienceOptions resilience, TimeProvider time, ILoggerFactory? loggers)
    {
        var pipeline = ProviderResilience.CreatePipeline(resilience, time, BedrockErrors.IsRetryable);
        var logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger("ModelRegistry.Bedrock");
        return new BedrockTransport(http, settings, new BedrockAuthenticator(settings, time), pipeline, time, logger);
    }
}
