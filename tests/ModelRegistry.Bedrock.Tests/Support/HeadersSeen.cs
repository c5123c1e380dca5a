namespace ModelRegistry.Bedrock.Tests.Support;

/// <summary>
/// An HTTP handler that tells a test when response headers have arrived, so it can act while the client is reading a
/// body (a stall or a reset after the headers) instead of racing it.
/// </summary>
internal sealed class HeadersSeen() : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly SemaphoreSlim _seen = new(0);

    /// <summary>Completes when one more response's headers have arrived (at most 10 real seconds).</summary>
    public async Task NextAsync()
    {
        if (!await _seen.WaitAsync(TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException("no response headers arrived");
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        _seen.Release();
        return response;
    }
}
