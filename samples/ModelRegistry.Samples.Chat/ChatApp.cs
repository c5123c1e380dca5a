using System.Diagnostics;
using Microsoft.Extensions.AI;
using ModelRegistry.Conversations;

namespace ModelRegistry.Samples.Chat;

/// <summary>Lists the registry, asks one question, or chats turn by turn, streaming each answer.</summary>
internal sealed class ChatApp(IModelRegistry registry, TextWriter output, TextWriter error, StringWriter metrics, bool showMetrics)
{
    private CancellationTokenSource? _answer;

    /// <summary>Cancels the answer being written; false when none is (so Ctrl-C should end the program).</summary>
    public bool CancelCurrentAnswer()
    {
        var answer = Volatile.Read(ref _answer);
        if (answer is null || answer.IsCancellationRequested)
        {
            return false;
        }

        answer.Cancel();
        return true;
    }

    public async Task<int> RunAsync(ChatOptionsLine line, TextReader input, CancellationToken stop)
    {
        try
        {
            if (line.List)
            {
                await ListAsync(stop);
                return 0;
            }

            var entry = await registry.GetEntryAsync(line.Model, stop);
            if (line.Prompt is { } prompt)
            {
                return await AskAsync(entry, new ChatMessage(ChatRole.User, prompt), line.Conversation, stop) is null ? 1 : 0;
            }

            return await ChatAsync(entry, line.Conversation, input, stop);
        }
        catch (ModelRegistryException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            return 2;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 130;
        }
    }

    private async Task ListAsync(CancellationToken stop)
    {
        var entries = await registry.GetEntriesAsync(stop);
        string? defaultName = null;
        try
        {
            defaultName = (await registry.GetEntryAsync(null, stop)).Name;
        }
        catch (ModelRegistryException)
        {
            // No default: list without a marker.
        }

        var width = entries.Max(e => e.Name.Length);
        foreach (var entry in entries)
        {
            var marker = entry.Name == defaultName ? "*" : " ";
            var fallbacks = entry.Fallbacks.Count > 0 ? $"  → falls back to {string.Join(", ", entry.Fallbacks)}" : string.Empty;
            await output.WriteLineAsync($"{marker} {entry.Name.PadRight(width)}  {entry.Provider,-9} {entry.ModelId}{fallbacks}");
        }

        await output.WriteLineAsync("(* = default model)");
    }

    /// <summary>Chats turn by turn; the session is a stored conversation, so each turn sends only the new question.</summary>
    private async Task<int> ChatAsync(ModelEntry entry, string? conversationId, TextReader input, CancellationToken stop)
    {
        await error.WriteLineAsync($"chatting with {entry.Name} ({entry.Provider}: {entry.ModelId}); an empty line, 'exit' or Ctrl-D ends.");
        while (!stop.IsCancellationRequested)
        {
            await output.WriteAsync("> ");
            var text = await input.ReadLineAsync(stop);
            if (string.IsNullOrWhiteSpace(text) || text.Trim() is "exit" or "quit")
            {
                return 0;
            }

            if (await AskAsync(entry, new ChatMessage(ChatRole.User, text), conversationId, stop) is { ConversationId: { } id } && id != conversationId)
            {
                conversationId = id;
                await error.WriteLineAsync($"conversation {id} (continue it later with --conversation {id})");
            }
        }

        return 0;
    }

    /// <summary>
    /// Streams one answer in the conversation (a new one when <paramref name="conversationId"/> is null), then its usage
    /// and latency; null when it failed or was cancelled, in which case nothing was stored.
    /// </summary>
    private async Task<ChatResponse?> AskAsync(ModelEntry entry, ChatMessage question, string? conversationId, CancellationToken stop)
    {
        using var answer = CancellationTokenSource.CreateLinkedTokenSource(stop);
        Volatile.Write(ref _answer, answer);
        var clock = Stopwatch.StartNew();
        TimeSpan? firstToken = null;
        List<ChatResponseUpdate> updates = [];
        try
        {
            await foreach (var update in registry.GetChatClient(entry.Name).GetStreamingResponseAsync(
                [question], new ChatOptions { ConversationId = conversationId }, answer.Token))
            {
                firstToken ??= clock.Elapsed;
                updates.Add(update);
                await output.WriteAsync(update.Text);
            }
        }
        catch (OperationCanceledException) when (answer.IsCancellationRequested && !stop.IsCancellationRequested)
        {
            await output.WriteLineAsync();
            await error.WriteLineAsync("[answer cancelled]");
            FlushMetrics();
            return null;
        }
        catch (ConversationException ex)
        {
            await output.WriteLineAsync();
            await error.WriteLineAsync($"error: {ex.Message}");
            FlushMetrics();
            return null;
        }
        catch (ModelProviderException ex)
        {
            await output.WriteLineAsync();
            await error.WriteLineAsync($"error: {ex.Message}{(ex.RetryAfter is { } wait ? $" (retry after {wait.TotalSeconds:0.#} s)" : string.Empty)}");
            FlushMetrics();
            return null;
        }
        finally
        {
            Volatile.Write(ref _answer, null);
        }

        var response = updates.ToChatResponse();
        await output.WriteLineAsync();
        var servedBy = response.AdditionalProperties?.TryGetValue(RegistryProperties.ServedBy, out var name) == true ? $"{name} (fallback)" : entry.Name;
        var usage = response.Usage;
        await error.WriteLineAsync(
            $"— {servedBy} · {response.ModelId ?? entry.ModelId} · {usage?.InputTokenCount ?? 0} in / {usage?.OutputTokenCount ?? 0} out tokens · " +
            $"{clock.Elapsed.TotalMilliseconds:0} ms (first token {firstToken?.TotalMilliseconds ?? 0:0} ms)");
        FlushMetrics();
        return response;
    }

    private void FlushMetrics()
    {
        var lines = metrics.ToString();
        metrics.GetStringBuilder().Clear();
        if (showMetrics && lines.Length > 0)
        {
            error.Write(string.Concat(lines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => $"emf: {l}\n")));
        }
    }
}
