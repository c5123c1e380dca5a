using Microsoft.Extensions.AI;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelRegistry.Testing.TestWire;

namespace ModelRegistry.Testing;

/// <summary>
/// Direct use of the testwire provider, in the shape every provider has: <c>new TestWireClient(options)</c>, then
/// <see cref="AsIChatClient"/>, <see cref="AsIEmbeddingGenerator"/> and <see cref="CheckHealthAsync"/>.
/// </summary>
public sealed class TestWireClient
{
    private readonly TestWireConnection _connection;

    /// <summary>Creates a client; does no I/O.</summary>
    /// <param name="options">Endpoint, key, HttpClient, resilience, clock...; <see langword="null"/> for the defaults.</param>
    public TestWireClient(TestWireClientOptions? options = null)
    {
        _connection = TestWireConnection.ForClient(options ?? new TestWireClientOptions());
    }

    /// <summary>A chat client for a model.</summary>
    /// <param name="modelId">The model id, sent as one path segment.</param>
    public IChatClient AsIChatClient(string modelId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        return new TestWireChatClient(_connection, modelId);
    }

    /// <summary>An embedding generator for a model.</summary>
    /// <param name="modelId">The model id, sent as one path segment.</param>
    public IEmbeddingGenerator<string, Embedding<float>> AsIEmbeddingGenerator(string modelId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        return new TestWireEmbeddingGenerator(_connection, modelId);
    }

    /// <summary>Checks, without spending tokens, that a model can be called; never throws for an unhealthy model.</summary>
    /// <param name="modelId">The model id.</param>
    /// <param name="cancellationToken">Cancels the probe.</param>
    public Task<HealthCheckResult> CheckHealthAsync(string modelId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        return TestWireHealthProbe.CheckAsync(_connection, modelId, cancellationToken);
    }
}
