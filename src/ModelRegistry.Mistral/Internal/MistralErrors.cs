using System.Text;
using System.Text.Json;
using ModelRegistry.Providers;

namespace ModelRegistry.Mistral.Internal;

/// <summary>
/// Reads Mistral's error bodies. The API answers in several shapes depending on which layer refused the call:
/// <c>{"object":"error","message":"...","type":"...","code":"3230"}</c>, a 422 whose <c>message</c> is an object or an
/// array of pydantic errors and whose <c>code</c> is an integer, <c>{"detail":"Unauthorized"}</c>,
/// <c>{"message":"Requests rate limit exceeded"}</c>, plain text, or no body at all. The same shapes arrive inside a 200
/// body or a stream. Messages are not cut here: the kit scrubs secrets from them first and then bounds them, as a cut
/// through an echoed key would leave part of it.
/// </summary>
internal static class MistralErrors
{
    /// <summary>
    /// The code a 403 gets when its text names a guardrail or moderation: the entry's guardrail blocked the input. The
    /// chat client turns it into a <c>ContentFilter</c> answer; it never leaves the client as an error.
    /// </summary>
    public const string GuardrailBlocked = "guardrail_blocked";

    /// <summary>The header whose value 0 says the monthly token quota is spent: a 429 that retrying cannot fix.</summary>
    public const string MonthlyTokensRemainingHeader = "x-ratelimit-remaining-tokens-month";

    /// <summary>
    /// The kit's <see cref="ProviderTransportOptions.ParseError"/>: Mistral's code (or type) and message, a hint for a
    /// 401, a 429 for a spent monthly quota marked not retryable, a 403 of a guardrail as <see cref="GuardrailBlocked"/>,
    /// and an input too large for the model ("Prompt contains N tokens ... too large for model with M maximum context
    /// length") as the kit's <see cref="ProviderErrorCodes.ContextWindowExceeded"/>.
    /// </summary>
    public static ProviderError Parse(ProviderResponse response)
    {
        var (detail, code) = Describe(response.Body);
        string? hint = null;
        var quota = response.StatusCode == 429 && response.Header(MonthlyTokensRemainingHeader)?.Trim() == "0";
        if (quota)
        {
            hint = " The monthly token quota or spending limit is exhausted (x-ratelimit-remaining-tokens-month: 0); retrying will not help until it resets or is raised.";
        }
        else if (response.StatusCode == 401)
        {
            hint = $" Check the API key: the entry's api_key setting, MistralClientOptions.ApiKey, {MistralProtocol.ApiKeyVariable} or {MistralProtocol.ApiKeyParameterVariable}.";
        }

        var message = hint is null ? detail : (detail is null ? "the response had no error message." : detail.TrimEnd().TrimEnd('.') + ".") + hint;
        if (response.StatusCode == 403 && (Names(detail) || Names(code)))
        {
            return new ProviderError(GuardrailBlocked, code is null ? detail : $"{code}: {detail}") { IsRetryable = false };
        }

        return new ProviderError(code, message) { IsRetryable = quota ? false : null }.WithContextWindowCode();

        // Mistral documents that a guardrail blocks with a 403 but not the body's words; these are the words it would use.
        static bool Names(string? text) => text is not null
            && (text.Contains("guardrail", StringComparison.OrdinalIgnoreCase) || text.Contains("moderation", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The error a JSON object of a 200 body or stream reports, or <see langword="null"/> when it is no error. Retryable
    /// unless its <c>raw_status_code</c> says the request itself was refused.
    /// </summary>
    public static ModelProviderException? ErrorIn(JsonElement element, ProviderTransport transport)
    {
        if (element.ValueKind != JsonValueKind.Object || !IsErrorObject(element))
        {
            return null;
        }

        var target = element.TryGetProperty("error", out var inner) && inner.ValueKind == JsonValueKind.Object ? inner : element;
        var (detail, code) = Describe(target);
        int? status = target.TryGetProperty("raw_status_code", out var raw) && raw.ValueKind == JsonValueKind.Number && raw.TryGetInt32(out var s) ? s : null;
        return transport.InBandError(new ProviderError(code, detail).WithContextWindowCode(), status);
    }

    /// <summary>Whether a JSON object is an error rather than a chunk: it says so, or it has a message and no choices.</summary>
    private static bool IsErrorObject(JsonElement element) =>
        (element.TryGetProperty("object", out var kind) && kind.ValueKind == JsonValueKind.String
            && string.Equals(kind.GetString(), "error", StringComparison.OrdinalIgnoreCase))
        || (element.TryGetProperty("error", out var error) && error.ValueKind is JsonValueKind.Object or JsonValueKind.String)
        || (!element.TryGetProperty("choices", out _) && (element.TryGetProperty("message", out _) || element.TryGetProperty("detail", out _)));

    private static (string? Detail, string? Code) Describe(ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty)
        {
            return (null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? Describe(document.RootElement)
                : (document.RootElement.ToString(), null);
        }
        catch (JsonException)
        {
            return (Encoding.UTF8.GetString(body.Span).Trim(), null);
        }
    }

    private static (string? Detail, string? Code) Describe(JsonElement error)
    {
        string? detail = null;
        if (error.TryGetProperty("message", out var message))
        {
            detail = Flatten(message);
        }

        if (string.IsNullOrWhiteSpace(detail) && error.TryGetProperty("detail", out var more))
        {
            detail = Flatten(more);
        }

        if (string.IsNullOrWhiteSpace(detail) && error.TryGetProperty("error", out var nested))
        {
            detail = nested.ValueKind == JsonValueKind.Object ? Describe(nested).Detail : Flatten(nested);
        }

        string? code = null;
        if (error.TryGetProperty("code", out var codeElement))
        {
            code = codeElement.ValueKind switch
            {
                JsonValueKind.String => NullIfEmpty(codeElement.GetString()),
                JsonValueKind.Number => codeElement.GetRawText(),
                _ => null,
            };
        }

        if (code is null && error.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String)
        {
            code = NullIfEmpty(type.GetString());
        }

        return (string.IsNullOrWhiteSpace(detail) ? null : detail, code);
    }

    /// <summary>A message that is a string, an object (<c>{"detail":[...]}</c>) or an array of validation errors, as one line.</summary>
    private static string? Flatten(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return element.GetString();
            case JsonValueKind.Array:
                var parts = element.EnumerateArray().Select(Flatten).Where(p => !string.IsNullOrWhiteSpace(p)).ToList();
                return parts.Count == 0 ? null : string.Join("; ", parts);
            case JsonValueKind.Object:
                if (element.TryGetProperty("msg", out var msg) && msg.ValueKind == JsonValueKind.String)
                {
                    // A pydantic validation error: {"type":"extra_forbidden","loc":["body","messages",0,"user","name"],"msg":"..."}.
                    var location = element.TryGetProperty("loc", out var loc) && loc.ValueKind == JsonValueKind.Array
                        ? string.Join('.', loc.EnumerateArray().Select(l => l.ValueKind == JsonValueKind.String ? l.GetString() : l.GetRawText()))
                        : null;
                    var kind = element.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                    return $"{(location is null ? string.Empty : location + ": ")}{msg.GetString()}{(kind is null ? string.Empty : $" ({kind})")}";
                }

                foreach (var name in (string[])["detail", "message"])
                {
                    if (element.TryGetProperty(name, out var inner))
                    {
                        return Flatten(inner);
                    }
                }

                return element.GetRawText();
            case JsonValueKind.Null:
            case JsonValueKind.Undefined:
                return null;
            default:
                return element.GetRawText();
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
