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
/// A loopback endpoint (port 0) answering Mistral's streaming chat completions: the first request gets its first words
/// and then a stream that stays open, with no more words and no end, until the client goes away; every later request
/// gets a whole answer naming its prompt. So the first answer can end only by being cancelled, however slow or fast
/// the machine is.
/// </summary>
internal sealed class HeldStreamServer : IAsyncDisposable
{
    /// <summary>What the held answer says before it stops.</summary>
    public const string FirstWords = "The first words of an answer that never ends";

    private readonly WebApplication _app;
    private readonly TaskCompletionSource _heldStreamClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _requests;

    private HeldStreamServer(WebApplication app) => _app = app;

    /// <summary>The base address, e.g. <c>http://127.0.0.1:40123</c>.</summary>
    public string BaseAddress { get; private set; } = string.Empty;

    /// <summary>Completes when the client closed the held stream (it cancelled the answer).</summary>
    public Task HeldStreamClosed => _heldStreamClosed.Task;

    public static async Task<HeldStreamServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new HeldStreamServer(app);
        app.Run(server.AnswerAsync);
        await app.StartAsync();
        server.BaseAddress = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return server;
    }

    private async Task AnswerAsync(HttpContext context)
    {
        if (context.Request.Path != "/v1/chat/completions")
        {
            context.Response.StatusCode = 404;
            return;
        }

        var request = (await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted))!;
        var model = (string?)request["model"];
        var prompt = (string?)request["messages"]!.AsArray().Last()!["content"];
        context.Response.ContentType = "text/event-stream";
        await context.Response.StartAsync(context.RequestAborted);
        if (Interlocked.Increment(ref _requests) == 1)
        {
            await SendAsync(context, Chunk(model, FirstWords, finish: null));
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                _heldStreamClosed.TrySetResult();
            }

            return;
        }

        await SendAsync(context, Chunk(model, $"You asked {model}: \"{prompt}\".", finish: null));
        await SendAsync(context, Chunk(model, " The chat goes on.", finish: "stop"));
        await SendAsync(context, "[DONE]");
    }

    private static string Chunk(string? model, string text, string? finish)
    {
        var chunk = new JsonObject
        {
            ["id"] = "held-stream",
            ["object"] = "chat.completion.chunk",
            ["created"] = 1_767_225_600,
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["delta"] = new JsonObject { ["role"] = "assistant", ["content"] = text },
                ["finish_reason"] = finish,
            }),
        };
        if (finish is not null)
        {
            chunk["usage"] = new JsonObject { ["prompt_tokens"] = 12, ["completion_tokens"] = 9, ["total_tokens"] = 21 };
        }

        return chunk.ToJsonString();
    }

    private static async Task SendAsync(HttpContext context, string data)
    {
        await context.Response.WriteAsync($"data: {data}\n\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
