using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace ModelRegistry.Internal;

/// <summary>
/// The client handed out for a registry name: costs nothing to create, and on each call asks the registry for the
/// built client of the call's entry (its name, or the entry <c>ChatOptions.ModelId</c> names), loading the registry
/// and building the client on first use, then forwards the call. The client is leased until the call (or the stream)
/// ends, so a refresh never disposes it under the call.
/// </summary>
internal sealed class RegistryChatClient(ModelRegistryService registry, string? name) : IChatClient
{
    private IChatClient? _last;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        using var lease = await ResolveAsync(options, cancellationToken).ConfigureAwait(false);
        return await lease.Client.GetResponseAsync(messages, lease.Options, cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        using var lease = await ResolveAsync(options, cancellationToken).ConfigureAwait(false);
        await foreach (var update in lease.Client.GetStreamingResponseAsync(messages, lease.Options, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

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

    private async ValueTask<ClientLease> ResolveAsync(ChatOptions? options, CancellationToken cancellationToken)
    {
        var lease = await registry.AcquireAsync(name, options, cancellationToken).ConfigureAwait(false);
        try
        {
            _last = lease.Client;
        }
        catch
        {
            lease.Dispose();
            throw;
        }

        return lease;
    }

    public override string ToString() => name is null ? "model registry client (default model)" : $"model registry client '{name}'";
}
