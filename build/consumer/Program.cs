using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry;
using ModelRegistry.Emf;
using ModelRegistry.Providers;

// The consumer smoke test: what a new user writes, built from the packages. One registry entry per provider, every
// entry pointed at a loopback endpoint served here that answers each provider's wire format minimally; each entry must
// answer through AddModelRegistry(), send the (fake) key, and leave one EMF line. Exit code 0 only when all of that held.
const string Key = "sk-test-consumer-smoke";
using var listener = new TcpListener(IPAddress.Loopback, 0); // port 0: the system picks a free one
listener.Start();
var endpoint = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
var seen = new ConcurrentQueue<(string Model, string Head)>();
using var stop = new CancellationTokenSource();
var serving = LoopbackServer.ServeAsync(listener, seen, stop.Token);

string[] providers = ["bedrock", "mistral", "anthropic", "openai"];
var registry = "{" + string.Join(",", providers.Select(p =>
    $$"""
    "{{p}}-entry": { "provider": "{{p}}", "model_id": "smoke-{{p}}", "endpoint": "{{endpoint}}", "api_key": "env:SMOKE_API_KEY"{{(p == "bedrock" ? ", \"region\": \"us-east-1\"" : "")}} }
    """)) + "}";

var metrics = new StringWriter();
var services = new ServiceCollection();
services.AddSingleton(EnvironmentProvider.FromVariables(new Dictionary<string, string?> { ["SMOKE_API_KEY"] = Key }));
services.AddModelRegistry()
    .FromJson(registry)
    .AddBedrock()
    .AddMistral()
    .AddAnthropic()
    .AddOpenAI()
    .UseEmfMetrics(o => o.Sink = EmfSink.ToTextWriter(TextWriter.Synchronized(metrics)));
await using var provider = services.BuildServiceProvider();
var models = provider.GetRequiredService<IModelRegistry>();

var problems = new List<string>();
foreach (var p in providers)
{
    try
    {
        var response = await models.GetChatClient($"{p}-entry").GetResponseAsync("ping");
        if (response.Text != $"pong from smoke-{p}")
        {
            problems.Add($"{p}: answered '{response.Text}', expected 'pong from smoke-{p}'");
        }

        if (!seen.Any(r => r.Model == $"smoke-{p}" && r.Head.Contains(Key, StringComparison.Ordinal)))
        {
            problems.Add($"{p}: no request for smoke-{p} carried the key");
        }

        if (!metrics.ToString().Contains($"\"{p}-entry\"", StringComparison.Ordinal))
        {
            problems.Add($"{p}: no EMF line names {p}-entry");
        }
    }
    catch (Exception ex)
    {
        problems.Add($"{p}: {ex.GetType().Name}: {ex.Message}");
    }
}

