using System.Text;
using System.Text.Json;

namespace ModelRegistry.Providers;

/// <summary>
/// What a provider's error response says, as its <see cref="ProviderTransportOptions.ParseError"/> reads it. The kit
/// turns it into the one <see cref="ModelProviderException"/>, with the status, <c>Retry-After</c>, entry name and
/// scrubbed message; the retry policy and the exception use the same classification.
/// </summary>
/// <param name="Code">The provider's error code or type, e.g. <c>ThrottlingException</c> or <c>3230</c>.</param>
/// <param name="Message">The provider's message, with any hint on how to fix it. The kit makes it one bounded line.</param>
public readonly record struct ProviderError(string? Code, string? Message)
{
    /// <summary>Whether retrying may help; <see langword="null"/> for the status's default (408, 429, 500, 502, 503, 504).</summary>
    public bool? IsRetryable { get; init; }

    /// <summary>Whether the provider refused for a rate or quota limit; <see langword="null"/> for the status's default (429).</summary>
    public bool? IsThrottling { get; init; }

    /// <summary>
    /// The phrases (lower case) with which providers say an input does not fit the model's context window: Bedrock's
    /// "Input is too long for requested model" and "too many input tokens", Anthropic's (also through Bedrock)
    /// "prompt is too long: N tokens &gt; M maximum" and "input length and max_tokens exceed context limit", Mistral's
    /// "... too large for model with N maximum context length", and the OpenAI-style "maximum context length is N" /
    /// <c>context_length_exceeded</c>.
    /// </summary>
    private static readonly string[] ContextWindowPhrases =
    [
        "input is too long", "prompt is too long", "too many input tokens", "exceed context limit", "exceeds context limit",
        "exceeds the context window", "exceed the context window", "too large for model", "maximum context length", "context_length_exceeded",
    ];

    /// <summary>
    /// This error as <see cref="ProviderErrorCodes.ContextWindowExceeded"/> (not retryable) when its code or message says
    /// the input does not fit the model's context window, so that every provider reports that one fault with one code
    /// and the registry can fall back to a model with a larger window; otherwise this error unchanged. The provider's
    /// own code is kept at the start of the message. Call it from a provider's
    /// <see cref="ProviderTransportOptions.ParseError"/> (and wherever it reads an error inside a stream).
    /// </summary>
    /// <returns>The error, its code replaced when it is a context-window error.</returns>
    public ProviderError WithContextWindowCode()
    {
        if (!Says(Message) && !Says(Code))
        {
            return this;
        }

        return new ProviderError(ProviderErrorCodes.ContextWindowExceeded, Code is null ? Message : $"{Code}: {Message}")
        {
            IsRetryable = false,
            IsThrottling = false,
        };

        static bool Says(string? text) => text is not null && ContextWindowPhrases.Any(p => text.Contains(p, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The common reading of an error body: of a JSON object, the first string of <c>message</c>, <c>Message</c>,
    /// <c>detail</c>, <c>error.message</c> or <c>error</c>, and the code from <c>code</c>, <c>type</c>, <c>__type</c> or
    /// <c>error.type</c>; of any other body, its text.
    /// </summary>
    /// <param name="response">The error response.</param>
    public static ProviderError Read(ProviderResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var body = response.Body;
        if (body.IsEmpty)
        {
            return default;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new ProviderError(null, root.ValueKind == JsonValueKind.String ? root.GetString() : root.GetRawText());
            }

            var nested = root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object ? error : default;
            var message = String(root, "message") ?? String(root, "Message") ?? String(root, "detail")
                ?? (nested.ValueKind == JsonValueKind.Object ? String(nested, "message") : null) ?? String(root, "error");
            var code = String(root, "code") ?? String(root, "type") ?? String(root, "__type")
                ?? (nested.ValueKind == JsonValueKind.Object ? String(nested, "type") ?? String(nested, "code") : null);
            return new ProviderError(code, message);
        }
        catch (JsonException)
        {
            return new ProviderError(null, Encoding.UTF8.GetString(body.Span));
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;
}
