using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace ModelRegistry.Testing.TestWire;

/// <summary>testwire's chat client: maps MEAI calls onto the wire and sends them through the kit's transport.</summary>
internal sealed class TestWireChatClient(TestWireConnection connection, string modelId) : IChatClient, IChatTokenCounter
{
    private readonly ChatClientMetadata _metadata = new(TestWireProvider.ProviderName, connection.Endpoint, modelId);

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = await CreateRequestAsync(messages, options, "chat", stream: false, cancellationToken).ConfigureAwait(false);
        return await connection.Transport.SendAsync(request, TestWireResponseReader.Read, cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = await CreateRequestAsync(messages, options, "stream", stream: true, cancellationToken).ConfigureAwait(false);
        await foreach (var update in connection.Transport.StreamAsync(request, TestWireResponseReader.ReadStreamAsync, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    public async Task<long> CountTokensAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = await CreateRequestAsync(messages, options, "count", stream: false, cancellationToken).ConfigureAwait(false);
        return await connection.Transport.SendAsync(request, TestWireResponseReader.ReadTokenCount, cancellationToken).ConfigureAwait(false);
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
        // The transport's HttpClient belongs to the factory (or to the caller, in direct use).
    }

    private async ValueTask<Providers.ProviderRequest> CreateRequestAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options, string action, bool stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var uri = options?.ModelId is { } perCall
            ? connection.ModelUri(perCall, "ChatOptions.ModelId", action)
            : connection.ModelUri(modelId, "The entry's model_id", action);
        var body = TestWireRequestWriter.Chat(messages, options);
        return await connection.CreateRequestAsync(HttpMethod.Post, uri, body, stream, cancellationToken).ConfigureAwait(false);
    }
}
