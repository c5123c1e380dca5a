using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelRegistry.ParameterStore;
using ModelRegistry.ParameterStore.Internal;
using ModelRegistry.Providers;

namespace ModelRegistry;

/// <summary>Reads the model registry and secrets from AWS SSM Parameter Store.</summary>
public static class ParameterStoreModelRegistryBuilderExtensions
{
    /// <summary>The configuration keys (and environment variable) naming the registry parameter, in the order read.</summary>
    internal static readonly string[] ModelsParameterKeys = ["ModelRegistry:ModelsParameter", "MODELS_PARAMETER"];

    /// <summary>
    /// Adds Parameter Store: <c>ssm:/path</c> secret references resolve to the parameter's decrypted value, and when the
    /// app sets no registry source in code, the registry comes from the SSM parameter named by <c>MODELS_PARAMETER</c>
    /// (configuration or environment; also <c>ModelRegistry:ModelsParameter</c>); without it, from configuration as usual.
    /// Unless <c>ModelRegistryOptions.RefreshInterval</c> is set, the registry refreshes every
    /// <see cref="ParameterStoreOptions.RefreshInterval"/> (default five minutes).
    /// Nothing is read before the first call.
    /// </summary>
    /// <param name="builder">The registry builder from <c>AddModelRegistry()</c>.</param>
    /// <param name="configure">Sets the transport, region, endpoint or credentials.</param>
    public static ModelRegistryBuilder AddParameterStore(this ModelRegistryBuilder builder, Action<ParameterStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (configure is not null)
        {
            services.Configure(configure);
        }

        if (services.Any(d => d.ServiceType == typeof(ParameterStoreClient)))
        {
            return builder;
        }

        services.AddOptions<ParameterStoreOptions>();
        services.AddHttpClient(ExtensionTransport.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .RedactLoggedHeaders(_ => true); // the extension's token header is the session token
        services.TryAddSingleton<ParameterStoreClient>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISecretSource, ParameterStoreSecretSource>());
        services.AddOptions<ModelRegistryOptions>().PostConfigure<IOptions<ParameterStoreOptions>>(
            (registry, parameterStore) => registry.RefreshInterval ??= parameterStore.Value.RefreshInterval);
        return builder.FromSourceWhenNoneSet(sp => ModelsParameter(sp) is { } name ? CreateSource(sp, name) : null);
    }

    /// <summary>
    /// Reads the registry from an SSM parameter holding registry JSON in the seed's format, e.g. the one Terraform renders:
    /// <c>FromParameterStore("/terraform-pr-agent/models")</c>. Also does what <see cref="AddParameterStore"/> does.
    /// </summary>
    /// <param name="builder">The registry builder from <c>AddModelRegistry()</c>.</param>
    /// <param name="parameterName">The parameter's name (or ARN); <c>name:version</c> or <c>name:label</c> pins a version.</param>
    /// <param name="configure">Sets the transport, region, endpoint or credentials.</param>
    public static ModelRegistryBuilder FromParameterStore(this ModelRegistryBuilder builder, string parameterName, Action<ParameterStoreOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(parameterName);
        return builder.AddParameterStore(configure).FromSource(sp => CreateSource(sp, parameterName.Trim()));
    }

    private static ParameterStoreRegistrySource CreateSource(IServiceProvider services, string parameterName) =>
        new(parameterName, services.GetRequiredService<ParameterStoreClient>(), services.GetService<ILoggerFactory>()?.CreateLogger("ModelRegistry.ParameterStore"));

    private static string? ModelsParameter(IServiceProvider services)
    {
        var configuration = services.GetService<IConfiguration>();
        var environment = services.GetService<EnvironmentProvider>() ?? EnvironmentProvider.System;
        foreach (var key in ModelsParameterKeys)
        {
            if (configuration?[key] is { } configured && !string.IsNullOrWhiteSpace(configured))
            {
                return configured.Trim();
            }
        }

        return environment.Get("MODELS_PARAMETER");
    }
}
