using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelRegistry;
using ModelRegistry.Providers;
using ModelRegistry.Emf;
using ModelRegistry.Emf.Internal;

namespace Microsoft.Extensions.AI;

/// <summary>Adds <see cref="EmfChatClient"/> to a <see cref="ChatClientBuilder"/> pipeline.</summary>
public static class EmfChatClientBuilderExtensions
{
    /// <summary>
    /// Writes one CloudWatch Embedded Metric Format line per call of the client built so far. The <c>Model</c>
    /// dimension is <see cref="EmfMetricsOptions.Model"/>, else the inner client's <c>ChatClientMetadata.DefaultModelId</c>.
    /// The clock, the logger for warnings and, when no sink is set, the sink come from the builder's services
    /// (<see cref="TimeProvider"/>, <see cref="ILoggerFactory"/>, <see cref="EmfSink"/>), else the system clock, no
    /// logger and standard output.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets options (defaults from the process environment); they are validated here, once.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ModelRegistryException">An option is invalid; the message names it.</exception>
    public static ChatClientBuilder UseEmfMetrics(this ChatClientBuilder builder, Action<EmfMetricsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = EmfServices.CreateSettings(configure, EnvironmentProvider.System);
        return builder.Use((inner, services) => EmfServices.CreateClient(inner, settings, entry: null, services));
    }
}
