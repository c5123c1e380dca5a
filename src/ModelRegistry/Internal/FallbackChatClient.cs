using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using ModelRegistry.Providers;
using Polly.Timeout;

namespace ModelRegistry.Internal;

/// <summary>
/// Tries an entry, then its fallbacks in order, when a call fails in a way retrying this entry cannot fix: a retryable
/// provider error (after the provider's own HTTP retries), an open breaker, a client-side limit, a timeout or a lost
/// connection, a model the entry's endpoint does not serve (404), a request the entry's capabilities cannot take, an input too large for its context window (to the next
/// entry with a larger or unknown window), and, when the entry sets <c>fallback_on:content_filter</c>, an answer its
/// content filter stopped. Validation, authentication and configuration errors do not fall back. A stream falls back
/// only before its first update reached the caller. The answer names the entry that served it in
/// <see cref="RegistryProperties.ServedBy"/>.
/// </summary>
internal sealed partial class FallbackChatClient(IReadOnlyList<(ModelEntry Entry, IChatClient Client)> chain, ILogger logger, RegistryMetrics metrics) : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        // The first entry answering at once needs no state machine; anything else continues in FallBackAsync.
        var entry = chain[0].Entry;
        Task<ChatResponse> first;
        try
        {
            first = chain[0].Client.GetResponseAsync(messages, options, cancellationToken);
        }
        catch (Exception ex)
        {
            first = Task.FromException<ChatResponse>(ex);
        }

        if (first.IsCompletedSuccessfully && first.Result is var response && (chain.Count == 1 || !IsFilteredFailure(entry, response.FinishReason)))
        {
            (response.AdditionalProperties ??= [])[RegistryProperties.ServedBy] = entry.Name;
            return first;
        }

        return FallBackAsync(first, messages, options, cancellationToken);
    }

    private async Task<ChatResponse> FallBackAsync(Task<ChatResponse>? pending, IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        for (var i = 0; ;)
        {
            var (entry, client) = chain[i];
            int next;
            try
            {
                var call = pending ?? client.GetResponseAsync(messages, OptionsFor(i, options), cancellationToken);
                pending = null;
                var response = await call.ConfigureAwait(false);
                if (!IsFilteredFailure(entry, response.FinishReason) || (next = i + 1) >= chain.Count)
                {
                    (response.AdditionalProperties ??= [])[RegistryProperties.ServedBy] = entry.Name;
                    return response;
                }

                FallingBack(entry, RegistryMetrics.ContentFilterReason, chain[next].Entry);
            }
            catch (Exception ex) when ((next = NextAfter(i, ex, cancellationToken)) > 0)
            {
                FallingBack(entry, AttemptFailure.ErrorTypeOf(ex), chain[next].Entry);
            }

            i = next;
        }
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; ;)
        {
            var (entry, client) = chain[i];
            var updates = client.GetStreamingResponseAsync(messages, OptionsFor(i, options), cancellationToken).GetAsyncEnumerator(cancellationToken);
            bool any;
            int next;
            try
            {
                any = await updates.MoveNextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when ((next = NextAfter(i, ex, cancellationToken)) > 0)
            {
                await updates.DisposeAsync().ConfigureAwait(false);
                FallingBack(entry, AttemptFailure.ErrorTypeOf(ex), chain[next].Entry);
                i = next;
                continue;
            }

            // A content filter falls back only while the caller has seen nothing: when it stops the stream's first update.
            if (any && IsFilteredFailure(entry, updates.Current.FinishReason) && (next = i + 1) < chain.Count)
            {
                await updates.DisposeAsync().ConfigureAwait(false);
                FallingBack(entry, RegistryMetrics.ContentFilterReason, chain[next].Entry);
                i = next;
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

    /// <summary>
    /// Whether another entry may succeed where this one failed: a retryable failure, a request this entry's
    /// capabilities cannot take, a model its endpoint does not serve (404), or (with <c>fallback_on:context_window</c>, the default) an input too large for its
    /// context window.
    /// </summary>
    internal static bool ShouldFallBack(ModelEntry entry, Exception exception, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && exception switch
        {
            ModelProviderException { ErrorCode: ProviderErrorCodes.CapabilityMismatch } => true,
            ModelProviderException { ErrorCode: ProviderErrorCodes.ContextWindowExceeded } => CoreSettings.FallbackOnContextWindow.GetValueOrDefault(entry, true),
            ModelProviderException { StatusCode: 404 } => true, // this endpoint does not serve the model (Mantle without it, a region without it); another may
            ModelProviderException provider => provider.IsRetryable,
            HttpRequestException or TimeoutRejectedException or TimeoutException => true,
            OperationCanceledException => true, // not the caller's token: a timeout inside the client
            _ => false,
        };

    /// <summary>
    /// The index of the entry to try after entry <paramref name="index"/> failed, or 0 for none: the next one, or after
    /// a context-window error the next one whose context window is larger than the failed one's, or unknown.
    /// </summary>
    private int NextAfter(int index, Exception exception, CancellationToken cancellationToken)
    {
        var failed = chain[index].Entry;
        if (index >= chain.Count - 1 || !ShouldFallBack(failed, exception, cancellationToken))
        {
            return 0;
        }

        if (exception is ModelProviderException { ErrorCode: ProviderErrorCodes.ContextWindowExceeded } && failed.Capabilities?.ContextWindow is { } window)
        {
            for (var next = index + 1; next < chain.Count; next++)
            {
                if (chain[next].Entry.Capabilities?.ContextWindow is not { } larger || larger > window)
                {
                    return next;
                }
            }

            return 0;
        }

        return index + 1;
    }

    /// <summary>Whether the answer is one the provider's content filter or guardrail stopped and the entry treats that as a failure (<c>fallback_on:content_filter</c>).</summary>
    private static bool IsFilteredFailure(ModelEntry entry, ChatFinishReason? finishReason) =>
        finishReason == ChatFinishReason.ContentFilter && CoreSettings.FallbackOnContentFilter.GetValueOrDefault(entry, false);

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

    /// <summary>Logs and counts a move from <paramref name="from"/> to <paramref name="to"/>, the reason named as metrics name it (an error code, a status, a type, or <c>content_filter</c>).</summary>
    private void FallingBack(ModelEntry from, string reason, ModelEntry to)
    {
        Log.FallingBack(logger, from.Name, reason, to.Name);
        metrics.RecordFallback(from.Name, to.Name, reason);
    }

    private static partial class Log
    {
        [LoggerMessage(30, LogLevel.Warning, "Model {Model} failed ({Error}); falling back to {Fallback}.")]
        public static partial void FallingBack(ILogger logger, string model, string error, string fallback);
    }
}
