using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace ModelRegistry.Benchmarks.Infrastructure;

/// <summary>
/// A provider stand-in that answers at once, with no I/O: a fresh response carrying usage, or three updates of which
/// the last carries usage. Benchmarks of middleware and registry plumbing put it innermost, so what they measure is
/// the plumbing alone.
/// </summary>
internal sealed class AnsweringChatClient : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "hello"))
        {
            ResponseId = "resp-1",
            ModelId = "model-v1",
            FinishReason = ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = 1200, OutputTokenCount = 34, CachedInputTokenCount = 1000 },
        });

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask;
        yield return new ChatResponseUpdate(ChatRole.Assistant, "Hel") { ResponseId = "resp-1", ModelId = "model-v1" };
        yield return new ChatResponseUpdate(ChatRole.Assistant, "lo");
        yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails { InputTokenCount = 1200, OutputTokenCount = 34 })])
        {
            FinishReason = ChatFinishReason.Stop,
        };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
