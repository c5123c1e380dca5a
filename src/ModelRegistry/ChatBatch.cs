using Microsoft.Extensions.AI;

namespace ModelRegistry;

/// <summary>
/// Pushes many prompts through one chat client with bounded concurrency: each item's answer or error is kept
/// (one failure does not stop the batch), progress is reported as items finish, and cancellation stops the rest.
/// Combine it with an entry's limits and fallbacks: <c>registry.GetChatClient("haiku").RunBatchAsync(prompts)</c>.
/// </summary>
public static class ChatBatch
{
    /// <summary>Sends each prompt as one user message.</summary>
    /// <param name="client">The client, e.g. a registry client.</param>
    /// <param name="prompts">The prompts.</param>
    /// <param name="options">Concurrency and chat options.</param>
    /// <param name="progress">Told after each item finishes.</param>
    /// <param name="cancellationToken">Stops the batch: running items are cancelled and the call throws.</param>
    /// <returns>One result per prompt, in input order.</returns>
    public static Task<IReadOnlyList<BatchItemResult>> RunBatchAsync(
        this IChatClient client,
        IEnumerable<string> prompts,
        BatchOptions? options = null,
        IProgress<BatchProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        return client.RunBatchAsync(prompts.Select(p => (IList<ChatMessage>)[new ChatMessage(ChatRole.User, p)]), options, progress, cancellationToken);
    }

    /// <summary>Sends each conversation as one call.</summary>
    /// <param name="client">The client, e.g. a registry client.</param>
    /// <param name="conversations">The conversations.</param>
    /// <param name="options">Concurrency and chat options.</param>
    /// <param name="progress">Told after each item finishes.</param>
    /// <param name="cancellationToken">Stops the batch: running items are cancelled and the call throws.</param>
    /// <returns>One result per conversation, in input order.</returns>
    public static async Task<IReadOnlyList<BatchItemResult>> RunBatchAsync(
        this IChatClient client,
        IEnumerable<IList<ChatMessage>> conversations,
        BatchOptions? options = null,
        IProgress<BatchProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(conversations);
        options ??= new BatchOptions();
        var items = conversations.ToList();
        var results = new BatchItemResult[items.Count];
        int completed = 0, failed = 0;
        await Parallel.ForEachAsync(
            Enumerable.Range(0, items.Count),
            new ParallelOptions { MaxDegreeOfParallelism = options.MaxConcurrency, CancellationToken = cancellationToken },
            async (index, ct) =>
            {
                try
                {
                    // Clients may change the options they are given, so each call gets its own copy.
                    var response = await client.GetResponseAsync(items[index], options.ChatOptions?.Clone(), ct).ConfigureAwait(false);
                    results[index] = new BatchItemResult(index, response, null);
                }
                catch (Exception ex) when (!ct.IsCancellationRequested)
                {
                    results[index] = new BatchItemResult(index, null, ex);
                    Interlocked.Increment(ref failed);
                }

                progress?.Report(new BatchProgress(Interlocked.Increment(ref completed), Volatile.Read(ref failed), items.Count));
            }).ConfigureAwait(false);
        return results;
    }
}
