using Microsoft.Extensions.Logging;
using ModelRegistry.Emf;
using ModelRegistry.Testing;

namespace ModelRegistry.OpenAI.Tests.Conformance;

/// <summary>
/// The OpenAI provider passes the provider conformance suite. Its declared differences are in the provider's Features
/// (no token counting endpoint) and <see cref="ReportsCacheWrites"/>: Chat Completions
/// usage reports cached prompt tokens read, never written.
/// </summary>
[TestFixture]
public sealed class OpenAIConformanceTests : ProviderConformanceTests
{
    protected override IReadOnlyDictionary<string, string?> EnvironmentVariables { get; } =
        new Dictionary<string, string?> { ["OPENAI_API_KEY"] = "sk-test-openai-conformance" };

    protected override bool ReportsCacheWrites => false;

    protected override void AddProvider(ModelRegistryBuilder builder) => builder.AddOpenAI();

    protected override ConformanceEntry CreateEntry(Uri endpoint) =>
        new("openai", OpenAIWireFixtures.ModelId)
        {
            Settings = new Dictionary<string, string> { ["endpoint"] = new Uri(endpoint, "v1").ToString() },
            EmbeddingModelId = OpenAIWireFixtures.EmbeddingModelId,
        };

    protected override ProviderWireFixtures CreateWireFixtures() => new OpenAIWireFixtures();

    protected override void UseEmfMetrics(ModelRegistryBuilder builder, ILogger lines) => builder.UseEmfMetrics(o => o.Sink = EmfSink.ToLogger(lines));
}
