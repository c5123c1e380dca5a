using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelRegistry.Emf;
using ModelRegistry.Emf.Internal;
using ModelRegistry.Providers;

namespace ModelRegistry;

/// <summary>Adds EMF metrics to every client of a model registry.</summary>
public static class EmfModelRegistryBuilderExtensions
{
    /// <summary>
    /// Writes one CloudWatch Embedded Metric Format line per attempted entry of every registry call. Each entry's client
    /// is wrapped inside fallback and the pipeline of <c>ConfigurePipeline</c>, and outside the entry's guard, so the
    /// <c>Model</c> dimension is the registry name of the entry that made the attempt, <c>Cost</c> uses that entry's
    /// prices, and the calls the guard refuses before any HTTP (open breaker, client limits, access) write their line
    /// too, counted in <c>Errors</c> (and <c>Throttles</c> for the limits) with their <c>ErrorCode</c>. The clock, the logger for warnings and, when no sink is set, the sink come from the application's
    /// services (<see cref="TimeProvider"/>, <see cref="ILoggerFactory"/>, <see cref="EmfSink"/>), else standard output.
    /// </summary>
    /// <param name="builder">The registry builder.</param>
    /// <param name="configure">
    /// Sets options; they are validated here, once (<see cref="EmfMetricsOptions.Model"/> is ignored). Their defaults are
    /// read from the <see cref="EnvironmentProvider"/> instance registered in the services so far (<c>AddModelRegistry()</c>
    /// registers the process environment unless one was registered before).
    /// </param>
    /// <returns>The builder.</returns>
    /// <exception cref="ModelRegistryException">An option is invalid; the message names it.</exception>
    public static ModelRegistryBuilder UseEmfMetrics(this ModelRegistryBuilder builder, Action<EmfMetricsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var environment = builder.Services.LastOrDefault(d => d.ServiceType == typeof(EnvironmentProvider) && !d.IsKeyedService)?.ImplementationInstance as EnvironmentProvider;
        var settings = EmfServices.CreateSettings(configure, environment ?? EnvironmentProvider.System);
        return builder.WrapProviderClients((inner, entry, services) => EmfServices.CreateClient(inner, settings, entry, services));
    }
}
