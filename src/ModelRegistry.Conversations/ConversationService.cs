using System.Security.Claims;
using Microsoft.Extensions.AI;
using ModelRegistry.Conversations.Internal;

namespace ModelRegistry.Conversations;

/// <summary>
/// The application's side of conversations, with seed 001's access rules (<see cref="ConversationRoles"/>): start, read,
/// list, archive and delete conversations, and manage agents. Every method checks its caller: the principal passed,
/// else <see cref="ModelRegistryCaller.Current"/>, else <see cref="ConversationOptions.DefaultCaller"/>. A refused caller
/// gets a <see cref="ConversationException"/> and nothing is written. Registered by <c>UseConversations()</c>.
/// </summary>
public sealed class ConversationService
{
    /// <summary>The most items one page may ask for.</summary>
    public const int MaxPageSize = 1000;

    private readonly ConversationRuntime _runtime;

    internal ConversationService(ConversationRuntime runtime) => _runtime = runtime;

    /// <summary>Applies the store's migrations now (the store otherwise does on first use). Idempotent.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ConversationException">The store is unreachable (<see cref="ConversationErrorCodes.StoreUnavailable"/>).</exception>
    public Task InitializeStoreAsync(CancellationToken cancellationToken = default) =>
        _runtime.CallStoreAsync(async (s, ct) => { await s.InitializeAsync(ct).ConfigureAwait(false); return true; }, null, cancellationToken);

    /// <summary>Starts an empty conversation owned by the caller (role <see cref="ConversationRoles.User"/>); pass its id as <c>ChatOptions.ConversationId</c>.</summary>
    /// <param name="agentId">The agent to hold it with (it must exist), or <see langword="null"/>.</param>
    /// <param name="metadata">The application's own data about it.</param>
    /// <param name="caller">The caller; <see langword="null"/> for the ambient one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new conversation.</returns>
    /// <exception cref="ConversationException">Refused, unknown agent, or the store failed.</exception>
    public Task<Conversation> StartAsync(string? agentId = null, IReadOnlyDictionary<string, string>? metadata = null, ClaimsPrincipal? caller = null, CancellationToken cancellationToken = default)
    {
        var who = Caller(caller);
        who.Require(ConversationRoles.User, "start a conversation");
        var conversation = new Conversation { Id = ConversationRuntime.NewId(), OwnerId = who.OwnerForNewConversation(_runtime.Options), AgentId = agentId, Metadata = metadata };
        return _runtime.CallStoreAsync((s, ct) => s.CreateAsync(conversation, [], ct), conversation.Id, cancellationToken);
    }

    /// <summary>The conversation (role <see cref="ConversationRoles.ReadOnly"/>; the caller's own, or any for an admin).</summary>
    /// <param name="conversationId">Its id.</param>
    /// <param name="caller">The caller; <see langword="null"/> for the ambient one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ConversationException">Refused, not found (or another owner's), or the store failed.</exception>
    public Task<Conversation> GetAsync(string conversationId, ClaimsPrincipal? caller = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(conversationId);
        var who = Caller(caller);
        who.Require(ConversationRoles.ReadOnly, $"read conversation '{conversationId}'", conversationId);
        return ReachableAsync(who, conversationId, cancellationToken);
    }

