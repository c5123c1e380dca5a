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

        return builder.AddProvider<TestWireProvider>(TestWireConnection.Protocol);
    }
}
