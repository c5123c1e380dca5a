using Microsoft.Extensions.AI;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using ModelRegistry.Providers;
using ModelRegistry.Testing.TestWire;

namespace ModelRegistry.Testing;

/// <summary>
/// The provider <c>testwire</c>: a deliberately small HTTP wire of the test kit's own, built only on the provider kit,
/// so registry tests speak real HTTP to the <see cref="ReplayServer"/> and the conformance suite proves that a third
/// provider gets every case by subclassing. Register it with <c>AddTestWire()</c>.
/// </summary>
/// <remarks>
/// <para>Entry keys: <c>endpoint</c> (an http(s) URL, e.g. the replay server's) and <c>api_key</c> (a secret reference,
/// sent as <c>Authorization: Bearer</c>; without one, the variable <c>TESTWIRE_API_KEY</c>, else no header).</para>
/// <para>The wire, every path under <c>{endpoint}v1/models/{model}</c> (the model id one encoded segment):</para>
/// <list type="bullet">
/// <item><c>POST …/chat</c> with <c>{"system", "messages": [{"role": "user|assistant|tool", "content": [block…]}],
/// "tools": [{"name", "description", "parameters"}], "tool_choice": "auto|required|none"|{"name"},
/// "response_format": {"type": "json_schema", "name", "description", "schema", "strict"}|{"type": "json"},
/// "reasoning": {"effort"}, "max_tokens", "temperature", "top_p", "stop"}</c>; blocks are
/// <c>{"type": "text", "text"}</c>, <c>{"type": "image"|"document", "media_type", "name", "data"}</c> (base64),
/// <c>{"type": "reasoning", "text", "signature"}</c>, <c>{"type": "tool_call", "id", "name", "arguments"}</c> and
/// <c>{"type": "tool_result", "id", "result"}</c>. It answers <c>{"id", "model", "content": [block…], "finish":
/// "stop|length|tool_calls|content_filter", "usage": {"input", "output", "cache_read", "cache_write"}}</c>, where
/// <c>input</c> counts cached tokens too.</item>
/// <item><c>POST …/stream</c>, the same body, answers server-sent events: <c>start</c> <c>{"id", "model"}</c>, then
/// <c>text</c>, <c>reasoning</c> and <c>tool_call</c> events holding one block each, and last <c>done</c>
/// <c>{"finish", "usage"}</c>. A stream that ends without <c>done</c> was cut short.</item>
/// <item><c>POST …/count</c>, the same body, answers <c>{"input_tokens"}</c>.</item>
/// <item><c>POST …/embed</c> with <c>{"input": [text…]}</c> answers <c>{"embeddings": [[number…]…], "usage": {"input"}}</c>.</item>
/// <item><c>GET …</c> (the health probe) answers <c>{"id", "status": "available"}</c> for a model that can be called.</item>
/// <item>Errors: any non-2xx status with <c>{"error": {"type", "message"}}</c>, classified by the kit.</item>
/// </list>
/// </remarks>
/// <param name="options">The defaults set with <c>AddTestWire(options =&gt; ...)</c>.</param>
public sealed class TestWireProvider(IOptions<TestWireClientOptions> options) : IChatClientProvider
{
    /// <summary>The provider name entries use: <c>testwire</c>.</summary>
    public const string ProviderName = "testwire";

    /// <inheritdoc />
    public string Name => ProviderName;

    /// <inheritdoc />
    public IReadOnlyList<EntrySetting> Settings => TestWireSettings.All;

    /// <summary>Everything the kit names: testwire is the suite's reference provider.</summary>
    public ProviderFeatures Features => ProviderFeatures.Tools | ProviderFeatures.StructuredOutput | ProviderFeatures.Reasoning
        | ProviderFeatures.Images | ProviderFeatures.Documents | ProviderFeatures.Embeddings | ProviderFeatures.TokenCounting
        | ProviderFeatures.PromptCacheUsage;

    /// <inheritdoc />
    public IChatClient CreateChatClient(ModelEntry entry, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new TestWireChatClient(TestWireConnection.ForEntry(entry, services, options.Value), entry.ModelId);
    }

    /// <inheritdoc />
    public IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(ModelEntry entry, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new TestWireEmbeddingGenerator(TestWireConnection.ForEntry(entry, services, options.Value), entry.ModelId);
    }

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(ModelEntry entry, IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return TestWireHealthProbe.CheckAsync(TestWireConnection.ForEntry(entry, services, options.Value), entry.ModelId, cancellationToken);
    }
}
