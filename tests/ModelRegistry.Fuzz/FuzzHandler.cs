using System.Net;

namespace ModelRegistry.Fuzz;

/// <summary>
/// The in-memory server: answers every request with the worker's current input, synchronously (no sockets, no
/// threads), so a whole call normally completes on the worker's thread and its allocations can be counted there.
/// </summary>
internal sealed class FuzzHandler : HttpMessageHandler
{
    private static readonly HashSet<string> ContentHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Type", "Content-Encoding", "Content-Language", "Content-Location", "Content-MD5", "Content-Range",
        "Content-Disposition", "Expires", "Last-Modified", "Allow",
    };

    /// <summary>The response to give.</summary>
    public FuzzInput? Current { get; set; }

    /// <summary>For the runner's self-test: runs before each answer (to allocate, go asynchronous or never finish).</summary>
    public Func<Task>? Hook { get; set; }

    /// <summary>How many requests the current input has answered (a retried call asks again).</summary>
    public int Requests { get; set; }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests++;
        return Hook is null ? Task.FromResult(Respond(request)) : HookedAsync(request);
    }

    private async Task<HttpResponseMessage> HookedAsync(HttpRequestMessage request)
    {
        await Hook!().ConfigureAwait(false);
        return Respond(request);
    }

    private HttpResponseMessage Respond(HttpRequestMessage request)
    {
        var input = Current ?? throw new InvalidOperationException("The fuzz handler has no input.");
        var content = new FuzzContent(input);
        var response = new HttpResponseMessage((HttpStatusCode)input.Status) { RequestMessage = request, Content = content };
        foreach (var (name, value) in input.Headers)
        {
            if (ContentHeaders.Contains(name))
            {
                content.Headers.TryAddWithoutValidation(name, value);
            }
            else
            {
                response.Headers.TryAddWithoutValidation(name, value);
            }
        }

        if (input.ContentLength is { } length)
        {
            content.Headers.ContentLength = length;
        }

        return response;
    }

    /// <summary>A body served from the input, read through <see cref="FuzzBodyStream"/>.</summary>
    private sealed class FuzzContent(FuzzInput input) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            new FuzzBodyStream(input).CopyToAsync(stream);

        protected override Stream CreateContentReadStream(CancellationToken cancellationToken) => new FuzzBodyStream(input);

        protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult<Stream>(new FuzzBodyStream(input));

        protected override Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) => CreateContentReadStreamAsync();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
