namespace ModelRegistry.Providers;

/// <summary>
/// The <see cref="ModelProviderException.ErrorCode"/>s the registry and the provider kit raise, the same in every provider.
/// A provider's own codes (<c>ThrottlingException</c>, <c>3230</c>) pass through as the provider sent them.
/// </summary>
/// <remarks>
/// Every code below but <see cref="ResponseTooLarge"/>, <see cref="CapabilityMismatch"/>,
/// <see cref="ContextWindowExceeded"/> and <see cref="AccessDenied"/> is retryable
/// (<see cref="ModelProviderException.IsRetryable"/>): the registry falls back to the entry's fallbacks, and its circuit
/// breaker counts them, except the client-side limits
/// (<see cref="ClientRateLimit"/>, <see cref="ClientConcurrencyLimit"/>), which say nothing about the model's health.
/// The two capability codes are not retryable (the same request fails the same way on the same model) and never count
/// for the breaker, but they do fall back: to the next fallback, or for a context window to the next one with a
/// larger (or unknown) window.
/// </remarks>
public static class ProviderErrorCodes
{
    /// <summary>An attempt ran out of time (<c>resilience:attempt_timeout_ms</c>) before the response, or a non-streaming body, arrived, on every attempt.</summary>
    public const string Timeout = "timeout";

    /// <summary>A stream sent nothing for <c>resilience:stream_idle_timeout_ms</c>.</summary>
    public const string StreamIdleTimeout = "stream_idle_timeout";

    /// <summary>No complete response arrived: the connection failed, was refused or was reset, on every attempt.</summary>
    public const string ConnectionFailed = "connection_failed";

    /// <summary>The body or the stream ended before it was complete (cut JSON, a stream without its final event).</summary>
    public const string ResponseTruncated = "response_truncated";

    /// <summary>The provider's answer could not be decoded: malformed JSON or framing, a field of the wrong type or out of range.</summary>
    public const string InvalidResponse = "invalid_response";

    /// <summary>The answer exceeded <c>resilience:max_response_bytes</c> or an event <c>resilience:max_event_bytes</c>. Not retryable.</summary>
    public const string ResponseTooLarge = "response_too_large";

    /// <summary>The entry's own <c>limits:requests_per_minute</c> or <c>limits:tokens_per_minute</c> refused the call before it was sent.</summary>
    public const string ClientRateLimit = "ClientRateLimit";

    /// <summary>The entry's own <c>limits:max_concurrency</c> refused the call before it was sent.</summary>
    public const string ClientConcurrencyLimit = "ClientConcurrencyLimit";

    /// <summary>The entry's circuit breaker is open: recent calls failed, so this one was not sent.</summary>
    public const string CircuitOpen = "CircuitOpen";

    /// <summary>
    /// The entry's <c>capabilities</c> cannot take the request, so it was not sent: images to a model without
    /// <c>vision</c>, tools to a model without <c>tools</c>, or <c>ChatOptions.MaxOutputTokens</c> above
    /// <c>max_output_tokens</c>. Not retryable; falls back to the entry's next fallback.
    /// </summary>
    public const string CapabilityMismatch = "capability_mismatch";

    /// <summary>
    /// The input (and the output asked for) does not fit the model's context window: refused before the call by the
    /// entry's <c>capabilities:context_window</c>, or answered so by the provider (Bedrock's "Input is too long for
    /// requested model", Mistral's "too large for model with ... maximum context length" and their kin). Not retryable;
    /// falls back to the first fallback whose context window is larger or unknown (<c>fallback_on:context_window</c>).
    /// </summary>
    public const string ContextWindowExceeded = "context_window_exceeded";

    /// <summary>
    /// The caller may not call the entry: its <c>allowed_roles</c> name none of the caller's roles (from
    /// <see cref="ModelRegistryCaller"/> or <see cref="RegistryProperties.CallerRoles"/>). Not retryable, never falls back;
    /// the call was not sent.
    /// </summary>
    public const string AccessDenied = "access_denied";

    /// <summary>
    /// The provider keeps no conversation with the <c>ChatOptions.ConversationId</c> the call named (Mistral's
    /// Conversations API answering 404 on an append, restart or history call). Not retryable; the message says how to
    /// start a new one. ModelRegistry.Conversations answers it by sending the stored history without the provider's id.
    /// </summary>
    public const string ConversationNotFound = "conversation_not_found";
}
