using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace ModelRegistry.Mistral.Internal;

/// <summary>
/// Turns Mistral's error bodies into <see cref="ModelProviderException"/>. The API answers in several shapes depending
/// on which layer refused the call: <c>{"object":"error","message":"...","type":"...","code":"3230"}</c>, a 422 whose
/// <c>message</c> is an object or an array of pydantic errors and whose <c>code</c> is an integer,
/// <c>{"detail":"Unauthorized"}</c>, <c>{"message":"Requests rate limit exceeded"}</c>, plain text, or no body at all.
/// </summary>
internal static class MistralErrors
{
    /// <summary>The header whose value 0 says the monthly token quota is spent: a 429 that retrying cannot fix.</summary>
    public const string MonthlyTokensRemainingHeader = "x-ratelimit-remaining-tokens-month";

    private const int MaxMessageLength = 2000;

    /// <summary>Whether a response is worth retrying: a transient status, unless the monthly quota is exhausted.</summary>
    public static bool IsRetryable(HttpResponseMessage response) =>
        ProviderResilience.IsTransient(response) && !IsQuotaExhausted(response);

    /// <summary>Whether a 429 says the monthly token quota (or spending limit) is used up.</summary>
    public static bool IsQuotaExhausted(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.TooManyRequests
        && response.Headers.TryGetValues(MonthlyTokensRemainingHeader, out var values)
        && values.Any(v => v.Trim() == "0");

    /// <summary>Creates the exception for a failed response; <paramref name="body"/> is its (buffered) body.</summary>
    public static ModelProviderException FromResponse(
        HttpResponseMessage response, ReadOnlySpan<byte> body, TimeProvider time, string? modelName, string? secret)
    {
        var status = (int)response.StatusCode;
        var (detail, code) = Describe(body);
        var quota = IsQuotaExhausted(response);
        var message = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"Mistral API error {status} ({ReasonOf(response)})");
        if (code is not null)
        {
            message.Append(CultureInfo.InvariantCulture, $" [{code}]");
        }

        message.Append(": ").Append(string.IsNullOrWhiteSpace(detail) ? "the response had no error message." : detail);
        if (quota)
        {
            message.Append(" The monthly token quota or spending limit is exhausted (x-ratelimit-remaining-tokens-month: 0); retrying will not help until it resets or is raised.");
        }
        else if (status == 401)
        {
            message.Append(" Check the API key (MISTRAL_API_KEY, MISTRAL_API_KEY_PARAMETER or the entry's api_key setting).");
        }

        return new ModelProviderException(Scrub(message.ToString(), secret), MistralConnection.ProviderName)
        {
            ModelName = modelName,
            StatusCode = status,
            ErrorCode = code,
            IsRetryable = ProviderResilience.IsTransient(response.StatusCode) && !quota,
            RetryAfter = ProviderResilience.GetRetryAfter(response, time),
        };
    }

    /// <summary>
    /// Reads an error object that arrived inside a 200 stream (<c>data: {"object":"error",...}</c>), or
    /// <see langword="null"/> when the element is not an error.
    /// </summary>
    public static ModelProviderException? FromStreamElement(JsonElement element, string? modelName, string? secret)
    {
        if (element.ValueKind != JsonValueKind.Object || !IsErrorObject(element))
        {
            return null;
        }

        var target = element.TryGetProperty("error", out var inner) && inner.ValueKind == JsonValueKind.Object ? inner : element;
        var (detail, code) = Describe(target);
        int? status = target.TryGetProperty("raw_status_code", out var raw) && raw.TryGetInt32(out var s) ? s : null;
        return new ModelProviderException(
            Scrub($"Mistral reported an error inside a successful response{(code is null ? string.Empty : $" [{code}]")}: {detail ?? "no message."}", secret),
            MistralConnection.ProviderName)
        {
            ModelName = modelName,
            StatusCode = status,
            ErrorCode = code,
            IsRetryable = status is null || ProviderResilience.IsTransient((HttpStatusCode)status.Value),
        };
    }

    /// <summary>Whether a JSON object is an error rather than a chunk: it says so, or it has a message and no choices.</summary>
    private static bool IsErrorObject(JsonElement element) =>
        (element.TryGetProperty("object", out var kind) && kind.ValueKind == JsonValueKind.String
            && string.Equals(kind.GetString(), "error", StringComparison.OrdinalIgnoreCase))
        || (element.TryGetProperty("error", out var error) && error.ValueKind is JsonValueKind.Object or JsonValueKind.String)
        || (!element.TryGetProperty("choices", out _) && (element.TryGetProperty("message", out _) || element.TryGetProperty("detail", out _)));

    /// <summary>Removes a secret from text that may have echoed it.</summary>
    public static string Scrub(string text, string? secret) =>
        string.IsNullOrEmpty(secret) || secret.Length < 4 ? text : text.Replace(secret, "***", StringComparison.Ordinal);

    private static string ReasonOf(HttpResponseMessage response) =>
        string.IsNullOrEmpty(response.ReasonPhrase) ? response.StatusCode.ToString() : response.ReasonPhrase;

    private static (string? Detail, string? Code) Describe(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return (null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? Describe(document.RootElement)
                : (Shorten(document.RootElement.ToString()), null);
        }
        catch (JsonException)
        {
            return (Shorten(Encoding.UTF8.GetString(body).Trim()), null);
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

        return (detail is null ? null : Shorten(detail), code);
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

    private static string Shorten(string text) =>
        text.Length <= MaxMessageLength ? text : string.Concat(text.AsSpan(0, MaxMessageLength), "…");
}
