using Microsoft.Extensions.AI;

namespace ModelRegistry.Testing;

/// <summary>A provider for registry tests (name <c>fake</c>): each client answers "entry-name/model-id"; counts the clients it builds.</summary>
public sealed class FakeProvider : IChatClientProvider
{
    private int _built;

    /// <inheritdoc />
    public string Name => "fake";

    /// <summary>How many clients it has built.</summary>
    public int Built => Volatile.Read(ref _built);

    public IChatClient CreateChatClient(ModelEntry entry, IServiceProvider services)
    {
        Interlocked.Increment(ref _built);
        Thread.Yield(); // widen the window a racy cache would lose in
        return new FakeChatClient(entry);
    }
}
