using Microsoft.Extensions.AI;

namespace ModelRegistry.Benchmarks.Infrastructure;

/// <summary>Shared pieces of the over-HTTP benchmarks.</summary>
internal static class Http
{
    /// <summary>
    /// A fresh HttpClient per contender, with the same handler settings for all, so each keeps its own warm
    /// keep-alive connection to the loopback server, as it would in an application; at most as many connections per
    /// server as the kit's own handler opens, so under load the floor queues for connections as our clients do.
    /// </summary>
    public static HttpClient NewClient() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        MaxConnectionsPerServer = ModelRegistry.Providers.ProviderTransport.MaxConnectionsPerServer,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>Reads a stream to its end, counting its updates: what a streaming benchmark does with them.</summary>
    public static async Task<int> CountAsync(IAsyncEnumerable<ChatResponseUpdate> updates)
    {
        var count = 0;
        await foreach (var _ in updates)
        {
            count++;
        }

        return count;
    }

    /// <summary>Reads a stream to its end: the number of updates and the text they carry (for the set-up checks).</summary>
    public static async Task<(int Updates, string Text)> DrainAsync(IAsyncEnumerable<ChatResponseUpdate> updates)
    {
        var count = 0;
        var text = new System.Text.StringBuilder();
        await foreach (var update in updates)
        {
            count++;
            text.Append(update.Text);
        }

        return (count, text.ToString());
    }
}
