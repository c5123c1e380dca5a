using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace ModelRegistry.Conversations.Tests;

/// <summary>
/// The model behind one test entry: records what each call was sent, answers "name: last user text" unless told
/// otherwise, and, when <see cref="Stateful"/>, keeps server-side conversations the way a stateful provider does (answers
/// with a ConversationId, continues one it knows, 404 for one it does not).
/// </summary>
internal sealed class ScriptedModel(string name) : IChatClient
{
    private readonly ConcurrentDictionary<string, List<ChatMessage>> _serverConversations = new();
    private int _conversationsStarted;

    public string Name => name;

    /// <summary>What each call was sent: the messages and the options' ConversationId.</summary>
    public ConcurrentQueue<(ChatMessage[] Messages, string? ConversationId)> Calls { get; } = new();

    /// <summary>Replaces the answer; may throw to fail the call.</summary>
    public Func<IReadOnlyList<ChatMessage>, Task<ChatResponse>>? Answer { get; set; }

    public bool Stateful { get; init; }

    /// <summary>Forgets the server-side conversations, as a provider that expired them.</summary>
    public void ForgetServerConversations() => _serverConversations.Clear();

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ChatMessage[] sent = [.. messages];
        Calls.Enqueue((sent, options?.ConversationId));
        List<ChatMessage> context = [.. sent];
        string? serverId = null;
        if (Stateful)
        {
            if (options?.ConversationId is { } id)
            {
                if (!_serverConversations.TryGetValue(id, out var known))
                {
                    throw new ModelProviderException($"conversation {id} not found", "scripted") { StatusCode = 404 };
                }

                context = [.. known, .. sent];
                serverId = id;
            }
            else
            {
                serverId = $"{name}-conv-{Interlocked.Increment(ref _conversationsStarted)}";
            }
        }

        var response = Answer is { } answer
            ? await answer(context)
            : new ChatResponse(new ChatMessage(ChatRole.Assistant, $"{name}: {context.LastOrDefault(m => m.Role == ChatRole.User)?.Text}"));
        if (serverId is not null)
        {
            _serverConversations[serverId] = [.. context, .. response.Messages];
            response.ConversationId = serverId;
        }

        return response;
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            await Task.Yield();
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
