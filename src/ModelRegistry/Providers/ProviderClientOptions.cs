using Microsoft.Extensions.Logging;

namespace ModelRegistry.Providers;

/// <summary>
/// What every provider's client takes, under the same names: where the API is, the key, the HTTP client, the retry
/// policy, the clock, logging and the environment. Each provider's options derive from it (<c>MistralClientOptions</c>,
/// <c>BedrockClientOptions</c>). For direct use, pass them to the provider's client; with the registry, set them in
/// <c>AddMistral(options => ...)</c> or <c>AddBedrock(options => ...)</c> as defaults that an entry's own settings override.
/// </summary>
public abstract class ProviderClientOptions
{
    /// <summary>The API's address; the provider's public endpoint when unset. An entry's <c>endpoint</c> setting overrides it.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>
    /// The API key itself (never logged, scrubbed from every error). When unset, the provider reads it on the first call:
    /// an entry's <c>api_key</c> secret reference, then the provider's environment variable (see its README).
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Direct use only: the HttpClient to send with (not disposed by the client; its <see cref="HttpClient.Timeout"/> should be
    /// infinite, as attempts time out by <see cref="Resilience"/>). Default: one shared client with the kit's connection cap.
    /// Registry entries use the provider's named client from <c>IHttpClientFactory</c>.
    /// </summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>
    /// Direct use only: retries, timeouts and size limits; default <see cref="ProviderResilienceOptions"/>' defaults.
    /// Registry entries use <see cref="ModelRegistryOptions.Resilience"/> and their own <c>resilience:*</c> settings.
    /// </summary>
    public ProviderResilienceOptions? Resilience { get; set; }

    /// <summary>Direct use only: the clock for retries, timeouts and signing; default <see cref="System.TimeProvider.System"/>. Registry entries use the one in DI.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Direct use only: where diagnostics go; default none. Registry entries use the application's.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Direct use only: where environment variables are read; default <see cref="EnvironmentProvider.System"/>. Registry entries use the one in DI.</summary>
    public EnvironmentProvider? Environment { get; set; }
}
