using Microsoft.Extensions.Logging;
using ModelRegistry.Emf;
using ModelRegistry.Testing;

namespace ModelRegistry.Conformance.Tests;

/// <summary>testwire passes the provider conformance suite: a third provider gets every case by subclassing.</summary>
[TestFixture]
public sealed class TestWireConformanceTests : ProviderConformanceTests
{
    protected override void AddProvider(ModelRegistryBuilder builder) => builder.AddTestWire();

    protected override ConformanceEntry CreateEntry(Uri endpoint) =>
        new(TestWireProvider.ProviderName, "wire-large-1") { Settings = new Dictionary<string, string> { ["endpoint"] = endpoint.ToString() } };

    protected override ProviderWireFixtures CreateWireFixtures() => new TestWireFixtures();

    protected override void UseEmfMetrics(ModelRegistryBuilder builder, ILogger lines) => builder.UseEmfMetrics(o => o.Sink = EmfSink.ToLogger(lines));
}
