using Microsoft.Extensions.AI;

namespace ModelRegistry.Tests;

/// <summary>A provider for registry tests: answers with the entry's name and counts what it builds.</summary>
internal sealed class FakeProvider : IChatClientProvider
{
    private int _built;

    public string Name => "fake";

    public int Built => Volatile.Read(ref _built);

    public IChatClient CreateChatClient(ModelEntry entry, IServiceProvider services)
    {
        Interlocked.Increment(ref _built);
        Thread.Yield(); // widen the window a racy cache would lose in
        return new FakeChatClient(entry);
    }
}

/// <summary>Answers "entry-name/model-id" and streams it in two updates.</summary>
internal sealed class FakeChatClient(ModelEntry entry) : IChatClient
{
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

/// <summary>A source that counts its loads and serves whatever JSON the test sets, or fails when told to.</summary>
internal sealed class CountingSource(string json) : IModelRegistrySource
{
    private int _loads;

    public string Json { get; set; } = json;

    public Exception? Failure { get; set; }

    public int Loads => Volatile.Read(ref _loads);

    public string Description => "the test source";

    public async ValueTask<IReadOnlyList<ModelEntry>> LoadAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _loads);
        await Task.Yield();
        if (Failure is { } failure)
        {
            throw failure;
        }

        return Internal.RegistryParser.Parse(Json, Description);
    }
}
