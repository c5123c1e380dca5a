using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ModelRegistry;

/// <summary>Adds the model registry's health check.</summary>
public static class ModelRegistryHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="ModelRegistryHealthCheck"/>: each entry's token-free provider probe and circuit breaker state, in one
    /// result. Needs <c>AddModelRegistry()</c>.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name. Default <c>model-registry</c>.</param>
    /// <param name="models">The registry names to probe; <see langword="null"/> for every entry.</param>
    /// <param name="failureStatus">The status reported when no model is available; default unhealthy.</param>
    /// <param name="tags">Tags to filter checks by, e.g. <c>ready</c>.</param>
    public static IHealthChecksBuilder AddModelRegistry(
        this IHealthChecksBuilder builder,
        string name = "model-registry",
        IReadOnlyCollection<string>? models = null,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        // One instance per registration and application, so its probe cache outlives each run of the check.
        builder.Services.AddKeyedSingleton(name, (sp, _) =>
            new ModelRegistryHealthCheck(sp.GetRequiredService<IModelRegistry>(), sp, sp.GetService<TimeProvider>() ?? TimeProvider.System, models));
        return builder.Add(new HealthCheckRegistration(name, sp => sp.GetRequiredKeyedService<ModelRegistryHealthCheck>(name), failureStatus, tags));
    }
}
