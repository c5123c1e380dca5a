using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using ModelRegistry.Providers;

namespace ModelRegistry.Tests.Support;

/// <summary>
/// A tiny provider wire on the kit, as a provider author would write it: <c>POST {endpoint}v1/tiny/{model}</c> with
/// <c>{"prompt"}</c> and the key in <c>x-tiny-key</c> (a header the kit does not know as a credential, so only what the
/// kit learned of the key scrubs it) answers <c>{"text","input_tokens","output_tokens"}</c>; streaming answers SSE
/// events <c>data: text</c> ending with <c>data: [DONE]</c>; <c>POST {endpoint}v1/embed</c> answers
/// <c>{"embeddings":[[...]]}</c>; <c>GET {endpoint}v1/health</c> answers 200 when the model is available.
/// </summary>
internal static class TinyWire
{
    public static readonly ProviderTransportOptions Protocol = new() { ProviderName = "tiny", DisplayName = "Tiny" };

    public static ProviderRequest Chat(Uri endpoint, string model, string prompt, string? key = null, bool stream = false) => new()
    {
        Method = HttpMethod.Post,
        Uri = new Uri(endpoint, "v1/tiny/" + ProviderRequest.PathSegment(model, "the model id") + (stream ? "/stream" : string.Empty)),
        Body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["model"] = model, ["prompt"] = prompt }),
        Accept = stream ? "text/event-stream" : "application/json",
        Headers = key is null ? [] : [new("x-tiny-key", key)],
    };

    public static ProviderRequest Embed(Uri endpoint, string model, IEnumerable<string> values, string? key = null) => new()
    {
        Method = HttpMethod.Post,
        Uri = new Uri(endpoint, "v1/embed"),
        Body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["model"] = model, ["input"] = values.ToArray() }),
        Headers = key is null ? [] : [new("x-tiny-key", key)],
    };

    /// <summary>Decodes a chat answer; throws what a strict decoder throws on a bad body (JsonException, KeyNotFoundException...).</summary>
    public static TinyAnswer ReadAnswer(ProviderResponse response)
    {
        using var document = JsonDocument.Parse(response.Body);
        var root = document.RootElement;
        return new TinyAnswer(
            root.GetProperty("text").GetString() ?? throw new InvalidOperationException("text is null"),
            root.TryGetProperty("input_tokens", out var input) ? input.GetInt64() : null,
            root.TryGetProperty("output_tokens", out var output) ? output.GetInt64() : null);
    }

    public static float[][] ReadEmbeddings(ProviderResponse response)
    {
        using var document = JsonDocument.Parse(response.Body);
        return [.. document.RootElement.GetProperty("embeddings").EnumerateArray().Select(v => v.EnumerateArray().Select(n => n.GetSingle()).ToArray())];
    }

    /// <summary>Decodes a stream: each event's data is a text, until <c>[DONE]</c>; a stream without it was cut off.</summary>
    public static async IAsyncEnumerable<string> ReadEvents(ProviderStream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new ServerSentEventReader(stream);
        while (await reader.ReadAsync(cancellationToken))
        {
            var data = Encoding.UTF8.GetString(reader.Data.Span);
            if (data == "[DONE]")
            {
                yield break;
            }

            yield return data;
        }

        throw new EndOfStreamException("the stream ended without [DONE]");
    }

    public static string Sse(params string[] texts) => string.Concat(texts.Select(t => $"data: {t}\n\n"));

    public static string Answer(string text, int input = 10, int output = 5) => $$"""{"text":"{{text}}","input_tokens":{{input}},"output_tokens":{{output}}}""";
}

internal sealed record TinyAnswer(string Text, long? InputTokens, long? OutputTokens);

/// <summary>The tiny wire's direct-use options: everything the kit's base class has.</summary>
internal sealed class TinyOptions : ProviderClientOptions;
