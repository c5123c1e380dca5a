using Microsoft.Extensions.AI;

namespace ModelRegistry.ParameterStore.Tests.Support;

/// <summary>A provider for registry tests: each client answers "entry-name/model-id"; counts the clients it builds.</summary>
internal sealed class FakeProvider : IChatClientProvider
{
    private int _built;

    public string Name => "fake";

    public int Built => Volatile.Read(ref _built);

    public IChatClient CreateChatClient(ModelEntry entry, IServiceProvider services)
    {
        Interlocked.Increment(ref _built);
        return new FakeChatClient(entry);
    }

    private sealed class FakeChatClient(ModelEntry entry) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, $"{entry.Name}/{entry.ModelId}")));

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
