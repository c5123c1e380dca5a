using System.Text;
using System.Text.Json;
using ModelRegistry.Providers;

namespace ModelRegistry.Anthropic.Internal;

/// <summary>
/// Reads the Messages API's errors: <c>{"type":"error","error":{"type":"overloaded_error","message":"..."},"request_id":"req_..."}</c>
/// over HTTP or as an <c>error</c> event inside a stream. Other bodies (a proxy's text, Mantle's own shapes) go to the
/// kit's common reading. Messages are not cut here: the kit scrubs secrets from them first and then bounds them.
/// </summary>
internal static class AnthropicErrors
{
    /// <summary>The status with which the API says it is overloaded: transient, so retried like a 503.</summary>
    public const int Overloaded = 529;

    /// <summary>
    /// The kit's <see cref="ProviderTransportOptions.ParseError"/>: the error's type and message, a hint for a 401, an
    /// overloaded API (529 or <c>overloaded_error</c>) as retryable, and a prompt too long for the model as the kit's
    /// <see cref="ProviderErrorCodes.ContextWindowExceeded"/>.
    /// </summary>
    public static ProviderError Parse(ProviderResponse response)
    {
        var error = Read(response.Body) ?? ProviderError.Read(response);
        if (response.StatusCode == 401 || error.Code == "authentication_error")
        {
            error = error with
            {
                Message = (error.Message ?? "the key was refused").TrimEnd().TrimEnd('.') +
                    ". Check the API key: the entry's api_key setting, AnthropicClientOptions.ApiKey, " +
                    $"{AnthropicProtocol.ApiKeyVariable} ({AnthropicProtocol.BedrockKeyVariable} for Bedrock Mantle).",
            };
        }

        return Classify(error, response.StatusCode).WithContextWindowCode();
    }

    /// <summary>The error of a stream's <c>error</c> event, classified as the same error over HTTP would be.</summary>
    public static ModelProviderException InStream(JsonElement data, ProviderTransport transport)
    {
        var error = Read(data) ?? new ProviderError(null, data.GetRawText());
        var status = StatusOf(error.Code);
        return transport.InBandError(Classify(error, status ?? 0).WithContextWindowCode(), status);
    }

    private static ProviderError Classify(ProviderError error, int status) =>
        status == Overloaded || error.Code == "overloaded_error"
            ? error with { IsRetryable = true, IsThrottling = false }
            : error;

    /// <summary>The HTTP status the API documents for an error type, for an error that arrived inside a stream.</summary>
    private static int? StatusOf(string? type) => type switch
    {
        "invalid_request_error" => 400,
        "authentication_error" => 401,
        "billing_error" => 402,
        "permission_error" => 403,
        "not_found_error" => 404,
        "request_too_large" => 413,
        "rate_limit_error" => 429,
        "api_error" => 500,
        "timeout_error" => 504,
        "overloaded_error" => Overloaded,
        _ => null,
    };

    private static ProviderError? Read(ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return Read(document.RootElement);
        }
        catch (JsonException)
        {
            return new ProviderError(null, Encoding.UTF8.GetString(body.Span).Trim());
        }
    }

    private static ProviderError? Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var type = String(error, "type");
        var message = String(error, "message");
        if (String(root, "request_id") is { } requestId)
        {
            message = (message ?? "no message").TrimEnd() + $" (request id {requestId})";
        }

        return new ProviderError(type, message);
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;
}
