using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
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
/// A loopback implementation of the Lambda Runtime API (2018-06-01) as published: <c>next</c> hands out queued
/// events with the request id, deadline, function ARN and trace id headers; <c>response</c> and <c>error</c> answer
/// 202, 400 InvalidRequestID for an unknown id, 403 for a second outcome of the same invocation, 413 past 6 MiB;
/// <c>init/error</c> records the start failure.
/// </summary>
internal sealed class FakeLambdaRuntimeApi : IAsyncDisposable
{
    private const int MaxPayload = (6 * 1024 * 1024) + 100;
    private const string Prefix = "/2018-06-01/runtime/";

    private readonly WebApplication _app;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>();
    private readonly ConcurrentDictionary<string, Pending> _inFlight = new();
    private readonly TaskCompletionSource<InvocationOutcome> _initError = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _outstanding;
    private int _mostOutstanding;

    private FakeLambdaRuntimeApi(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>host:port, as AWS_LAMBDA_RUNTIME_API takes it.</summary>
    public string Address { get; }

    /// <summary>The init error the runtime reported, when it reports one.</summary>
    public Task<InvocationOutcome> InitError => _initError.Task;

    /// <summary>When set, the next <c>next</c> request is answered with this status (once), as a broken API would.</summary>
    public int? FailOneNextWith { get; set; }

    /// <summary>Called when a <c>next</c> request arrives, before it is answered.</summary>
    public Action? OnNextRequested { get; set; }

    /// <summary>The most invocations handed out and not yet answered at once.</summary>
    public int MostOutstanding => Volatile.Read(ref _mostOutstanding);

    /// <summary>Every status the API answered, in order, as "METHOD path → status".</summary>
    public ConcurrentQueue<string> Log { get; } = new();

    public static async Task<FakeLambdaRuntimeApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        FakeLambdaRuntimeApi? api = null;
        app.Run(context => api!.HandleAsync(context));
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        api = new FakeLambdaRuntimeApi(app, $"{address.Host}:{address.Port}");
        return api;
    }

    /// <summary>Queues an event and waits for the runtime's response or error.</summary>
    public async Task<InvocationOutcome> InvokeAsync(string eventJson, TimeSpan? timeout = null, string? traceId = null)
    {
        var pending = new Pending(Guid.NewGuid().ToString(), Encoding.UTF8.GetBytes(eventJson), DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromSeconds(60)), traceId);
        _inFlight[pending.RequestId] = pending;
        await _queue.Writer.WriteAsync(pending);
        return await pending.Outcome.Task.WaitAsync(TimeSpan.FromMinutes(2));
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        if (context.Request.Method == "GET" && path == Prefix + "invocation/next")
        {
            OnNextRequested?.Invoke();
            if (FailOneNextWith is { } status)
            {
                FailOneNextWith = null;
                await AnswerAsync(context, status, """{"errorMessage":"broken","errorType":"Broken"}""", "GET next");
                return;
            }

            var next = await _queue.Reader.ReadAsync(context.RequestAborted);
            var now = Interlocked.Increment(ref _outstanding);
            for (var most = Volatile.Read(ref _mostOutstanding); now > most; most = Volatile.Read(ref _mostOutstanding))
            {
                Interlocked.CompareExchange(ref _mostOutstanding, now, most);
            }

            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            context.Response.Headers["Lambda-Runtime-Aws-Request-Id"] = next.RequestId;
            context.Response.Headers["Lambda-Runtime-Deadline-Ms"] = next.Deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            context.Response.Headers["Lambda-Runtime-Invoked-Function-Arn"] = "arn:aws:lambda:eu-west-1:123456789012:function:model-registry-chat";
            if (next.TraceId is not null)
            {
                context.Response.Headers["Lambda-Runtime-Trace-Id"] = next.TraceId;
            }

            Log.Enqueue($"GET next → 200 {next.RequestId}");
            await context.Response.Body.WriteAsync(next.Event);
            return;
        }

        if (context.Request.Method == "POST" && path == Prefix + "init/error")
        {
            _initError.TrySetResult(new InvocationOutcome("init", null, context.Request.Headers["Lambda-Runtime-Function-Error-Type"].ToString(), body.ToArray()));
            await AnswerAsync(context, 202, """{"status":"OK"}""", "POST init/error");
            return;
        }

        var parts = path.StartsWith(Prefix + "invocation/", StringComparison.Ordinal) ? path[(Prefix.Length + "invocation/".Length)..].Split('/') : [];
        if (context.Request.Method == "POST" && parts is [var id, "response" or "error"])
        {
            var what = parts[1];
            if (!_inFlight.TryGetValue(Uri.UnescapeDataString(id), out var pending))
            {
                await AnswerAsync(context, 400, """{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}""", $"POST {what}");
                return;
            }

            if (what == "response" && body.Length > MaxPayload)
            {
                await AnswerAsync(context, 413, $$"""{"errorMessage":"Exceeded maximum allowed payload size ({{MaxPayload}} bytes).","errorType":"RequestEntityTooLarge"}""", "POST response");
                return;
            }

            var outcome = what == "response"
                ? new InvocationOutcome(pending.RequestId, body.ToArray(), null, null)
                : new InvocationOutcome(pending.RequestId, null, context.Request.Headers["Lambda-Runtime-Function-Error-Type"].ToString(), body.ToArray());
            if (!pending.Outcome.TrySetResult(outcome))
            {
                await AnswerAsync(context, 403, """{"errorMessage":"Invalid state transition","errorType":"InvalidStateTransition"}""", $"POST {what}");
                return;
            }

            Interlocked.Decrement(ref _outstanding); // before the 202: the runtime asks for the next one only after it
            await AnswerAsync(context, 202, """{"status":"OK"}""", $"POST {what}");
            return;
        }

        await AnswerAsync(context, 404, """{"errorMessage":"Not found","errorType":"NotFound"}""", $"{context.Request.Method} {path}");
    }

    private async Task AnswerAsync(HttpContext context, int status, string json, string what)
    {
        Log.Enqueue($"{what} → {status}");
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed record Pending(string RequestId, byte[] Event, DateTimeOffset Deadline, string? TraceId)
    {
        public TaskCompletionSource<InvocationOutcome> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>What the runtime posted for one invocation: a response body, or an error type and body.</summary>
internal sealed record InvocationOutcome(string RequestId, byte[]? Response, string? ErrorType, byte[]? ErrorBody)
{
    public string ResponseText => Encoding.UTF8.GetString(Response ?? []);

    public string ErrorText => Encoding.UTF8.GetString(ErrorBody ?? []);
}
