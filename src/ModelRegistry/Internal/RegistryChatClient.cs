using Microsoft.Extensions.AI;

namespace ModelRegistry.Internal;

/// <summary>
/// The client handed out for a registry name: costs nothing to create, and on each call asks the registry for the
/// built client of the call's entry (its name, or the entry <c>ChatOptions.ModelId</c> names), loading the registry
/// and building the client on first use, then forwards the call. The client is leased until the call (or the stream)
/// ends, so a refresh never disposes it under the call. While the registry is unchanged, a call takes the slot of the
/// last one without a look-up (<see cref="ModelRegistryService.TryLease"/>).
/// </summary>
internal sealed class RegistryChatClient(ModelRegistryService registry, string? name) : IChatClient
{
    private readonly ModelRegistryService _registry = registry;
    private IChatClient? _last;
    private ClientSlot? _slot;

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (messages is null || !_registry.TryLease(_slot, options, out var lease))
        {
            return ResolveAndCallAsync(messages!, options, cancellationToken);
        }

        // The registry is as it was at this client's last call: no state machine when the call completes at once.
        Task<ChatResponse> task;
        try
        {
            task = lease.Client.GetResponseAsync(messages, lease.Options, cancellationToken);
        }
        catch (Exception ex)
        {
            lease.Dispose();
            return FaultedTask.From<ChatResponse>(ex);
        }

        if (task.IsCompleted)
        {
            lease.Dispose();
            return task;
        }

        return ReleaseAfterAsync(task, lease);
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        CancellationToken cancellationToken = default) =>
        new LeasedStream(this, messages, options, cancellationToken);

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null && serviceType.IsInstanceOfType(this))
        {
            return this;
        }

        // Only what is already built: asking for a service must not load the registry.
        return _last?.GetService(serviceType, serviceKey);
    }

    public void Dispose()
    {
        // The registry owns the clients it built.
    }

    private async Task<ChatResponse> ResolveAndCallAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        using var lease = await ResolveAsync(options, cancellationToken).ConfigureAwait(false);
        return await lease.Client.GetResponseAsync(messages, lease.Options, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<ChatResponse> ReleaseAfterAsync(Task<ChatResponse> call, ClientLease lease)
    {
        using (lease)
        {
            return await call.ConfigureAwait(false);
        }
    }

    private async ValueTask<ClientLease> ResolveAsync(ChatOptions? options, CancellationToken cancellationToken)
    {
        var lease = await _registry.AcquireAsync(name, options, cancellationToken).ConfigureAwait(false);
        try
        {
            _last = lease.Client;
            if (options?.ModelId is not { Length: > 0 })
            {
                // Routed by this client's own name: the next call may take the same slot while the registry is unchanged.
                _slot = lease.Slot;
            }
        }
        catch
        {
            lease.Dispose();
            throw;
        }

        return lease;
    }

    public override string ToString() => name is null ? "model registry client (default model)" : $"model registry client '{name}'";

    /// <summary>
    /// A stream through the leased client: the lease is taken at the first step and released once the inner stream
    /// ends, throws, or is disposed early (after the inner enumerator is disposed).
    /// </summary>
    private sealed class LeasedStream(RegistryChatClient owner, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
        : UpdateStream(cancellationToken)
    {
        private ClientLease _lease;

        protected override async ValueTask<IAsyncEnumerator<ChatResponseUpdate>> StartAsync()
        {
            ArgumentNullException.ThrowIfNull(messages);
            _lease = owner._registry.TryLease(owner._slot, options, out var known) ? known : await owner.ResolveAsync(options, Token).ConfigureAwait(false);
            return _lease.Client.GetStreamingResponseAsync(messages, _lease.Options, Token).GetAsyncEnumerator(Token);
        }

        protected override void OnEnded(bool started)
        {
            if (_lease.Slot is not null)
            {
                _lease.Dispose();
            }
        }

        protected override UpdateStream Restart() => new LeasedStream(owner, messages, options, CallToken);
    }
}
