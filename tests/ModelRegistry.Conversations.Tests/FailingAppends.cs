using Microsoft.Extensions.AI;

namespace ModelRegistry.Conversations.Tests;

/// <summary>A store whose appends fail (as a store that went down after the model answered) while <see cref="Fail"/> is set.</summary>
internal sealed class FailingAppends(IConversationStore inner) : IConversationStore
{
    public bool Fail { get; set; }

    public Task<Conversation> AppendAsync(string conversationId, int expectedMessageCount, IReadOnlyList<ChatMessage> messages, string? providerState, CancellationToken cancellationToken = default) =>
        Fail ? throw new InvalidOperationException("disk full") : inner.AppendAsync(conversationId, expectedMessageCount, messages, providerState, cancellationToken);

    public Task InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);

    public Task<Conversation> CreateAsync(Conversation conversation, IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken = default) => inner.CreateAsync(conversation, messages, cancellationToken);

    public Task<Conversation?> GetAsync(string conversationId, CancellationToken cancellationToken = default) => inner.GetAsync(conversationId, cancellationToken);

    public Task<IReadOnlyList<Conversation>> ListAsync(string? ownerId, int offset, int limit, CancellationToken cancellationToken = default) => inner.ListAsync(ownerId, offset, limit, cancellationToken);

    public Task<IReadOnlyList<ChatMessage>> GetMessagesAsync(string conversationId, CancellationToken cancellationToken = default) => inner.GetMessagesAsync(conversationId, cancellationToken);

    public Task<bool> ArchiveAsync(string conversationId, CancellationToken cancellationToken = default) => inner.ArchiveAsync(conversationId, cancellationToken);

    public Task<bool> DeleteAsync(string conversationId, CancellationToken cancellationToken = default) => inner.DeleteAsync(conversationId, cancellationToken);

    public Task<ConversationAgent> SaveAgentAsync(ConversationAgent agent, CancellationToken cancellationToken = default) => inner.SaveAgentAsync(agent, cancellationToken);

    public Task<ConversationAgent?> GetAgentAsync(string agentId, CancellationToken cancellationToken = default) => inner.GetAgentAsync(agentId, cancellationToken);

    public Task<IReadOnlyList<ConversationAgent>> ListAgentsAsync(int offset, int limit, CancellationToken cancellationToken = default) => inner.ListAgentsAsync(offset, limit, cancellationToken);

    public Task<bool> DeleteAgentAsync(string agentId, CancellationToken cancellationToken = default) => inner.DeleteAgentAsync(agentId, cancellationToken);
}
