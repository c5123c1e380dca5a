using Microsoft.Extensions.AI;

namespace ModelRegistry.Conversations.Internal;

/// <summary>
/// The default store: conversations in process memory, lost when the process ends. Messages are kept as the same JSON
/// the PostgreSQL store writes, so both give back exactly what was appended and nothing the caller changes afterwards.
/// </summary>
internal sealed class InMemoryConversationStore(TimeProvider time) : IConversationStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (Conversation Conversation, List<string> Messages)> _conversations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ConversationAgent> _agents = new(StringComparer.Ordinal);

    public Task InitializeAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<Conversation> CreateAsync(Conversation conversation, IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        ArgumentNullException.ThrowIfNull(messages);
        var json = messages.Select(ConversationJson.Serialize).ToList();
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_conversations.ContainsKey(conversation.Id))
            {
                throw new ConversationException($"Conversation '{conversation.Id}' exists already; start a conversation with a new id.", ConversationErrorCodes.Conflict, conversation.Id);
            }

            if (conversation.AgentId is { } agent && !_agents.ContainsKey(agent))
            {
                throw new ConversationException($"Agent '{agent}' does not exist; create it first (ConversationService.SaveAgentAsync) or start the conversation without an agent.", ConversationErrorCodes.NotFound, conversation.Id);
            }

            var stored = conversation with { IsArchived = false, MessageCount = json.Count, CreatedAt = now, UpdatedAt = now };
            _conversations.Add(stored.Id, (stored, json));
            return Task.FromResult(stored);
        }
    }

    public Task<Conversation?> GetAsync(string conversationId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_conversations.TryGetValue(conversationId, out var found) ? found.Conversation : null);
        }
    }

    public Task<IReadOnlyList<Conversation>> ListAsync(string? ownerId, int offset, int limit, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<Conversation> page = [.. _conversations.Values
                .Select(c => c.Conversation)
                .Where(c => ownerId is null || string.Equals(c.OwnerId, ownerId, StringComparison.Ordinal))
                .OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id, StringComparer.Ordinal)
                .Skip(offset).Take(limit)];
            return Task.FromResult(page);
        }
    }

    public Task<IReadOnlyList<ChatMessage>> GetMessagesAsync(string conversationId, CancellationToken cancellationToken = default)
    {
        string[] json;
        lock (_gate)
        {
            json = _conversations.TryGetValue(conversationId, out var found) ? [.. found.Messages] : [];
        }

        return Task.FromResult<IReadOnlyList<ChatMessage>>([.. json.Select(ConversationJson.DeserializeMessage)]);
    }

    public Task<Conversation> AppendAsync(string conversationId, int expectedMessageCount, IReadOnlyList<ChatMessage> messages, string? providerState, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var json = messages.Select(ConversationJson.Serialize).ToList();
        lock (_gate)
        {
            if (!_conversations.TryGetValue(conversationId, out var found))
            {
                throw ConversationCaller.NotFound(conversationId);
            }

            StoreErrors.CheckAppendable(found.Conversation, expectedMessageCount);
            found.Messages.AddRange(json);
            var updated = found.Conversation with { MessageCount = found.Messages.Count, UpdatedAt = time.GetUtcNow(), ProviderState = providerState };
            _conversations[conversationId] = (updated, found.Messages);
            return Task.FromResult(updated);
        }
    }

    public Task<bool> ArchiveAsync(string conversationId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_conversations.TryGetValue(conversationId, out var found))
            {
                return Task.FromResult(false);
            }

            _conversations[conversationId] = (found.Conversation with { IsArchived = true, UpdatedAt = time.GetUtcNow() }, found.Messages);
            return Task.FromResult(true);
        }
    }

    public Task<bool> DeleteAsync(string conversationId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_conversations.Remove(conversationId));
        }
    }

    public Task<ConversationAgent> SaveAgentAsync(ConversationAgent agent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var now = time.GetUtcNow();
        lock (_gate)
        {
            var stored = agent with { CreatedAt = _agents.TryGetValue(agent.Id, out var old) ? old.CreatedAt : now, UpdatedAt = now };
            _agents[agent.Id] = stored;
            return Task.FromResult(stored);
        }
    }

    public Task<ConversationAgent?> GetAgentAsync(string agentId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_agents.GetValueOrDefault(agentId));
        }
    }

    public Task<IReadOnlyList<ConversationAgent>> ListAgentsAsync(int offset, int limit, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<ConversationAgent> page = [.. _agents.Values.OrderBy(a => a.Id, StringComparer.Ordinal).Skip(offset).Take(limit)];
            return Task.FromResult(page);
        }
    }

    public Task<bool> DeleteAgentAsync(string agentId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_agents.Remove(agentId))
            {
                return Task.FromResult(false);
            }

            foreach (var (id, (conversation, messages)) in _conversations.Where(c => c.Value.Conversation.AgentId == agentId).ToList())
            {
                _conversations[id] = (conversation with { AgentId = null }, messages);
            }

            return Task.FromResult(true);
        }
    }
}
