namespace ModelRegistry.Testing;

/// <summary>
/// Counts the responses whose headers reached the client (a handler in every HttpClient of the factory), so a test knows
/// the client is reading a body before it lets an attempt timeout fire, and a body read outside the attempt shows as
/// the hang it is.
/// </summary>
internal sealed class ResponseObserver
{
    private readonly object _gate = new();
    private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];
    private int _responses;

    public DelegatingHandler CreateHandler() => new Handler(this);

    /// <summary>Waits until at least <paramref name="count"/> responses have arrived, at most <see cref="ProviderConformanceTests.HangGuard"/>.</summary>
    public async Task WaitForResponsesAsync(int count)
    {
        Task reached;
        lock (_gate)
        {
            if (_responses >= count)
            {
                return;
            }

            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, waiter));
            reached = waiter.Task;
        }

        try
        {
            await reached.WaitAsync(ProviderConformanceTests.HangGuard).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The client received {_responses} response(s), not {count}, within {ProviderConformanceTests.HangGuard.TotalSeconds:0} s.");
        }
    }

    private void Received()
    {
        lock (_gate)
        {
            _responses++;
            _waiters.RemoveAll(w => w.Count <= _responses && w.Reached.TrySetResult());
        }
    }

    private sealed class Handler(ResponseObserver observer) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            observer.Received();
            return response;
        }
    }
}
