using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using ModelRegistry.Samples.Lambda.Runtime;

namespace ModelRegistry.Samples.Tests;

/// <summary>The sample's runtime loop against a loopback Runtime API.</summary>
public sealed class LambdaRuntimeTests
{
    private static async Task<(FakeLambdaRuntimeApi Api, CancellationTokenSource Stop, Task Loop)> StartAsync(Func<LambdaInvocation, CancellationToken, Task<byte[]>> handler)
    {
        var api = await FakeLambdaRuntimeApi.StartAsync();
        var stop = new CancellationTokenSource();
        var bootstrap = new LambdaBootstrap(LambdaRuntimeClient.Create(api.Address), handler, NullLogger.Instance, TimeProvider.System);
        return (api, stop, Task.Run(() => bootstrap.RunAsync(stop.Token)));
    }

    [Test]
    public async Task Responses_errors_and_timeouts_are_posted_and_the_loop_keeps_serving()
    {
        var (api, stop, loop) = await StartAsync(async (invocation, ct) =>
        {
            var text = Encoding.UTF8.GetString(invocation.Event);
            return text switch
            {
                "\"bad\"" => throw new FunctionErrorException("InvalidEvent", "send a prompt"),
                "\"boom\"" => throw new InvalidOperationException("it broke"),
                "\"slow\"" => await NeverAsync(ct),
                _ => Encoding.UTF8.GetBytes($$"""{"echo":{{text}}}"""),
            };
        });
        await using var _ = api;

        var ok = await api.InvokeAsync("\"hi\"", traceId: "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1");
        var bad = await api.InvokeAsync("\"bad\"");
        var boom = await api.InvokeAsync("\"boom\"");
        var slow = await api.InvokeAsync("\"slow\"", timeout: TimeSpan.FromMilliseconds(800));
        var again = await api.InvokeAsync("\"again\"");
        await stop.CancelAsync();

        Assert.Multiple(() =>
        {
            Assert.That(ok.ResponseText, Is.EqualTo("""{"echo":"hi"}"""));
            Assert.That(bad.ErrorType, Is.EqualTo("Function.InvalidEvent"), "only Function.X / Runtime.X types survive the platform's filtering");
            Assert.That(JsonNode.Parse(bad.ErrorText)!["errorMessage"]!.GetValue<string>(), Is.EqualTo("send a prompt"));
            Assert.That(JsonNode.Parse(bad.ErrorText)!["errorType"]!.GetValue<string>(), Is.EqualTo("Function.InvalidEvent"));
            Assert.That(boom.ErrorType, Is.EqualTo("Function.InvalidOperationException"));
            Assert.That(slow.ErrorType, Is.EqualTo("Function.Timeout"));
            Assert.That(again.ResponseText, Is.EqualTo("""{"echo":"again"}"""), "the loop serves the next invocation after errors");
            Assert.That(api.Log.Where(l => l.StartsWith("POST", StringComparison.Ordinal)), Has.All.EndsWith("→ 202"));
        });
        Assert.CatchAsync<OperationCanceledException>(() => loop);
        stop.Dispose();
    }

    private static async Task<byte[]> NeverAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return [];
    }

    [Test]
    public async Task The_trace_id_of_each_invocation_is_set_for_the_handler()
    {
        var seen = new List<string?>();
        var (api, stop, loop) = await StartAsync((_, _) =>
        {
            seen.Add(Environment.GetEnvironmentVariable("_X_AMZN_TRACE_ID"));
            return Task.FromResult("{}"u8.ToArray());
        });
        await using var _ = api;

        await api.InvokeAsync("{}", traceId: "Root=1-aaa");
        await api.InvokeAsync("{}");
        await stop.CancelAsync();

        Assert.That(seen, Is.EqualTo(new[] { "Root=1-aaa", null }));
        Assert.CatchAsync<OperationCanceledException>(() => loop);
        stop.Dispose();
    }

    [Test]
    public async Task The_client_reports_the_api_refusals_clearly()
    {
        await using var api = await FakeLambdaRuntimeApi.StartAsync();
        var client = LambdaRuntimeClient.Create(api.Address);

        var ex = Assert.ThrowsAsync<InvalidOperationException>(() => client.RespondAsync("no-such-id", "{}"u8.ToArray(), CancellationToken.None));
        Assert.That(ex!.Message, Does.Contain("refused the response with 400").And.Contain("InvalidRequestID"));

        await client.ReportInitErrorAsync("Runtime.InitError", "registry missing", CancellationToken.None);
        var init = await api.InitError;
        Assert.That(init.ErrorType, Is.EqualTo("Runtime.InitError"));
        Assert.That(JsonNode.Parse(init.ErrorText)!["errorMessage"]!.GetValue<string>(), Is.EqualTo("registry missing"));
    }
}
