using Microsoft.Extensions.Logging;
using ModelRegistry.Emf;
using ModelRegistry.Testing;

namespace ModelRegistry.Mistral.Tests.Conformance;

/// <summary>
/// Mistral passes the provider conformance suite. Its declared differences are in the provider's Features (no token
/// counting endpoint) and <see cref="ReportsCacheWrites"/>: Mistral's usage reports cached prompt tokens read, never written.
/// </summary>
[TestFixture]
public sealed class MistralConformanceTests : ProviderConformanceTests
{
    protected override IReadOnlyDictionary<string, string?> EnvironmentVariables { get; } =
        new Dictionary<string, string?> { ["MISTRAL_API_KEY"] = "sk-test-mistral-conformance" };

    protected override bool ReportsCacheWrites => false;

    protected override void AddProvider(ModelRegistryBuilder builder) => builder.AddMistral();

    protected override ConformanceEntry CreateEntry(Uri endpoint) =>
        new("mistral", MistralWireFixtures.ModelId)
        {
            Settings = new Dictionary<string, string> { ["endpoint"] = endpoint.ToString() },
            EmbeddingModelId = MistralWireFixtures.EmbeddingModelId,
        };

    protected override ProviderWireFixtures CreateWireFixtures() => new MistralWireFixtures();

    protected override void UseEmfMetrics(ModelRegistryBuilder builder, ILogger lines) => builder.UseEmfMetrics(o => o.Sink = EmfSink.ToLogger(lines));
}