stop.Cancel();
await serving;
var version = typeof(IModelRegistry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
foreach (var problem in problems)
{
    Console.Error.WriteLine($"consumer: {problem}");
}

Console.WriteLine(problems.Count == 0
    ? $"consumer: {providers.Length} providers answered through AddModelRegistry() with EMF lines (ModelRegistry {version})"
    : $"consumer: {problems.Count} problem(s) (ModelRegistry {version})");
return problems.Count == 0 ? 0 : 1;

/// <summary>A one-request-per-connection HTTP/1.1 server answering each provider's chat call with "pong from MODEL".</summary>
internal static class LoopbackServer
{
    public static async Task ServeAsync(TcpListener listener, ConcurrentQueue<(string, string)> seen, CancellationToken cancellationToken)
    {
        var answers = new List<Task>();
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var client = await listener.AcceptTcpClientAsync(cancellationToken);
                answers.Add(AnswerAsync(client, seen));
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await Task.WhenAll(answers);
    }

    private static async Task AnswerAsync(TcpClient client, ConcurrentQueue<(string, string)> seen)
    {
        using var _ = client;
        var stream = client.GetStream();
        var reader = new RequestReader(stream);
        var head = await reader.ReadHeadAsync();
        var body = await reader.ReadBodyAsync(head);
        var path = head[..head.IndexOf("\r\n", StringComparison.Ordinal)].Split(' ')[1];
        string model;
        string json;
        if (path.StartsWith("/model/", StringComparison.Ordinal) && path.EndsWith("/converse", StringComparison.Ordinal))
        {
            model = Uri.UnescapeDataString(path["/model/".Length..path.LastIndexOf('/')]);
            json = $$$"""{"output":{"message":{"role":"assistant","content":[{"text":"pong from {{{model}}}"}]}},"stopReason":"end_turn","usage":{"inputTokens":3,"outputTokens":3,"totalTokens":6},"metrics":{"latencyMs":1}}""";
        }
        else
        {
            using var request = JsonDocument.Parse(body);
            model = request.RootElement.GetProperty("model").GetString() ?? "";
            json = path.EndsWith("/messages", StringComparison.Ordinal)
                ? $$$"""{"id":"msg_smoke","type":"message","role":"assistant","model":"{{{model}}}","content":[{"type":"text","text":"pong from {{{model}}}"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":3}}"""
                : $$$"""{"id":"smoke","object":"chat.completion","created":0,"model":"{{{model}}}","choices":[{"index":0,"message":{"role":"assistant","content":"pong from {{{model}}}"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":3,"total_tokens":6}}""";
        }

        seen.Enqueue((model, head));
        var bytes = Encoding.UTF8.GetBytes(json);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n"));
        await stream.WriteAsync(bytes);
    }

    /// <summary>Reads a request's head and its body, whether sent with Content-Length or chunked.</summary>
    private sealed class RequestReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[16384];
        private int _start;
        private int _end;

        public async Task<string> ReadHeadAsync()
        {
            var head = new StringBuilder();
            while (await ReadLineAsync() is { Length: > 0 } line)
            {
                head.Append(line).Append("\r\n");
            }

            return head.ToString();
        }

        public async Task<byte[]> ReadBodyAsync(string head)
        {
            var headers = head.Split("\r\n").Skip(1).Where(h => h.Contains(':', StringComparison.Ordinal))
                .ToDictionary(h => h[..h.IndexOf(':', StringComparison.Ordinal)].Trim(), h => h[(h.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim(), StringComparer.OrdinalIgnoreCase);
            if (headers.TryGetValue("Content-Length", out var length))
            {
                return await ReadExactAsync(int.Parse(length, System.Globalization.CultureInfo.InvariantCulture));
            }

            var body = new MemoryStream();
            if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                while (true)
                {
                    var size = Convert.ToInt32((await ReadLineAsync()).Split(';')[0].Trim(), 16);
                    if (size == 0)
                    {
                        while ((await ReadLineAsync()).Length > 0)
                        {
                        }

                        break;
                    }

                    body.Write(await ReadExactAsync(size));
                    await ReadLineAsync();
                }
            }

            return body.ToArray();
        }

        private async Task<string> ReadLineAsync()
        {
            var line = new MemoryStream();
            while (true)
            {
                if (_start == _end && !await FillAsync())
                {
                    throw new EndOfStreamException("the client closed the connection in the middle of a request");
                }

                var b = _buffer[_start++];
                if (b == '\n')
                {
                    return Encoding.ASCII.GetString(line.ToArray()).TrimEnd('\r');
                }

                line.WriteByte(b);
            }
        }

        private async Task<byte[]> ReadExactAsync(int count)
        {
            var result = new byte[count];
            for (var filled = 0; filled < count;)
            {
                if (_start == _end && !await FillAsync())
                {
                    throw new EndOfStreamException("the client closed the connection in the middle of a body");
                }

                var n = Math.Min(count - filled, _end - _start);
                Array.Copy(_buffer, _start, result, filled, n);
                _start += n;
                filled += n;
            }

            return result;
        }

        private async Task<bool> FillAsync()
        {
            _start = 0;
            _end = await stream.ReadAsync(_buffer);
            return _end > 0;
        }
    }
}
