using Microsoft.Extensions.AI;

namespace ModelRegistry.Conversations.Internal;

/// <summary>
/// One call on one entry in a conversation: what the entry is sent (the stored history and the new messages without
/// <c>ConversationId</c>, or only the new messages with the entry's own server-side conversation), and, once the model
/// answered, the store write of the new messages and the answer. Holds the conversation's lock until disposed.
/// </summary>
internal sealed class ConversationTurn : IAsyncDisposable
{
    private readonly ConversationRuntime _runtime;
    private readonly ModelEntry _entry;
    private readonly ChatOptions? _options;
    private readonly List<ChatMessage> _newMessages;
    private readonly Dictionary<string, ProviderConversation> _state;
    private readonly string? _owner;
    private readonly IAsyncDisposable? _lock;
    private int _version;

    private ConversationTurn(ConversationRuntime runtime, ModelEntry entry, ChatOptions? options, List<ChatMessage> newMessages, string conversationId,
        bool isStart, string? owner, IAsyncDisposable? heldLock, Dictionary<string, ProviderConversation> state, int version)
    {
        _runtime = runtime;
        _entry = entry;
        _options = options;
        _newMessages = newMessages;
        ConversationId = conversationId;
        _owner = owner;
        _lock = heldLock;
        _state = state;
        _version = version;
        IsStart = isStart;
        Messages = newMessages;
        Options = options;
    }

    /// <summary>The store's conversation id, the one the caller sees.</summary>
    public string ConversationId { get; }

    /// <summary>Whether the call starts the conversation (it is created when the answer is stored).</summary>
    public bool IsStart { get; }

    /// <summary>The messages to send the entry.</summary>
    public IReadOnlyList<ChatMessage> Messages { get; private set; }

    /// <summary>The options to send the entry: without the store's id; with the entry's server-side conversation when it is valid.</summary>
    public ChatOptions? Options { get; private set; }

    /// <summary>Whether the call continues the entry's server-side conversation (only the new messages are sent).</summary>
    public bool ContinuesProviderConversation { get; private set; }

    /// <summary>
    /// Prepares the call, or returns <see langword="null"/> when it is no conversation call (no <c>ConversationId</c> and
    /// <see cref="ConversationOptions.StartConversations"/> off). Checks the caller; nothing is written.
    /// </summary>
    public static async Task<ConversationTurn?> BeginAsync(ConversationRuntime runtime, ModelEntry entry, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var id = options?.ConversationId;
        if (id is null && !runtime.Options.StartConversations)
        {
            return null;
        }

        var caller = ConversationCaller.For(options, runtime.Options);
        List<ChatMessage> newMessages = [.. messages];
        if (id is null)
        {
            caller.Require(ConversationRoles.User, "start a conversation");
            var owner = caller.OwnerForNewConversation(runtime.Options);
            return new ConversationTurn(runtime, entry, options, newMessages, ConversationRuntime.NewId(), isStart: true, owner, heldLock: null, new(StringComparer.Ordinal), 0);
        }

        caller.Require(ConversationRoles.User, $"append to conversation '{id}'", id);
        var held = await runtime.Locks.EnterAsync(id, cancellationToken).ConfigureAwait(false);
        try
        {
            var conversation = await runtime.CallStoreAsync((s, ct) => s.GetAsync(id, ct), id, cancellationToken).ConfigureAwait(false);
            if (conversation is null || !caller.Reaches(conversation))
            {
                throw ConversationCaller.NotFound(id);
            }

            StoreErrors.CheckAppendable(conversation, conversation.MessageCount);
            var turn = new ConversationTurn(runtime, entry, options, newMessages, id, isStart: false, owner: null, held, ProviderConversation.Parse(conversation.ProviderState), conversation.MessageCount);
            if (turn._state.TryGetValue(entry.Name, out var server) && server.Through == conversation.MessageCount)
            {
                turn.ContinuesProviderConversation = true;
                turn.Options = With(options, server.Id);
            }
            else
            {
                await turn.SendFullHistoryAsync(cancellationToken).ConfigureAwait(false);
            }

            return turn;
        }
        catch
        {
            await held.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Switches to sending the stored history and the new messages without any <c>ConversationId</c> (the entry starts
    /// a fresh server-side conversation if it keeps any), e.g. after its own conversation was not found (404).
    /// </summary>
    public async Task SendFullHistoryAsync(CancellationToken cancellationToken)
    {
        ContinuesProviderConversation = false;
        Options = With(_options, null);
        if (IsStart)
        {
            return;
        }

        var reducer = _runtime.Reducer;
        if (reducer is null && _version > _runtime.Options.MaxHistoryMessages)
        {
            throw TooLong(_version);
        }

        var history = await _runtime.CallStoreAsync((s, ct) => s.GetMessagesAsync(ConversationId, ct), ConversationId, cancellationToken).ConfigureAwait(false);
        _version = history.Count;
        if (reducer is null && _version > _runtime.Options.MaxHistoryMessages)
        {
            throw TooLong(_version);
        }

        IEnumerable<ChatMessage> all = [.. history, .. _newMessages];
        Messages = reducer is null ? [.. all] : [.. await reducer.ReduceAsync(all, cancellationToken).ConfigureAwait(false)];
    }

    /// <summary>
    /// Stores the new messages and the answer (creating the conversation on a start) and records the entry's server-side
    /// conversation. Returns whether the answer was stored; a store failure is logged, counted and reported by the result,
    /// except a concurrent append, which throws <see cref="ConversationErrorCodes.Conflict"/>.
    /// </summary>
    public async Task<bool> StoreAsync(IList<ChatMessage> answer, string? providerConversationId, CancellationToken cancellationToken)
    {
        List<ChatMessage> toStore = [.. _newMessages, .. answer];
        var state = ProviderConversation.With(_state, _entry.Name, providerConversationId, _version + toStore.Count);
        try
        {
            if (IsStart)
            {
                var conversation = new Conversation { Id = ConversationId, OwnerId = _owner, ProviderState = state };
                await _runtime.CallStoreAsync((s, ct) => s.CreateAsync(conversation, toStore, ct), ConversationId, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await _runtime.CallStoreAsync((s, ct) => s.AppendAsync(ConversationId, _version, toStore, state, ct), ConversationId, cancellationToken).ConfigureAwait(false);
            }

            return true;
        }
        catch (ConversationException ex)
        {
            _runtime.AnswerNotStored(_entry.Name, IsStart ? null : ConversationId, ex);
            if (ex.ErrorCode == ConversationErrorCodes.Conflict)
            {
                throw;
            }

            return false;
        }
    }

    public ValueTask DisposeAsync() => _lock?.DisposeAsync() ?? ValueTask.CompletedTask;

    private static ChatOptions? With(ChatOptions? options, string? conversationId)
    {
        if (options?.ConversationId == conversationId)
        {
            return options;
        }

        var copy = options?.Clone() ?? new ChatOptions();
        copy.ConversationId = conversationId;
        return copy;
    }

    private ConversationException TooLong(int count) => new(
        $"Conversation '{ConversationId}' holds {count} messages, more than ConversationOptions.MaxHistoryMessages ({_runtime.Options.MaxHistoryMessages}), " +
        "so its history was not sent. Register an IChatReducer (e.g. services.AddSingleton<IChatReducer>(...)) to shorten long histories, raise the bound, or start a new conversation.",
        ConversationErrorCodes.HistoryTooLong,
        ConversationId);
}
