using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelRegistry.Testing;

namespace ModelRegistry.Samples.Chat;

/// <summary>
/// The offline demo's model endpoint: a loopback HTTP server that answers the way the providers' APIs answer (Mistral's
/// and OpenAI's chat completions, Anthropic's Messages API, Bedrock's Converse / ConverseStream: the same JSON, the same
/// SSE and event-stream framing, the same usage fields), with a canned answer that says what happened. The real providers, their HTTP clients, the registry and the
/// metrics middleware all run; only the model's words are canned.
/// </summary>
internal sealed class OfflineDemoServer : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Task _loop;

    private OfflineDemoServer(HttpListener listener, Uri baseAddress)
    {
        _listener = listener;
        BaseAddress = baseAddress;
        _loop = Task.Run(ServeAsync);
    }

    public Uri BaseAddress { get; }

    public static OfflineDemoServer Start()
    {
        // HttpListener cannot bind port 0: take a port that was free a moment ago, and another one when a process
        // (say, another test's server) took it in between.
        for (var attempt = 1; ; attempt++)
        {
            int port;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }

            var baseAddress = new Uri($"http://127.0.0.1:{port}/");
            var listener = new HttpListener();
            listener.Prefixes.Add(baseAddress.ToString());
            try
            {
                listener.Start();
                return new OfflineDemoServer(listener, baseAddress);
            }
            catch (Exception ex) when ((ex is HttpListenerException or SocketException) && attempt < 5)
            {
                listener.Close();
            }
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private static async Task AnswerAsync(HttpListenerContext context)
    {
        using var response = context.Response;
        try
        {
            var request = await JsonNode.ParseAsync(context.Request.InputStream);
            var path = context.Request.Url!.AbsolutePath;
            if (path.EndsWith("/chat/completions", StringComparison.Ordinal))
            {
                await ChatCompletionsAsync(request!, response); // Mistral's and OpenAI's wire: the same shape
            }
            else if (path.EndsWith("/v1/messages", StringComparison.Ordinal))
            {
                await AnthropicAsync(request!, response);
            }
            else if (path.StartsWith("/model/", StringComparison.Ordinal))
            {
                await BedrockAsync(Uri.UnescapeDataString(path["/model/".Length..path.LastIndexOf('/')]), path.EndsWith("/converse-stream", StringComparison.Ordinal), request!, response);
            }
            else
            {
                response.StatusCode = 404;
                await response.OutputStream.WriteAsync("{\"message\":\"the offline demo serves chat only\"}"u8.ToArray());
            }
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException)
        {
            // The client went away (Ctrl-C); nothing to answer.
        }
    }

    /// <summary>The canned answer, cut in words the way a model streams tokens.</summary>
    private static string[] Words(string model, JsonNode request)
    {
        var prompt = LastUserText(request) ?? "(no prompt)";
        var text = $"[offline demo] You asked {model}: \"{prompt}\". This answer came back through the whole stack — "
            + "the registry, the provider's client, HTTP and the metrics middleware — from a local endpoint that speaks the "
            + "provider's wire format. Set MISTRAL_API_KEY, AWS credentials (or AWS_BEARER_TOKEN_BEDROCK for the Mantle entries), "
            + "ANTHROPIC_API_KEY or OPENAI_API_KEY to ask a real model.";
        return text.Split(' ').Select((w, i) => i == 0 ? w : " " + w).ToArray();
    }

    private static string? LastUserText(JsonNode request)
    {
        var messages = request["messages"]?.AsArray();
        var last = messages?.LastOrDefault(m => (string?)m?["role"] == "user");
        return last?["content"] switch
        {
            JsonValue value => value.GetValue<string>(),
            JsonArray parts => string.Concat(parts.Select(p => (string?)p?["text"])),
            _ => null,
        };
    }

    private static int CountInput(JsonNode request) => Math.Max(1, request.ToJsonString().Length / 4);

    private static async Task ChatCompletionsAsync(JsonNode request, HttpListenerResponse response)
    {
        var model = (string?)request["model"] ?? "model";
        var words = Words(model, request);
        var usage = new JsonObject { ["prompt_tokens"] = CountInput(request), ["completion_tokens"] = words.Length, ["total_tokens"] = CountInput(request) + words.Length };
        const string id = "offline-demo-0001";
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if ((bool?)request["stream"] != true)
        {
            response.ContentType = "application/json";
            await WriteAsync(response, new JsonObject
            {
                ["id"] = id,
                ["object"] = "chat.completion",
                ["created"] = created,
                ["model"] = model,
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = string.Concat(words) },
                    ["finish_reason"] = "stop",
                }),
                ["usage"] = usage,
            }.ToJsonString());
            return;
        }

        response.ContentType = "text/event-stream";
        response.SendChunked = true;
        for (var i = 0; i < words.Length; i++)
        {
            var delta = i == 0 ? new JsonObject { ["role"] = "assistant", ["content"] = words[i] } : new JsonObject { ["content"] = words[i] };
            var chunk = new JsonObject
            {
                ["id"] = id,
                ["object"] = "chat.completion.chunk",
                ["created"] = created,
                ["model"] = model,
                ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = i == words.Length - 1 ? "stop" : null }),
            };
            if (i == words.Length - 1)
            {
                chunk["usage"] = usage.DeepClone();
            }

            await WriteAsync(response, $"data: {chunk.ToJsonString()}\n\n");
            await Task.Delay(15);
        }

        await WriteAsync(response, "data: [DONE]\n\n");
    }

    private static async Task AnthropicAsync(JsonNode request, HttpListenerResponse response)
    {
        var model = (string?)request["model"] ?? "claude";
        var words = Words(model, request);
        var input = CountInput(request);
        const string id = "msg_offline_demo_0001";
        if ((bool?)request["stream"] != true)
        {
            response.ContentType = "application/json";
            await WriteAsync(response, new JsonObject
            {
                ["id"] = id,
                ["type"] = "message",
                ["role"] = "assistant",
                ["model"] = model,
                ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = string.Concat(words) }),
                ["stop_reason"] = "end_turn",
                ["stop_sequence"] = null,
                ["usage"] = new JsonObject { ["input_tokens"] = input, ["output_tokens"] = words.Length },
            }.ToJsonString());
            return;
        }

        response.ContentType = "text/event-stream";
        response.SendChunked = true;
        async Task EventAsync(string name, JsonObject data) => await WriteAsync(response, $"event: {name}\ndata: {data.ToJsonString()}\n\n");
        await EventAsync("message_start", new JsonObject
        {
            ["type"] = "message_start",
            ["message"] = new JsonObject
            {
                ["id"] = id,
                ["type"] = "message",
                ["role"] = "assistant",
                ["model"] = model,
                ["content"] = new JsonArray(),
                ["stop_reason"] = null,
                ["usage"] = new JsonObject { ["input_tokens"] = input, ["output_tokens"] = 1 },
            },
        });
        await EventAsync("content_block_start", new JsonObject { ["type"] = "content_block_start", ["index"] = 0, ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = "" } });
        foreach (var word in words)
        {
            await EventAsync("content_block_delta", new JsonObject { ["type"] = "content_block_delta", ["index"] = 0, ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = word } });
            await Task.Delay(15);
        }

        await EventAsync("content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = 0 });
        await EventAsync("message_delta", new JsonObject
        {
            ["type"] = "message_delta",
            ["delta"] = new JsonObject { ["stop_reason"] = "end_turn", ["stop_sequence"] = null },
            ["usage"] = new JsonObject { ["output_tokens"] = words.Length },
        });
        await EventAsync("message_stop", new JsonObject { ["type"] = "message_stop" });
    }

    private static async Task BedrockAsync(string modelId, bool stream, JsonNode request, HttpListenerResponse response)
    {
        var words = Words(modelId, request);
        var usage = new JsonObject { ["inputTokens"] = CountInput(request), ["outputTokens"] = words.Length, ["totalTokens"] = CountInput(request) + words.Length };
        if (!stream)
        {
            response.ContentType = "application/json";
            await WriteAsync(response, new JsonObject
            {
                ["output"] = new JsonObject { ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = new JsonArray(new JsonObject { ["text"] = string.Concat(words) }) } },
                ["stopReason"] = "end_turn",
                ["usage"] = usage,
                ["metrics"] = new JsonObject { ["latencyMs"] = 42 },
            }.ToJsonString());
            return;
        }

        response.ContentType = "application/vnd.amazon.eventstream";
        response.SendChunked = true;
        await response.OutputStream.WriteAsync(EventStreamEncoder.Event("messageStart", """{"role":"assistant"}"""));
        foreach (var word in words)
        {
            var delta = new JsonObject { ["contentBlockIndex"] = 0, ["delta"] = new JsonObject { ["text"] = word } };
            await response.OutputStream.WriteAsync(EventStreamEncoder.Event("contentBlockDelta", delta.ToJsonString()));
            await response.OutputStream.FlushAsync();
            await Task.Delay(15);
        }

        await response.OutputStream.WriteAsync(EventStreamEncoder.Event("contentBlockStop", """{"contentBlockIndex":0}"""));
        await response.OutputStream.WriteAsync(EventStreamEncoder.Event("messageStop", """{"stopReason":"end_turn"}"""));
        var metadata = new JsonObject { ["usage"] = usage, ["metrics"] = new JsonObject { ["latencyMs"] = 42 } };
        await response.OutputStream.WriteAsync(EventStreamEncoder.Event("metadata", metadata.ToJsonString()));
    }

    private static async Task WriteAsync(HttpListenerResponse response, string text)
    {
        await response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(text));
        await response.OutputStream.FlushAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
