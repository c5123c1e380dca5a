using System.Text;
using System.Text.Json;
using ModelRegistry.Providers;

namespace ModelRegistry.OpenAI.Internal;

/// <summary>
/// Reads Chat Completions error bodies: OpenAI's <c>{"error":{"message","type","code","param"}}</c>, the same object
/// inside a 200 body or a stream event, and what compatible servers answer instead (<c>{"error":"text"}</c>,
/// <c>{"detail":...}</c>, <c>{"message":...}</c>, plain text, nothing). Messages are not cut here: the kit scrubs secrets
/// first and then bounds them.
/// </summary>
internal static class OpenAIErrors
{
    /// <summary>OpenAI's code for a spent quota or billing limit, sent with 429: retrying does not help.</summary>
    public const string InsufficientQuota = "insufficient_quota";

    /// <summary>
    /// The kit's <see cref="ProviderTransportOptions.ParseError"/>: the error's <c>code</c> (else its <c>type</c>) and
    /// message with its <c>param</c>; <c>insufficient_quota</c> is not retryable; a 429 names the
    /// <c>x-ratelimit-reset-*</c> waits; a 401 says where the key comes from; <c>context_length_exceeded</c> becomes the
    /// kit's <see cref="ProviderErrorCodes.ContextWindowExceeded"/>.
    /// </summary>
    public static ProviderError Parse(ProviderResponse response)
    {
        var error = Describe(response.Body);
        var hint = response.StatusCode switch
        {
            429 when error.Code == InsufficientQuota => " The account's quota or spending limit is exhausted; retrying will not help until it is raised.",
            429 => RateLimitHint(response),
            401 => " Check the API key: the entry's api_key setting, OpenAIClientOptions.ApiKey, OPENAI_API_KEY (or AWS_BEARER_TOKEN_BEDROCK for Bedrock Mantle).",
            _ => null,
        };

        if (hint is not null)
        {
            error = error with { Message = (error.Message is null ? "the response had no error message." : error.Message.TrimEnd().TrimEnd('.') + ".") + hint };
        }

        return (error.Code == InsufficientQuota ? error with { IsRetryable = false, IsThrottling = true } : error).WithContextWindowCode();
    }

    /// <summary>
    /// The error a JSON object of a 200 body or a stream event reports (<c>{"error":{...}}</c>), or <see langword="null"/>
    /// when it is no error. Classified as the same error over HTTP would be; without a status, retryable.
    /// </summary>
    public static ModelProviderException? ErrorIn(JsonElement element, ProviderTransport transport)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty("error", out var inner) || inner.ValueKind is not (JsonValueKind.Object or JsonValueKind.String))
        {
            return null;
        }

        int? status = inner.ValueKind == JsonValueKind.Object && inner.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Number && s.TryGetInt32(out var code) ? code : null;
        return InBand(Describe(element), status, transport);
    }

    /// <summary>
    /// The error a Responses API failure reports: a response with <c>status: "failed"</c> (its <c>error</c> object), or a
    /// stream's <c>error</c> event (<c>code</c> and <c>message</c> on the event itself). Classified as the same error
    /// over HTTP would be; without a status, retryable.
    /// </summary>
    public static ModelProviderException Failed(JsonElement holder, ProviderTransport transport) => InBand(Describe(holder), null, transport);

    private static ModelProviderException InBand(ProviderError error, int? status, ProviderTransport transport)
    {
        if (error.Code == InsufficientQuota)
        {
            error = error with { IsRetryable = false, IsThrottling = true };
        }

        return transport.InBandError(error.WithContextWindowCode(), status);
    }

    private static ProviderError Describe(ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty)
        {
            return default;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? Describe(document.RootElement)
                : new ProviderError(null, document.RootElement.ToString());
        }
        catch (JsonException)
        {
            return new ProviderError(null, Encoding.UTF8.GetString(body.Span).Trim());
        }
    }

    private static ProviderError Describe(JsonElement root)
    {
        var error = root.TryGetProperty("error", out var inner) && inner.ValueKind == JsonValueKind.Object ? inner : root;
        var message = Text(error, "message") ?? Text(root, "detail") ?? Text(root, "message")
            ?? (inner.ValueKind == JsonValueKind.String ? inner.GetString() : null);
        var code = Text(error, "code") ?? Text(error, "type");
        if (Text(error, "param") is { } param && message is not null)
        {
            message = $"{message.TrimEnd()} (param: {param})";
        }

        return new ProviderError(code, string.IsNullOrWhiteSpace(message) ? null : message);
    }

    private static string? RateLimitHint(ProviderResponse response)
    {
        var requests = response.Header("x-ratelimit-reset-requests");
        var tokens = response.Header("x-ratelimit-reset-tokens");
        if (requests is null && tokens is null)
        {
            return null;
        }

        return " Rate limit resets in"
            + (requests is null ? string.Empty : $" {requests} (requests)")
            + (requests is not null && tokens is not null ? " and" : string.Empty)
            + (tokens is null ? string.Empty : $" {tokens} (tokens)") + ".";
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => string.IsNullOrWhiteSpace(value.GetString()) ? null : value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.Array or JsonValueKind.Object => value.GetRawText(),
            _ => null,
        } : null;
}
