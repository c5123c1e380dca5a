using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace ModelRegistry.Emf.Tests.TestSupport;

/// <summary>
/// A provider-independent inner client for the middleware: each test scripts what a call does (advance the fake
/// clock, answer, stream, throw) and the metadata it reports.
/// </summary>
internal sealed class ScriptedChatClient(ChatClientMetadata? metadata = null) : IChatClient
{
    public Func<IEnumerable<ChatMessage>, ChatOptions?, CancellationToken, Task<ChatResponse>> Respond { get; set; } =
        (_, _, _) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok")));

    public Func<IEnumerable<ChatMessage>, CancellationToken, IAsyncEnumerable<ChatResponseUpdate>> Stream { get; set; } = (_, ct) => Updates(ct);

    /// <summary>How many streams were disposed, to prove the middleware disposes the inner stream.</summary>
    public int StreamsDisposed;

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        Respond(messages, options, cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        try
        {
            await foreach (var update in Stream(messages, cancellationToken).WithCancellation(cancellationToken))
            {
                yield return update;
            }
        }
        finally
        {
            Interlocked.Increment(ref StreamsDisposed);
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? metadata
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> Updates([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        yield return new ChatResponseUpdate(ChatRole.Assistant, "ok");
    }
}
