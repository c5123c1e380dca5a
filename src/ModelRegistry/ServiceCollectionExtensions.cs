using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ModelRegistry.Internal;
using ModelRegistry.Providers;

namespace ModelRegistry;

/// <summary>Adds the model registry to a service collection.</summary>
public static class ServiceCollectionExtensions
{
    internal const string DefaultSection = "ModelRegistry:Models";

    /// <summary>
    /// Adds the registry: <see cref="IModelRegistry"/>, the default <see cref="IChatClient"/> (the <c>DEFAULT_MODEL</c>
    /// entry), a keyed <see cref="IChatClient"/> and a keyed embedding generator for every registry name. Resolving any of them does no I/O; the
    /// registry loads on the first call. Calling it again returns a builder over the same registry.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets <see cref="ModelRegistryOptions"/>.</param>
    /// <returns>The builder on which providers (<c>AddBedrock()</c>) and pipeline steps hang.</returns>
    public static ModelRegistryBuilder AddModelRegistry(this IServiceCollection services, Action<ModelRegistryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var pipeline = services.FirstOrDefault(d => d.ServiceType == typeof(RegistryPipeline))?.ImplementationInstance as RegistryPipeline;
        if (pipeline is null)
        {
            pipeline = new RegistryPipeline();
            services.AddSingleton(pipeline);
            services.AddOptions();
            services.TryAddSingleton(TimeProvider.System);
            services.TryAddSingleton(EnvironmentProvider.System);
            // Factories, not types: DI builds a constructor's call site by reflection once per container, which every
            // new container's first call paid for (the same instances either way).
            services.TryAddSingleton(static _ => new SecretRedactor());
            services.TryAddSingleton<ISecretResolver>(static sp => new SecretResolver(sp.GetServices<ISecretSource>(), sp.GetRequiredService<SecretRedactor>()));
            services.TryAddSingleton<IRateLimitStore>(static sp => new InMemoryRateLimitStore(sp.GetRequiredService<TimeProvider>()));
            services.TryAddEnumerable(ServiceDescriptor.Singleton<ISecretSource, EnvironmentSecretSource>(static sp => new EnvironmentSecretSource(sp.GetRequiredService<EnvironmentProvider>())));
            services.TryAddSingleton(sp => new ModelRegistryService(
                sp, pipeline, sp.GetRequiredService<IOptions<ModelRegistryOptions>>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IRateLimitStore>()));
            services.TryAddSingleton<IModelRegistry>(sp => sp.GetRequiredService<ModelRegistryService>());
            services.TryAddSingleton<IChatClient>(sp => sp.GetRequiredService<IModelRegistry>().GetChatClient());
            services.TryAddKeyedSingleton<IChatClient>(KeyedService.AnyKey, static (sp, key) => key switch
            {
                string name => sp.GetRequiredService<IModelRegistry>().GetChatClient(name),
                _ => throw new ModelRegistryException(
                    $"A keyed IChatClient from the model registry needs a registry name as its key, but the key is {key?.GetType().Name ?? "null"}."),
            });
            services.TryAddKeyedSingleton<IEmbeddingGenerator<string, Embedding<float>>>(KeyedService.AnyKey, static (sp, key) => key switch
            {
                string name => sp.GetRequiredService<IModelRegistry>().GetEmbeddingGenerator(name),
                _ => throw new ModelRegistryException(
                    $"A keyed embedding generator from the model registry needs a registry name as its key, but the key is {key?.GetType().Name ?? "null"}."),
            });
        }

        if (configure is not null)
        {
            services.Configure(configure);
        }

        return new ModelRegistryBuilder(services, pipeline);
    }
}
