using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.AI;

namespace ModelRegistry.Conversations;

/// <summary>
/// Where conversations and their messages live: in process memory (the default) or PostgreSQL
/// (<see cref="ConversationOptions.PostgreSqlConnectionString"/>). Plain storage: who may do what is checked before a
/// store is called (<see cref="ConversationService"/> and the <c>UseConversations()</c> middleware), so an implementation
/// only stores. Register your own as a singleton <see cref="IConversationStore"/> before <c>UseConversations()</c>.
/// </summary>
/// <remarks>
/// A conversation's version is its <see cref="Conversation.MessageCount"/>: <see cref="AppendAsync"/> succeeds only when
/// the count is still the one the caller read, atomically, so concurrent appends never interleave or get lost.
/// Failures other than the <see cref="ConversationException"/>s documented here may be any exception; callers wrap them
/// into <see cref="ConversationErrorCodes.StoreUnavailable"/>.
/// <para>
/// Experimental (<c>MR0001</c>): this interface is new and only this package implements it so far; a member may be
/// added in a minor version, which would break an implementation of yours. Suppress <c>MR0001</c> to implement or call it.
/// </para>
/// </remarks>
[Experimental("MR0001")]
public interface IConversationStore
{
    /// <summary>Prepares the store (the PostgreSQL store applies its migrations); idempotent, safe to call concurrently. Other methods call it on first use.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>Creates a conversation, with its first messages (none, or a first exchange), atomically.</summary>
    /// <param name="conversation">The new conversation: its id (unique), owner, agent and metadata; the counts and times are the store's.</param>
    /// <param name="messages">The first messages, in order.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored conversation.</returns>
    /// <exception cref="ConversationException"><see cref="ConversationErrorCodes.Conflict"/>: the id exists; <see cref="ConversationErrorCodes.NotFound"/>: the agent does not.</exception>
    Task<Conversation> CreateAsync(Conversation conversation, IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken = default);

    /// <summary>The conversation with this id, or <see langword="null"/>.</summary>
    /// <param name="conversationId">The conversation's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<Conversation?> GetAsync(string conversationId, CancellationToken cancellationToken = default);

    /// <summary>Conversations, newest first, of one owner or (with <see langword="null"/>) of all.</summary>
    /// <param name="ownerId">The owner whose conversations to list, or <see langword="null"/> for every owner's.</param>
    /// <param name="offset">How many to skip (0 or more).</param>
    /// <param name="limit">How many to return at most (1 or more).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<IReadOnlyList<Conversation>> ListAsync(string? ownerId, int offset, int limit, CancellationToken cancellationToken = default);

    /// <summary>The conversation's messages in order (empty when it has none or does not exist), equal to what was appended: contents, roles, ids, additional properties.</summary>
    /// <param name="conversationId">The conversation's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<IReadOnlyList<ChatMessage>> GetMessagesAsync(string conversationId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends messages and sets the provider state, atomically, when the conversation still has
    /// <paramref name="expectedMessageCount"/> messages and is not archived.
    /// </summary>
    /// <param name="conversationId">The conversation's id.</param>
    /// <param name="expectedMessageCount">The message count the caller read (its version).</param>
    /// <param name="messages">The messages to append, in order.</param>
    /// <param name="providerState">The new <see cref="Conversation.ProviderState"/>, replacing the old.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The conversation after the append.</returns>
    /// <exception cref="ConversationException">
    /// <see cref="ConversationErrorCodes.Conflict"/>: the count changed meanwhile; <see cref="ConversationErrorCodes.NotFound"/>;
    /// <see cref="ConversationErrorCodes.Archived"/>. Nothing is written then.
    /// </exception>
    Task<Conversation> AppendAsync(string conversationId, int expectedMessageCount, IReadOnlyList<ChatMessage> messages, string? providerState, CancellationToken cancellationToken = default);

    /// <summary>Archives the conversation: readable, no longer appendable. Returns whether it exists.</summary>
    /// <param name="conversationId">The conversation's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<bool> ArchiveAsync(string conversationId, CancellationToken cancellationToken = default);

    /// <summary>Deletes the conversation and its messages. Returns whether it existed.</summary>
    /// <param name="conversationId">The conversation's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<bool> DeleteAsync(string conversationId, CancellationToken cancellationToken = default);

    /// <summary>Creates or replaces an agent (by <see cref="ConversationAgent.Id"/>).</summary>
    /// <param name="agent">The agent.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored agent, with the store's times.</returns>
    Task<ConversationAgent> SaveAgentAsync(ConversationAgent agent, CancellationToken cancellationToken = default);

    /// <summary>The agent with this id, or <see langword="null"/>.</summary>
    /// <param name="agentId">The agent's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<ConversationAgent?> GetAgentAsync(string agentId, CancellationToken cancellationToken = default);

    /// <summary>Agents by id.</summary>
    /// <param name="offset">How many to skip (0 or more).</param>
    /// <param name="limit">How many to return at most (1 or more).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<IReadOnlyList<ConversationAgent>> ListAgentsAsync(int offset, int limit, CancellationToken cancellationToken = default);

    /// <summary>Deletes the agent (its conversations stay, without an agent). Returns whether it existed.</summary>
    /// <param name="agentId">The agent's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<bool> DeleteAgentAsync(string agentId, CancellationToken cancellationToken = default);
}
