namespace ModelRegistry.Testing;

/// <summary>
/// Counts the responses whose headers reached the client (a handler in its HttpClient, or in every HttpClient of the
/// factory), so a test knows the client is reading a body before it lets an attempt timeout fire, and a body read
/// outside the attempt shows as the hang it is.
/// </summary>
public sealed class ResponseObserver
{
    private readonly object _gate = new();
    private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];
    private int _responses;

    /// <summary>How long, in real time, <see cref="WaitForResponsesAsync"/> waits before it fails: only a guard against a hung test. Default 20 s.</summary>
    public TimeSpan HangGuard { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>A handler that reports each response to this observer; set its inner handler, or add it to a factory's handlers.</summary>
    /// <returns>The handler.</returns>
    public DelegatingHandler CreateHandler() => new Handler(this);

    /// <summary>Waits until at least <paramref name="count"/> responses have arrived, at most <see cref="HangGuard"/>.</summary>
    /// <param name="count">How many responses.</param>
    /// <returns>A task that completes when they have arrived.</returns>
    /// <exception cref="TimeoutException">They did not arrive in time.</exception>
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
            await reached.WaitAsync(HangGuard).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The client received {_responses} response(s), not {count}, within {HangGuard.TotalSeconds:0} s.");
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
