using System.Net;
using System.Text.Json;

namespace ModelRegistry.Bedrock.Internal;

/// <summary>
/// Turns Bedrock's error responses and stream exception events into <see cref="ModelProviderException"/>: the error type
/// from <c>x-amzn-ErrorType</c> (else the body's <c>__type</c>/<c>code</c>), the message from the body's
/// <c>message</c>/<c>Message</c>, and whether retrying can help.
/// </summary>
internal static class BedrockErrors
{
    public const string Provider = "bedrock";

    /// <summary>Error types worth retrying. ThrottlingException and ModelNotReadyException are both HTTP 429.</summary>
    private static readonly HashSet<string> RetryableTypes = new(StringComparer.Ordinal)
    {
        "ThrottlingException",
        "ModelNotReadyException",
        "ServiceUnavailableException",
        "InternalServerException",
        "ModelTimeoutException",
    };

    /// <summary>HTTP status of each stream exception event, per the service model.</summary>
    private static readonly Dictionary<string, int> StreamExceptionStatus = new(StringComparer.Ordinal)
    {
        ["InternalServerException"] = 500,
        ["ModelStreamErrorException"] = 424,
        ["ValidationException"] = 400,
        ["ThrottlingException"] = 429,
        ["ServiceUnavailableException"] = 503,
        ["ModelTimeoutException"] = 408,
    };

    /// <summary>Whether a response is worth retrying: a retryable error type, or a transient status with no type.</summary>
    public static bool IsRetryable(HttpResponseMessage response)
    {
        var type = TypeFromHeader(response);
        return type is null ? ProviderResilience.IsTransient(response) : RetryableTypes.Contains(type);
    }

    /// <summary>Reads an error response and builds the exception.</summary>
    public static async Task<ModelProviderException> FromResponseAsync(
        HttpResponseMessage response, BedrockSettings settings, TimeProvider time, CancellationToken cancellationToken)
    {
        string body;
        try
        {
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            body = string.Empty;
        }
        catch (IOException)
        {
            body = string.Empty;
        }

        var (bodyType, message) = ParseBody(body);
        var type = TypeFromHeader(response) ?? bodyType;
        var status = (int)response.StatusCode;
        var retryable = type is null ? ProviderResilience.IsTransient(response.StatusCode) : RetryableTypes.Contains(type);
        var text = message ?? (string.IsNullOrEmpty(response.ReasonPhrase) ? "no message" : response.ReasonPhrase);
        return new ModelProviderException(
            $"{settings.Describe}: Bedrock answered HTTP {status} {type ?? ((HttpStatusCode)status).ToString()}: {text}",
            Provider)
        {
            ModelName = settings.EntryName,
            StatusCode = status,
            ErrorCode = type,
            IsRetryable = retryable,
            RetryAfter = ProviderResilience.GetRetryAfter(response, time),
        };
    }

    /// <summary>An exception event inside a ConverseStream body (<c>:message-type</c> exception or error).</summary>
    public static ModelProviderException FromStreamEvent(EventStreamFrame frame, BedrockSettings settings)
    {
        string? type;
        string? message;
        if (frame.Header(":message-type") == "error")
        {
            type = frame.Header(":error-code");
            message = frame.Header(":error-message");
        }
        else
        {
            type = Capitalize(frame.Header(":exception-type"));
            (_, message) = ParseBody(System.Text.Encoding.UTF8.GetString(frame.Payload));
        }

        int? status = type is not null && StreamExceptionStatus.TryGetValue(type, out var s) ? s : null;
        return new ModelProviderException(
            $"{settings.Describe}: the Bedrock stream failed with {type ?? "an unnamed error"}: {message ?? "no message"}",
            Provider)
        {
            ModelName = settings.EntryName,
            StatusCode = status,
            ErrorCode = type,
            IsRetryable = type is not null && RetryableTypes.Contains(type),
        };
    }

    /// <summary>A transport failure: no usable response, a corrupt or cut stream.</summary>
    public static ModelProviderException Transport(BedrockSettings settings, string what, Exception inner) =>
        new($"{settings.Describe}: {what}: {inner.Message}", Provider, inner)
        {
            ModelName = settings.EntryName,
            IsRetryable = true,
        };

    /// <summary>The error type of <c>x-amzn-ErrorType</c>: the text before any ':' and after any '#'.</summary>
    internal static string? TypeFromHeader(HttpResponseMessage response) =>
        response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? CleanType(values.FirstOrDefault()) : null;

    internal static string? CleanType(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        var type = raw.Split(':')[0];
        var hash = type.LastIndexOf('#');
        type = (hash >= 0 ? type[(hash + 1)..] : type).Trim();
        return type.Length == 0 ? null : type;
    }

    private static (string? Type, string? Message) ParseBody(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return (null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, Truncate(body));
            }

            var root = document.RootElement;
            var message = String(root, "message") ?? String(root, "Message");
            var type = CleanType(String(root, "__type") ?? String(root, "code") ?? String(root, "Code"));
            return (type, message);
        }
        catch (JsonException)
        {
            return (null, Truncate(body));
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Truncate(string text) => text.Length <= 500 ? text : text[..500] + "...";

    private static string? Capitalize(string? value) =>
        string.IsNullOrEmpty(value) ? null : char.ToUpperInvariant(value[0]) + value[1..];
}
