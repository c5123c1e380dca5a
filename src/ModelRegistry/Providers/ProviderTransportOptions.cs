namespace ModelRegistry.Providers;

/// <summary>What the kit needs to know of a provider's wire to send its calls: its names and how its errors read.</summary>
public sealed class ProviderTransportOptions
{
    /// <summary>The provider name entries use, e.g. <c>mistral</c>; set on every <see cref="ModelProviderException"/>.</summary>
    public required string ProviderName { get; init; }

    /// <summary>The provider's name in messages, e.g. <c>Mistral</c>.</summary>
    public required string DisplayName { get; init; }

    /// <summary>The named HttpClient registry entries use; default <c>ModelRegistry.</c> and the display name.</summary>
    public string? HttpClientName { get; init; }

    /// <summary>
    /// Reads an error response (status not 2xx, body read and bounded) into the provider's code and message, and where the
    /// provider says so, whether it is retryable or throttling. Default: <c>message</c> and <c>code</c>/<c>type</c> of a
    /// JSON object body, or the body's text. Anything it throws is treated as a body without a message.
    /// </summary>
    public Func<ProviderResponse, ProviderError>? ParseError { get; init; }

    internal string ClientName => HttpClientName ?? "ModelRegistry." + DisplayName;
}
