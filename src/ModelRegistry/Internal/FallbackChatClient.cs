using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Polly.Timeout;

namespace ModelRegistry.Internal;

/// <summary>
/// Tries an entry, then its fallbacks in order, when a call fails in a way retrying this entry cannot fix: a retryable
/// provider error (after the provider's own HTTP retries), an open breaker, a client-side limit, a timeout or a lost
/// connection. Validation, authentication and configuration errors do not fall back. A stream falls back only before
/// its first update reached the caller. The answer names the entry that served it in
/// <see cref="RegistryProperties.ServedBy"/>.
/// </summary>
internal sealed partial class FallbackChatClient(IReadOnlyList<(ModelEntry Entry, IChatClient Client)> chain, ILogger logger) : IChatClient
{
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        for (var i = 0; ; i++)
        {
            var (entry, client) = chain[i];
            try
            {
                var response = await client.GetResponseAsync(messages, OptionsFor(i, options), cancellationToken).ConfigureAwait(false);
                (response.AdditionalProperties ??= [])[RegistryProperties.ServedBy] = entry.Name;
                return response;
            }
            catch (Exception ex) when (i < chain.Count - 1 && ShouldFallBack(ex, cancellationToken))
            {
                Log.FallingBack(logger, entry.Name, Describe(ex), chain[i + 1].Entry.Name);
            }
        }
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; ; i++)
        {
            var (entry, client) = chain[i];
            var updates = client.GetStreamingResponseAsync(messages, OptionsFor(i, options), cancellationToken).GetAsyncEnumerator(cancellationToken);
            bool any;
            try
            {
                any = await updates.MoveNextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (i < chain.Count - 1 && ShouldFallBack(ex, cancellationToken))
            {
                await updates.DisposeAsync().ConfigureAwait(false);
                Log.FallingBack(logger, entry.Name, Describe(ex), chain[i + 1].Entry.Name);
                continue;
            }

            try
            {
                if (!any)
                {
                    yield break;
                }

                (updates.Current.AdditionalProperties ??= [])[RegistryProperties.ServedBy] = entry.Name;
                do
                {
                    yield return updates.Current;
                }
                while (await updates.MoveNextAsync().ConfigureAwait(false));
                yield break;
            }
            finally
            {
                await updates.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this : chain[0].Client.GetService(serviceType, serviceKey);
    }

    public void Dispose()
    {
        // The registry owns the entries' clients.
    }

    /// <summary>Whether another entry may succeed where this one failed.</summary>
    internal static bool ShouldFallBack(Exception exception, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && exception switch
        {
            ModelProviderException provider => provider.IsRetryable,
            HttpRequestException or TimeoutRejectedException or TimeoutException => true,
            OperationCanceledException => true, // not the caller's token: a timeout inside the client
            _ => false,
        };

    /// <summary>A caller's ModelId names the first entry's model; the fallbacks use their own.</summary>
    private static ChatOptions? OptionsFor(int index, ChatOptions? options)
    {
        if (index == 0 || options?.ModelId is null)
        {
            return options;
        }

        var copy = options.Clone();
        copy.ModelId = null;
        return copy;
    }

    private static string Describe(Exception exception) => exception is ModelProviderException provider
        ? $"{provider.ErrorCode ?? provider.StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "error"}"
        : exception.GetType().Name;

    private static partial class Log
    {
        [LoggerMessage(30, LogLevel.Warning, "Model {Model} failed ({Error}); falling back to {Fallback}.")]
        public static partial void FallingBack(ILogger logger, string model, string error, string fallback);
    }
}
