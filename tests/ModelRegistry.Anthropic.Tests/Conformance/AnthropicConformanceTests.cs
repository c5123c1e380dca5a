using Microsoft.Extensions.Logging;
using ModelRegistry.Emf;
using ModelRegistry.Testing;

namespace ModelRegistry.Anthropic.Tests.Conformance;

/// <summary>
/// Anthropic passes the provider conformance suite. Its declared differences are in the provider's Features: no
/// embeddings (the Messages API has none) and no token counting (count_tokens is not mapped).
/// </summary>
[TestFixture]
public sealed class AnthropicConformanceTests : ProviderConformanceTests
{
    protected override IReadOnlyDictionary<string, string?> EnvironmentVariables { get; } =
        new Dictionary<string, string?> { ["ANTHROPIC_API_KEY"] = "sk-test-anthropic-conformance" };

    protected override void AddProvider(ModelRegistryBuilder builder) => builder.AddAnthropic();

    protected override ConformanceEntry CreateEntry(Uri endpoint) =>
        new("anthropic", AnthropicWireFixtures.ModelId) { Settings = new Dictionary<string, string> { ["endpoint"] = endpoint.ToString() } };

    protected override ProviderWireFixtures CreateWireFixtures() => new AnthropicWireFixtures();

    protected override void UseEmfMetrics(ModelRegistryBuilder builder, ILogger lines) => builder.UseEmfMetrics(o => o.Sink = EmfSink.ToLogger(lines));
}
