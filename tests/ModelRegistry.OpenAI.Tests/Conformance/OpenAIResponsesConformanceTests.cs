using Microsoft.Extensions.Logging;
using ModelRegistry.Emf;
using ModelRegistry.Testing;

namespace ModelRegistry.OpenAI.Tests.Conformance;

/// <summary>
/// The OpenAI provider passes the provider conformance suite on the Responses API too (entry setting
/// <c>api: responses</c>). Unlike Chat Completions, this wire reports cache writes (Mantle's
/// <c>input_tokens_details.cache_write_tokens</c>) and takes encrypted reasoning back.
/// </summary>
[TestFixture]
public sealed class OpenAIResponsesConformanceTests : ProviderConformanceTests
{
    protected override IReadOnlyDictionary<string, string?> EnvironmentVariables { get; } =
        new Dictionary<string, string?> { ["OPENAI_API_KEY"] = "sk-test-openai-conformance" };

    protected override void AddProvider(ModelRegistryBuilder builder) => builder.AddOpenAI();

    protected override ConformanceEntry CreateEntry(Uri endpoint) =>
        new("openai", OpenAIWireFixtures.ModelId)
        {
            Settings = new Dictionary<string, string> { ["endpoint"] = new Uri(endpoint, "v1").ToString(), ["api"] = "responses" },
            EmbeddingModelId = OpenAIWireFixtures.EmbeddingModelId,
        };

    protected override ProviderWireFixtures CreateWireFixtures() => new OpenAIResponsesWireFixtures();

    protected override void UseEmfMetrics(ModelRegistryBuilder builder, ILogger lines) => builder.UseEmfMetrics(o => o.Sink = EmfSink.ToLogger(lines));
}
