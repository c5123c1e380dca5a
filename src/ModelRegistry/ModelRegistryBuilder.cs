using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ModelRegistry.Internal;
using ModelRegistry.Providers;

namespace ModelRegistry;

/// <summary>
/// Configures the registry that <c>AddModelRegistry()</c> added: where its entries come from, which providers
/// serve them, and the middleware around every client. Provider packages add <c>AddBedrock()</c>, <c>AddMistral()</c>.
/// </summary>
public sealed class ModelRegistryBuilder
{
    private readonly RegistryPipeline _pipeline;

    internal ModelRegistryBuilder(IServiceCollection services, RegistryPipeline pipeline)
    {
        Services = services;
        _pipeline = pipeline;
    }

    /// <summary>The application's services.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Registers a provider; entries whose <c>provider</c> equals its <see cref="IChatClientProvider.Name"/> use it. With
    /// <paramref name="transport"/>, also registers the provider's named HttpClient (see
    /// <see cref="ProviderTransportOptions.HttpClientName"/>) with the kit's handler: at most
    /// <see cref="ProviderTransport.MaxConnectionsPerServer"/> connections per server, connections renewed every 5
    /// minutes, no redirects, no client-wide timeout (attempts time out by <c>resilience:attempt_timeout_ms</c>), and
    /// none of the factory's request logging, whose log state would carry the API key.
    /// Configure it further with <c>services.AddHttpClient(name)</c>.
    /// </summary>
    /// <typeparam name="TProvider">The provider type, created once by DI.</typeparam>
    /// <param name="transport">The provider's wire description, whose HttpClient to register.</param>
    public ModelRegistryBuilder AddProvider<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TProvider>(ProviderTransportOptions? transport = null)
        where TProvider : class, IChatClientProvider
    {
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IChatClientProvider, TProvider>());
        if (transport is not null && !Services.Any(d => d.ServiceType == typeof(ProviderHttpClientMarker) && Equals(d.ServiceKey, transport.ClientName)))
        {
            Services.AddKeyedSingleton<ProviderHttpClientMarker>(transport.ClientName);
            // IHttpClientFactory's own request logging keeps header values (an API key) in its log state, whatever it
            // redacts in the message: the transport logs every failure itself, so the factory's loggers are removed.
            Services.AddHttpClient(transport.ClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
                .ConfigurePrimaryHttpMessageHandler(ProviderTransport.CreateHandler)
                .RemoveAllLoggers();
        }

        return this;
    }

    /// <summary>Reads the registry from a source; the last source set wins. The source is read on first use, never at start-up.</summary>
    /// <param name="factory">Creates the source from the application's services.</param>
    public ModelRegistryBuilder FromSource(Func<IServiceProvider, IModelRegistrySource> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _pipeline.SourceFactory = factory;
        return this;
    }

    /// <summary>
    /// Sets the source used only when no source is set in code (<see cref="FromSource"/>, <see cref="FromJson"/>,
    /// <see cref="FromConfiguration"/>, in any order). Packages use it to take the registry from a place named by
    /// configuration, e.g. the SSM parameter in <c>MODELS_PARAMETER</c>. The factory runs on first use; when it returns
    /// <see langword="null"/>, the registry reads the configuration section <c>ModelRegistry:Models</c> as usual.
    /// </summary>
    /// <param name="factory">Creates the source from the application's services, or returns <see langword="null"/>.</param>
    public ModelRegistryBuilder FromSourceWhenNoneSet(Func<IServiceProvider, IModelRegistrySource?> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _pipeline.FallbackSourceFactory = factory;
        return this;
    }

    /// <summary>Reads the registry from JSON text in the seed's format: <c>{"name":{"provider":"...","model_id":"..."}}</c>.</summary>
    /// <param name="json">The registry JSON.</param>
    public ModelRegistryBuilder FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return FromSource(_ => new JsonRegistrySource(json));
    }

    /// <summary>
    /// Reads the registry from a configuration section (default <c>ModelRegistry:Models</c>) with the JSON form's keys.
    /// This is the source used when none is set.
    /// </summary>
    /// <param name="sectionPath">The section holding one child per model.</param>
    /// <param name="configuration">The configuration; defaults to the application's <see cref="IConfiguration"/>.</param>
    public ModelRegistryBuilder FromConfiguration(string sectionPath = ServiceCollectionExtensions.DefaultSection, IConfiguration? configuration = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sectionPath);
        return FromSource(sp => new ConfigurationRegistrySource(
            configuration ?? sp.GetService<IConfiguration>() ?? throw new ModelRegistryException(
                "FromConfiguration() needs an IConfiguration: register one (a host does), or pass it to FromConfiguration(section, configuration)."),
            sectionPath));
    }

    /// <summary>Adds a step to the pipeline around every registry client (OpenTelemetry, logging, function invocation...).</summary>
    /// <param name="configure">Adds steps to the builder, e.g. <c>b => b.UseOpenTelemetry()</c>.</param>
    public ModelRegistryBuilder ConfigurePipeline(Action<ChatClientBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _pipeline.Steps.Add((builder, _) => configure(builder));
        return this;
    }

    /// <summary>Adds a step to the pipeline around every registry client, knowing the entry it wraps.</summary>
    /// <param name="configure">Adds steps to the builder for the entry.</param>
    public ModelRegistryBuilder ConfigurePipeline(Action<ChatClientBuilder, ModelEntry> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _pipeline.Steps.Add(configure);
        return this;
    }

    /// <summary>
    /// Wraps each entry's client, inside fallback and the user pipeline and outside the entry's guard (access, limits,
    /// circuit breaker), so the wrapper sees every attempt on the entry that made it, including the attempts the guard
    /// refuses before any HTTP. Middleware packages use it (EMF metrics write one line per attempted entry).
    /// </summary>
    /// <param name="wrap">Returns the client that wraps the provider client of the entry.</param>
    public ModelRegistryBuilder WrapProviderClients(Func<IChatClient, ModelEntry, IServiceProvider, IChatClient> wrap)
    {
        ArgumentNullException.ThrowIfNull(wrap);
        _pipeline.ProviderWrappers.Add(wrap);
        return this;
    }

    /// <summary>Configures the registry's options.</summary>
    /// <param name="configure">Sets options.</param>
    public ModelRegistryBuilder Configure(Action<ModelRegistryOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure(configure);
        return this;
    }
}
