using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelRegistry.Providers;

namespace ModelRegistry.Bedrock.Internal;

/// <summary>
/// How Bedrock's errors read, for HTTP error responses and stream exception events alike: the error type from
/// <c>x-amzn-ErrorType</c> (else the body's <c>__type</c>/<c>code</c>), the message from <c>message</c>/<c>Message</c>,
/// and one table of the types worth retrying. An input too long for the model ("Input is too long for requested model",
/// "prompt is too long: ...", "too many input tokens") becomes the kit's <see cref="ProviderErrorCodes.ContextWindowExceeded"/>.
/// </summary>
internal static class BedrockErrors
{
    /// <summary>
    /// Error types worth retrying. ThrottlingException and ModelNotReadyException are both HTTP 429; only the first is
    /// throttling. Other types are retried when their status is (500, 503...), so a type this table does not know yet
    /// fails or retries by its status.
    /// </summary>
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

    /// <summary>The kit's description of the Bedrock wire: names, named HttpClient and how errors read.</summary>
    public static readonly ProviderTransportOptions Protocol = new()
    {
        ProviderName = BedrockChatClientProvider.RegistryName,
        DisplayName = "Bedrock",
        HttpClientName = "ModelRegistry.Bedrock",
        ParseError = Parse,
    };

    /// <summary>Reads an error response: type from the header or body, message from the body, retryable and throttling by type.</summary>
    public static ProviderError Parse(ProviderResponse response)
    {
        var body = ProviderError.Read(response);
        return Classify(CleanType(response.Header("x-amzn-ErrorType")) ?? CleanType(body.Code), body.Message).WithContextWindowCode();
    }

    /// <summary>
    /// An exception event inside a ConverseStream body (<c>:message-type</c> exception or error), classified like the
    /// HTTP error of the same type.
    /// </summary>
    public static ModelProviderException FromStreamEvent(EventStreamFrame frame, ProviderTransport transport)
    {
        ProviderError error;
        if (frame.MessageType == "error")
        {
            error = Classify(CleanType(frame.Header(":error-code")), frame.Header(":error-message"));
        }
        else
        {
            var type = frame.Header(":exception-type") is { Length: > 0 } raw ? char.ToUpperInvariant(raw[0]) + raw[1..] : null;
            error = Classify(type, MessageOf(frame.Payload));
        }

        int? status = error.Code is not null && StreamExceptionStatus.TryGetValue(error.Code, out var s) ? s : null;
        return transport.InBandError(error.WithContextWindowCode(), status);
    }

    /// <summary>The error type of <c>x-amzn-ErrorType</c> or <c>__type</c>: the text before any ':' and after any '#'.</summary>
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

    private static ProviderError Classify(string? type, string? message) => new(type, message)
    {
        IsRetryable = type is not null && RetryableTypes.Contains(type) ? true : null,
        IsThrottling = type switch
        {
            "ThrottlingException" => true,
            "ModelNotReadyException" => false,
            _ => null,
        },
    };

    /// <summary>The <c>message</c> (or <c>Message</c>) of an exception event's JSON payload, else its text.</summary>
    private static string? MessageOf(ReadOnlyMemory<byte> payload)
    {
        try
        {
            var json = JsonValues.ParseObject(payload);
            return (json["message"] ?? json["Message"]) is JsonValue value && value.TryGetValue<string>(out var message) ? message : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException)
        {
            return Encoding.UTF8.GetString(payload.Span);
        }
    }
}
