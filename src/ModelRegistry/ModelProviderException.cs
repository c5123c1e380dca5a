namespace ModelRegistry;

/// <summary>
/// A provider's API refused or failed a call. One type across providers, so resilience, fallback and metrics
/// classify failures the same way whichever model served the call. The message never holds a secret.
/// </summary>
public sealed class ModelProviderException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelProviderException()
        : this("The model provider failed the call.", provider: "unknown")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed.</param>
    public ModelProviderException(string message)
        : this(message, provider: "unknown")
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public ModelProviderException(string message, Exception? innerException)
        : this(message, provider: "unknown", innerException)
    {
    }

    /// <summary>Creates the exception for a provider.</summary>
    /// <param name="message">What failed, in the provider's words where it gave any.</param>
    /// <param name="provider">The provider name, e.g. <c>mistral</c>.</param>
    /// <param name="innerException">The cause, if any.</param>
    public ModelProviderException(string message, string provider, Exception? innerException = null)
        : base(message, innerException)
    {
        Provider = provider;
    }

    /// <summary>The provider name, e.g. <c>bedrock</c>.</summary>
    public string Provider { get; }

    /// <summary>The registry name of the entry that made the call; <see langword="null"/> outside a registry.</summary>
    public string? ModelName { get; init; }

    /// <summary>The HTTP status the provider answered with; <see langword="null"/> when no response arrived.</summary>
    public int? StatusCode { get; init; }

    /// <summary>The provider's error code or type, e.g. <c>ThrottlingException</c> or <c>3505</c>.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>Whether the same call may succeed if tried again later.</summary>
    public bool IsRetryable { get; init; }

    /// <summary>How long the provider asked callers to wait before trying again, if it said.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>
    /// Whether the provider refused the call for a rate or quota limit. Unless the provider says otherwise, an HTTP 429 is,
    /// and so are the registry's own client-side limits.
    /// </summary>
    public bool IsThrottling
    {
        get => _isThrottling ?? (StatusCode == 429 || ErrorCode is Providers.ProviderErrorCodes.ClientRateLimit or Providers.ProviderErrorCodes.ClientConcurrencyLimit);
        init => _isThrottling = value;
    }

    private readonly bool? _isThrottling;
}