    /// <summary>The conversation's messages in order (role <see cref="ConversationRoles.ReadOnly"/>), tool calls and results included.</summary>
    /// <param name="conversationId">Its id.</param>
    /// <param name="caller">The caller; <see langword="null"/> for the ambient one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ConversationException">Refused, not found (or another owner's), or the store failed.</exception>
    public async Task<IReadOnlyList<ChatMessage>> GetMessagesAsync(string conversationId, ClaimsPrincipal? caller = null, CancellationToken cancellationToken = default)
    {
        await GetAsync(conversationId, caller, cancellationToken).ConfigureAwait(false);
        return await _runtime.CallStoreAsync((s, ct) => s.GetMessagesAsync(conversationId, ct), conversationId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Conversations, newest first (role <see cref="ConversationRoles.ReadOnly"/>): the caller's own, or for an admin those of <paramref name="ownerId"/> (every owner's when <see langword="null"/>).</summary>
    /// <param name="offset">How many to skip, 0 or more.</param>
    /// <param name="limit">How many at most, 1 to <see cref="MaxPageSize"/>.</param>
    /// <param name="ownerId">For an admin, whose to list; a non-admin may name only itself.</param>
    /// <param name="caller">The caller; <see langword="null"/> for the ambient one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ConversationException">Refused, or the store failed.</exception>
    public Task<IReadOnlyList<Conversation>> ListAsync(int offset = 0, int limit = 50, string? ownerId = null, ClaimsPrincipal? caller = null, CancellationToken cancellationToken = default)
    {
        CheckPage(offset, limit);
        var who = Caller(caller);
        who.Require(ConversationRoles.ReadOnly, "list conversations");
        if (!who.IsAdmin)
        {
            if (who.OwnerId is null || (ownerId is not null && ownerId != who.OwnerId))
            {
                throw new ConversationException(
                    who.OwnerId is null
                        ? $"Refused to list conversations: the caller has no owner id (claims {string.Join(", ", _runtime.Options.OwnerClaimTypes)})."
                        : "Refused to list another owner's conversations: that needs the role 'admin'.",
                    ConversationErrorCodes.AccessDenied,
                    conversationId: null);
            }

            ownerId = who.OwnerId;
        }

        return _runtime.CallStoreAsync((s, ct) => s.ListAsync(ownerId, offset, limit, ct), null, cancellationToken);
    }

    /// <summary>Archives the conversation (role <see cref="ConversationRoles.User"/>): still readable, no longer appendable.</summary>
    /// <param name="conversationId">Its id.</param>
    /// <param name="caller">The caller; <see langword="null"/> for the ambient one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ConversationException">Refused, not found (or another owner's), or the store failed.</exception>
    public async Task ArchiveAsync(string conversationId, ClaimsPrincipal? caller = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(conversationId);
        var who = Caller(caller);
        who.Require(ConversationRoles.User, $"archive conversation '{conversationId}'", conversationId);
        await ReachableAsync(who, conversationId, cancellationToken).ConfigureAwait(false);
        await _runtime.CallStoreAsync((s, ct) => s.ArchiveAsync(conversationId, ct), conversationId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes the conversation and its messages (role <see cref="ConversationRoles.Admin"/>).</summary>
    /// <param name="conversationId">Its id.</param>
    /// <param name="caller">The caller; <see langword="null"/> for the ambient one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ConversationException">Refused, not found, or the store failed.</exception>
    public async Task DeleteAsync(string conversationId, ClaimsPrincipal? caller = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(conversationId);
        Caller(caller).Require(ConversationRoles.Admin, $"delete conversation '{conversationId}'", conversationId);
        if (!await _runtime.CallStoreAsync((s, ct) => s.DeleteAsync(conversationId, ct), conversationId, cancellationToken).ConfigureAwait(false))
        {
            throw ConversationCaller.NotFound(conversationId);
        }
    }

    /// <summary>Creates or replaces an agent (role <see cref="ConversationRoles.Admin"/>).</summary>
    /// <param name="agent">The agent; its id and name must not be empty.</param>
    /// <param name="caller">The caller; <see langword="null"/> for the ambient one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored agent.</returns>
    /// <exception cref="ConversationException">Refused, or the store failed.</exception>
    public Task<ConversationAgent> SaveAgentAsync(ConversationAgent agent, ClaimsPrincipal? caller = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentException.ThrowIfNullOrWhiteSpace(agent.Id, nameof(agent) + ".Id");
        ArgumentException.ThrowIfNullOrWhiteSpace(agent.Name, nameof(agent) + ".Name");
        Caller(caller).Require(ConversationRoles.Admin, $"save agent '{agent.Id}'");
        return _runtime.CallStoreAsync((s, ct) => s.SaveAgentAsync(agent, ct), null, cancellationToken);
    }

    /// <summary>The agent (role <see cref="ConversationRoles.ReadOnly"/>).</summary>
    /// <param name="agentId">Its id.</param>
    /// <param name="caller">The caller; <see langword="null"/> for the ambient one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ConversationException">Refused, not found, or the store failed.</exception>
    public async Task<ConversationAgent> GetAgentAsync(string agentId, ClaimsPrincipal? caller = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(agentId);
        Caller(caller).Require(ConversationRoles.ReadOnly, $"read agent '{agentId}'");
        return await _runtime.CallStoreAsync((s, ct) => s.GetAgentAsync(agentId, ct), null, cancellationToken).ConfigureAwait(false)
            ?? throw new ConversationException($"Agent '{agentId}' was not found.", ConversationErrorCodes.NotFound, conversationId: null);
    }

    /// <summary>Agents by id (role <see cref="ConversationRoles.ReadOnly"/>).</summary>
    /// <param name="offset">How many to skip, 0 or more.</param>
    /// <param name="limit">How many at most, 1 to <see cref="MaxPageSize"/>.</param>
    /// <param name="caller">The caller; <see langword="null"/> for the ambient one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ConversationException">Refused, or the store failed.</exception>
    public Task<IReadOnlyList<ConversationAgent>> ListAgentsAsync(int offset = 0, int limit = 50, ClaimsPrincipal? caller = null, CancellationToken cancellationToken = default)
    {
        CheckPage(offset, limit);
        Caller(caller).Require(ConversationRoles.ReadOnly, "list agents");
        return _runtime.CallStoreAsync((s, ct) => s.ListAgentsAsync(offset, limit, ct), null, cancellationToken);
    }

    /// <summary>Deletes the agent (role <see cref="ConversationRoles.Admin"/>); its conversations stay, without an agent.</summary>
    /// <param name="agentId">Its id.</param>
    /// <param name="caller">The caller; <see langword="null"/> for the ambient one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ConversationException">Refused, not found, or the store failed.</exception>
    public async Task DeleteAgentAsync(string agentId, ClaimsPrincipal? caller = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(agentId);
        Caller(caller).Require(ConversationRoles.Admin, $"delete agent '{agentId}'");
        if (!await _runtime.CallStoreAsync((s, ct) => s.DeleteAgentAsync(agentId, ct), null, cancellationToken).ConfigureAwait(false))
        {
            throw new ConversationException($"Agent '{agentId}' was not found.", ConversationErrorCodes.NotFound, conversationId: null);
        }
    }

    private ConversationCaller Caller(ClaimsPrincipal? principal) => ConversationCaller.For(principal, _runtime.Options);

    private async Task<Conversation> ReachableAsync(ConversationCaller caller, string conversationId, CancellationToken cancellationToken)
    {
        var conversation = await _runtime.CallStoreAsync((s, ct) => s.GetAsync(conversationId, ct), conversationId, cancellationToken).ConfigureAwait(false);
        return conversation is not null && caller.Reaches(conversation) ? conversation : throw ConversationCaller.NotFound(conversationId);
    }

    private static void CheckPage(int offset, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (limit is < 1 or > MaxPageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, $"A page holds 1 to {MaxPageSize} items.");
        }
    }
}
