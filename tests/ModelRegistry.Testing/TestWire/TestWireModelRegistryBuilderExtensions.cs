using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Testing;
using ModelRegistry.Testing.TestWire;

namespace ModelRegistry;

/// <summary>Adds the testwire provider (a small HTTP wire of the test kit's own) to a model registry.</summary>
public static class TestWireModelRegistryBuilderExtensions
{
    /// <summary>
    /// Registers the provider <c>testwire</c> and its named HttpClient; entries with <c>"provider": "testwire"</c> use it.
    /// </summary>
    /// <param name="builder">The registry builder.</param>
    /// <param name="configure">Sets defaults every testwire entry starts from (endpoint, key); an entry's settings override them.</param>
    /// <returns>The builder.</returns>
    public static ModelRegistryBuilder AddTestWire(this ModelRegistryBuilder builder, Action<TestWireClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }

        builder.AddProvider<TestWireProvider>(TestWireConnection.Protocol);

        // IHttpClientFactory's own handlers log every request's headers at Trace level, the bearer key included; with
        // RedactLoggedHeaders the message says "*" but the entry's structured state (what JSON and OpenTelemetry log
        // exporters write) still holds the value. The conformance suite's secrets canary found it; the kit's AddProvider
        // should drop those loggers for every provider (the transport logs failures itself). Until it does, testwire does.
        builder.Services.AddHttpClient(TestWireConnection.Protocol.HttpClientName!).RemoveAllLoggers();
        return builder;
    }
}
