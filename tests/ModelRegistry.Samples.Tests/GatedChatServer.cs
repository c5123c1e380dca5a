using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ModelRegistry.Samples.Tests;

/// <summary>
/// A loopback Mistral chat completions endpoint (port 0) that holds every answer until <see cref="Release"/> is called,
/// then answers each request about its own prompt: text "answer to PROMPT", id "resp-PROMPT". It counts the requests
/// that have arrived and the most held at once, so a test can wait until N calls are in flight together.
/// </summary>
internal sealed class GatedChatServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private readonly List<TaskCompletionSource> _waiters = [];
    private int _arrived;
    private int _inFlight;
    private int _mostInFlight;

    private GatedChatServer(WebApplication app) => _app = app;

    public string BaseAddress { get; private set; } = string.Empty;

    /// <summary>The most requests in flight at once.</summary>
    public int MostInFlight => Volatile.Read(ref _mostInFlight);

    public static async Task<GatedChatServer> StartAsync(bool held)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new GatedChatServer(app);
        if (!held)
        {
            server.Release();
        }

        app.Run(server.AnswerAsync);
        await app.StartAsync();
        server.BaseAddress = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return server;
    }

    /// <summary>Lets every held and later request be answered.</summary>
    public void Release() => _released.TrySetResult();

    /// <summary>Completes once <paramref name="count"/> requests have arrived (a two-minute hang guard, not a timing window).</summary>
    public Task WaitForRequestsAsync(int count)
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_arrived >= count)
            {
                return Task.CompletedTask;
            }

            _waiters.Add(waiter);
        }

        return WaitAsync(waiter, count);
    }

    private async Task WaitAsync(TaskCompletionSource waiter, int count)
    {
        while (true)
        {
            await waiter.Task.WaitAsync(TimeSpan.FromMinutes(2));
            lock (_gate)
            {
                if (_arrived >= count)
                {
                    return;
                }

                waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add(waiter);
            }
        }
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var request = (await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted))!;
        var prompt = (string)request["messages"]!.AsArray().Last()!["content"]!;
        var now = Interlocked.Increment(ref _inFlight);
        for (var most = Volatile.Read(ref _mostInFlight); now > most; most = Volatile.Read(ref _mostInFlight))
        {
            Interlocked.CompareExchange(ref _mostInFlight, now, most);
        }

        TaskCompletionSource[] wake;
        lock (_gate)
        {
            _arrived++;
            wake = [.. _waiters];
            _waiters.Clear();
        }

        foreach (var waiter in wake)
        {
            waiter.TrySetResult();
        }

        try
        {
            await _released.Task.WaitAsync(context.RequestAborted);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject
        {
            ["id"] = "resp-" + prompt,
            ["object"] = "chat.completion",
            ["created"] = 1764300000,
            ["model"] = "mistral-large-latest",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = "answer to " + prompt },
                ["finish_reason"] = "stop",
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 3, ["completion_tokens"] = 4, ["total_tokens"] = 7 },
        }.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
