using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ModelRegistry.Emf.Internal;

/// <summary>What both <c>UseEmfMetrics</c> overloads share: validating options up front, and building a client from services.</summary>
internal static class EmfServices
{
    public const string LoggerCategory = "ModelRegistry.Emf";

    public static EmfSettings CreateSettings(Action<EmfMetricsOptions>? configure, Providers.EnvironmentProvider environment)
    {
        var options = new EmfMetricsOptions(environment);
        configure?.Invoke(options);
        return EmfSettings.Create(options);
    }

    public static EmfChatClient CreateClient(IChatClient inner, EmfSettings settings, ModelEntry? entry, IServiceProvider services) =>
        new(inner,
            settings,
            entry,
            services.GetService<TimeProvider>(),
            services.GetService<ILoggerFactory>()?.CreateLogger(LoggerCategory),
            services.GetService<EmfSink>());
}
