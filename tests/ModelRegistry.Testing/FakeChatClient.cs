using Microsoft.Extensions.AI;

namespace ModelRegistry.Testing;

/// <summary>Answers "entry-name/model-id", and streams it in two updates.</summary>
public sealed class FakeChatClient(ModelEntry entry) : IChatClient
{
    /// <summary>The entry the client serves.</summary>
    public ModelEntry Entry => entry;

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, $"{entry.Name}/{entry.ModelId}")) { ModelId = entry.ModelId });

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        yield return new ChatResponseUpdate(ChatRole.Assistant, entry.Name);
        yield return new ChatResponseUpdate(ChatRole.Assistant, "/" + entry.ModelId);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
