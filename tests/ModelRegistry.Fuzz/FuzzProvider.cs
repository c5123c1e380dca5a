using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using ModelRegistry.Providers;
using ModelRegistry.Testing;

namespace ModelRegistry.Fuzz;

/// <summary>A provider under fuzz: its targets with our own seeds, which recorded calls feed them, and its public client's calls.</summary>
internal abstract class FuzzProvider
{
    public abstract string Name { get; }

    /// <summary>The credential the client is configured with: an obviously fake canary that must appear in no message or log.</summary>
    public abstract string Secret { get; }

    /// <summary>Headers worth adding to answers, each with values to try.</summary>
    public abstract IReadOnlyList<(string Name, string[] Values)> Headers { get; }

    /// <summary>The targets, each with our own seeds.</summary>
    public abstract IReadOnlyList<FuzzTarget> CreateTargets();

    /// <summary>The target a recorded interaction feeds, or <see langword="null"/> when it is not this provider's.</summary>
    public abstract string? TargetOf(CassetteInteraction interaction);

    /// <summary>The public client's calls over an HttpClient whose handler is the in-memory server, with the given retry policy and limits.</summary>
    public abstract IReadOnlyDictionary<string, FuzzCall> Bind(HttpClient http, ILoggerFactory logs, ProviderResilienceOptions resilience);

    /// <summary>A target of this provider (seeds are added to it).</summary>
    protected FuzzTarget Target(string name, BodyFormat format, IReadOnlyList<string> calls, bool errorStatuses = false) =>
        new() { Name = name, Provider = this, Format = format, Calls = calls, ErrorStatuses = errorStatuses };

    /// <summary>Adds one of our seeds to a JSON or SSE target, with the content type of its format unless headers are given.</summary>
    protected static void AddSeed(FuzzTarget target, string name, string body, int status = 200, IReadOnlyList<KeyValuePair<string, string>>? headers = null)
    {
        var contentType = target.Format == BodyFormat.ServerSentEvents ? "text/event-stream" : "application/json";
        target.Seeds.Add(new Seed(name, System.Text.Encoding.UTF8.GetBytes(body), status, headers ?? [new("Content-Type", contentType)], target.Format));
    }

    /// <summary>Reads what a caller reads of an answer, so nothing lazy is left untried.</summary>
    protected static string? Read(ChatResponse response)
    {
        _ = response.Text;
        foreach (var message in response.Messages)
        {
            foreach (var content in message.Contents)
            {
                if (content is FunctionCallContent call)
                {
                    _ = call.Arguments?.Count;
                }
            }
        }

        _ = response.Usage?.TotalTokenCount;
        return null;
    }

    /// <summary>Streams an answer to its end, then coalesces the updates as MEAI's callers do and reads the result.</summary>
    protected static async Task<string?> ReadStreamAsync(IChatClient chat, IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in chat.GetStreamingResponseAsync(messages, options).ConfigureAwait(false))
        {
            updates.Add(update);
        }

        return Read(updates.ToChatResponse());
    }
}
