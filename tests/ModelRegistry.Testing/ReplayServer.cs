using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ModelRegistry.Testing;

/// <summary>
/// A loopback HTTP server (127.0.0.1, a free port) that answers requests, in order, with queued responses:
/// a cassette's recorded responses or scripted ones with faults. It records every request it receives, so a test
/// can compare what the client sent with what the recorded client sent. A request with nothing queued gets a 599
/// naming the problem, so a test never hangs.
/// </summary>
public sealed class ReplayServer : IAsyncDisposable
{
    private static readonly HashSet<string> HopHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "content-length", "transfer-encoding", "content-encoding", "connection", "keep-alive",
    };

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ScriptedResponse> _responses = new();
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private int _inFlight;
    private int _mostInFlight;

    private ReplayServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary>The server's base address, e.g. <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The requests received so far, in order.</summary>
    public IReadOnlyList<ReceivedRequest> Requests => [.. _requests];

    /// <summary>How many requests the server is handling now (received, not yet answered).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>The most requests the server has handled at once.</summary>
    public int MostInFlight => Volatile.Read(ref _mostInFlight);

    /// <summary>How many queued responses have not been served.</summary>
    public int Pending => _responses.Count;

    /// <summary>Starts a server with nothing queued on a free port of 127.0.0.1 (the system picks it as the server binds).</summary>
    public static Task<ReplayServer> StartAsync() =>
        StartAsync(host => host.UseUrls("http://127.0.0.1:0"), address: null);

    /// <summary>
    /// Starts a server with nothing queued listening on a port the test held until now, which clients were refused on
    /// (a service that starts late): the port is never released in between, so no other process can answer there.
    /// </summary>
    /// <param name="port">The held port; the server now owns it and releases it when it stops.</param>
    public static Task<ReplayServer> StartAsync(ReservedPort port)
    {
        ArgumentNullException.ThrowIfNull(port);
        var sockets = port.Take();
        return StartAsync(
            host =>
            {
                host.UseKestrel(o =>
                {
                    foreach (var socket in sockets)
                    {
                        o.Listen((IPEndPoint)socket.LocalEndPoint!);
                    }
                });

                // Kestrel listens on the held sockets instead of binding new ones.
                host.UseSockets(o => o.CreateBoundListenSocket = endpoint => sockets.Single(s => s.LocalEndPoint!.Equals(endpoint)));
            },
            new Uri($"http://127.0.0.1:{port.Port.ToString(CultureInfo.InvariantCulture)}/"));
    }

    private static async Task<ReplayServer> StartAsync(Action<IWebHostBuilder> listen, Uri? address)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Limits.MaxRequestBodySize = null);
        listen(builder.WebHost);
        var app = builder.Build();
        ReplayServer? server = null;
        app.Run(context => server!.HandleAsync(context));
        await app.StartAsync().ConfigureAwait(false);
        address ??= new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First().TrimEnd('/') + "/");
        server = new ReplayServer(app, address);
        return server;
    }

    /// <summary>Starts a server that will answer with a cassette's recorded responses, in order.</summary>
    /// <param name="cassette">The cassette.</param>
    public static async Task<ReplayServer> StartAsync(Cassette cassette)
    {
        ArgumentNullException.ThrowIfNull(cassette);
        var server = await StartAsync().ConfigureAwait(false);
        foreach (var interaction in cassette.Interactions)
        {
            server.Enqueue(ScriptedResponse.From(interaction.Response));
        }

        return server;
    }

    /// <summary>Queues responses, answered in order.</summary>
    /// <param name="responses">The responses.</param>
    public ReplayServer Enqueue(params ScriptedResponse[] responses)
    {
        foreach (var response in responses)
        {
            _responses.Enqueue(response);
        }

        return this;
    }

    /// <summary>Drops the queued responses not served yet (a call the client refused itself left its answer queued).</summary>
    public void DiscardPending() => _responses.Clear();

    private async Task HandleAsync(HttpContext context)
    {
        var now = Interlocked.Increment(ref _inFlight);
        for (var most = Volatile.Read(ref _mostInFlight); now > most; most = Volatile.Read(ref _mostInFlight))
        {
            Interlocked.CompareExchange(ref _mostInFlight, now, most);
        }

        try
        {
            await AnswerAsync(context).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var request = context.Request;
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.RequestAborted).ConfigureAwait(false);
        var headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (request.Path + request.QueryString).ToString();
        _requests.Enqueue(new ReceivedRequest(request.Method, target, headers, body.ToArray()));

        if (!_responses.TryDequeue(out var scripted))
        {
            context.Response.StatusCode = 599;
            await context.Response.WriteAsync($"replay server: no response queued for request #{_requests.Count} {request.Method} {target}").ConfigureAwait(false);
            return;
        }

        if (scripted.HoldUntil is { } hold)
        {
            try
            {
                await hold.WaitAsync(context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        if (scripted.DelayBeforeHeaders > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(scripted.DelayBeforeHeaders, context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        if (scripted.ResetConnection)
        {
            context.Abort();
            return;
        }

        var response = context.Response;
        response.StatusCode = scripted.Status;
        foreach (var (name, value) in scripted.Headers)
        {
            if (!HopHeaders.Contains(name))
            {
                response.Headers.Append(name, value);
            }
        }

        if (scripted.Chunks is { } chunks)
        {
            await response.StartAsync(context.RequestAborted).ConfigureAwait(false);
            foreach (var (bytes, delay) in chunks)
            {
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, context.RequestAborted).ConfigureAwait(false);
                }

                await response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
                await response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            }

            return;
        }

        response.ContentLength = scripted.Body.Length;
        if (scripted.TruncateAfter is { } cut)
        {
            await response.Body.WriteAsync(scripted.Body.AsMemory(0, Math.Min(cut, scripted.Body.Length)), context.RequestAborted).ConfigureAwait(false);
            await response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);

            // An abort resets the connection; give the client a moment to read what was sent first, or the reset
            // can discard it and the client sees no response at all instead of a short body.
            await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None).ConfigureAwait(false);
            context.Abort();
            return;
        }

        await response.Body.WriteAsync(scripted.Body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
