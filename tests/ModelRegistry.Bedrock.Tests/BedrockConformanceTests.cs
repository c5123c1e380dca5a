using Microsoft.Extensions.Logging;
using ModelRegistry.Bedrock.Tests.Support;
using ModelRegistry.Emf;
using ModelRegistry.Testing;

namespace ModelRegistry.Bedrock.Tests;

/// <summary>
/// Bedrock passes the provider conformance suite: a Claude entry in us-east-1 signed with fake SigV4 credentials (the
/// secrets case adds an <c>api_key</c> reference, which then authenticates instead), a Titan embeddings entry, and the
/// runtime and control plane both at the suite's replay server. It runs twice: with native structured output, and with
/// the entry's <c>structured_output</c> set to <c>tool</c>, the forced tool of every family without native support.
/// </summary>
/// <param name="forcedToolOutput">Whether the entry asks for structured output through a forced tool.</param>
[TestFixture(false)]
[TestFixture(true)]
public sealed class BedrockConformanceTests(bool forcedToolOutput) : ProviderConformanceTests
{
    protected override void AddProvider(ModelRegistryBuilder builder) => builder.AddBedrock(o => o.Credentials = TestClients.FakeCredentials);

    protected override ConformanceEntry CreateEntry(Uri endpoint) => new("bedrock", BedrockWireFixtures.ChatModel)
    {
        Settings = new Dictionary<string, string>
        {
            ["region"] = "us-east-1",
            ["endpoint"] = endpoint.ToString(),
            ["control_plane_endpoint"] = endpoint.ToString(),
            ["structured_output"] = forcedToolOutput ? "tool" : "auto",
        },
        EmbeddingModelId = BedrockWireFixtures.EmbeddingModel,
    };

    protected override ProviderWireFixtures CreateWireFixtures() => new BedrockWireFixtures(forcedToolOutput);

    protected override void UseEmfMetrics(ModelRegistryBuilder builder, ILogger lines) => builder.UseEmfMetrics(o => o.Sink = EmfSink.ToLogger(lines));
}
