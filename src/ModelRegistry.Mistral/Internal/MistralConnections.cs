using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ModelRegistry.Mistral.Internal;

/// <summary>Builds connections from a registry entry or from direct-use options, without any I/O.</summary>
internal static class MistralConnections
{
    internal const string ApiKeyVariable = "MISTRAL_API_KEY";
    internal const string ApiKeyParameterVariable = "MISTRAL_API_KEY_PARAMETER";
    private const string LoggerName = "ModelRegistry.Mistral";

    /// <summary>The connection for a registry entry, with the services' HttpClient factory, clock, secrets and retry policy.</summary>
    public static MistralConnection ForEntry(ModelEntry entry, IServiceProvider services)
    {
        var options = services.GetService<IOptions<MistralClientOptions>>()?.Value ?? new MistralClientOptions();
        var registryOptions = services.GetService<IOptions<ModelRegistryOptions>>()?.Value ?? new ModelRegistryOptions();
        var factory = services.GetService<IHttpClientFactory>() ?? throw new ModelRegistryException(
            $"Model '{entry.Name}' uses provider 'mistral', but no IHttpClientFactory is registered. Call .AddMistral() on AddModelRegistry().");
        return new MistralConnection(
            () => factory.CreateClient(MistralConnection.HttpClientName),
            EndpointOf(entry, options),
            ApiKeyOf(entry, options, services.GetService<ISecretResolver>(), services.GetService<IConfiguration>()),
            registryOptions.Resilience.ForEntry(entry),
            services.GetService<TimeProvider>() ?? TimeProvider.System,
            services.GetService<ILoggerFactory>()?.CreateLogger(LoggerName) ?? NullLogger.Instance,
            entry.Name);
    }

    /// <summary>The connection for direct use over the caller's HttpClient.</summary>
    public static MistralConnection ForDirectUse(HttpClient httpClient, MistralClientOptions? options)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        options ??= new MistralClientOptions();
        return new MistralConnection(
            () => httpClient,
            options.Endpoint ?? MistralConnection.DefaultEndpoint,
            ApiKeyOf(null, options, null, null),
            options.Resilience ?? new ProviderResilienceOptions(),
            options.TimeProvider ?? TimeProvider.System,
            NullLogger.Instance,
            null);
    }

    private static Uri EndpointOf(ModelEntry entry, MistralClientOptions options)
    {
        foreach (var key in (string[])["endpoint", "base_url"])
        {
            if (entry.GetSetting(key) is { } text)
            {
                if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
                {
                    throw new ModelRegistryException(
                        $"Model registry entry '{entry.Name}': setting '{key}' must be an absolute http(s) URL such as \"https://api.mistral.ai\", but is '{text}'.");
                }

                return uri;
            }
        }

        return options.Endpoint ?? MistralConnection.DefaultEndpoint;
    }

    /// <summary>
    /// Where the key comes from, decided now, read on the first call: the entry's <c>api_key</c> reference, the configured
    /// key, <c>MISTRAL_API_KEY</c>, or the SSM parameter named by <c>MISTRAL_API_KEY_PARAMETER</c>.
    /// </summary>
    internal static Func<CancellationToken, ValueTask<string>> ApiKeyOf(
        ModelEntry? entry, MistralClientOptions options, ISecretResolver? secrets, IConfiguration? configuration)
    {
        if (entry?.GetSetting("api_key") is { } reference)
        {
            if (!LooksLikeReference(reference))
            {
                // The value is not shown: it may well be the key itself.
                throw new ModelRegistryException(
                    $"Model registry entry '{entry.Name}': setting 'api_key' must be a secret reference such as \"env:MISTRAL_API_KEY\" or " +
                    "\"ssm:/prod/mistral/api-key\", not the key itself. Put the key in an environment variable or an SSM SecureString and reference it.");
            }

            if (secrets is null)
            {
                throw new ModelRegistryException($"Model registry entry '{entry.Name}': setting 'api_key' needs the registry's ISecretResolver; add the registry with AddModelRegistry().");
            }

            return cancellationToken => secrets.ResolveAsync(reference, cancellationToken);
        }

        if (!string.IsNullOrWhiteSpace(options.ApiKey))
        {
            var key = options.ApiKey;
            return _ => ValueTask.FromResult(key);
        }

        return async cancellationToken =>
        {
            if (Read(ApiKeyVariable, configuration) is { } direct)
            {
                return direct;
            }

            if (Read(ApiKeyParameterVariable, configuration) is { } parameter)
            {
                if (secrets is null)
                {
                    throw new ModelRegistryException(
                        $"{ApiKeyParameterVariable} is set, but a Mistral client made with MistralAI has no secret resolver to read it. " +
                        $"Set {ApiKeyVariable} or MistralClientOptions.ApiKey, or use the model registry (AddModelRegistry().AddMistral()).");
                }

                var name = parameter.StartsWith("ssm:", StringComparison.Ordinal) ? parameter : "ssm:" + parameter;
                return await secrets.ResolveAsync(name, cancellationToken).ConfigureAwait(false);
            }

            throw new ModelRegistryException(MissingKeyMessage(entry));
        };
    }

    private static string MissingKeyMessage(ModelEntry? entry) =>
        (entry is null ? "The Mistral client has no API key. " : $"Model '{entry.Name}' (provider mistral) has no API key. ")
        + $"Set the {ApiKeyVariable} environment variable, or set {ApiKeyParameterVariable} to the name of the SSM SecureString parameter that holds the key, "
        + "or give the entry an \"api_key\" setting with a secret reference such as \"env:MY_MISTRAL_KEY\" or \"ssm:/prod/mistral/api-key\""
        + (entry is null ? ", or set MistralClientOptions.ApiKey." : ".")
        + " Entries of other providers (such as Bedrock) keep working without it.";

    private static string? Read(string name, IConfiguration? configuration)
    {
        var value = configuration?[name];
        if (string.IsNullOrWhiteSpace(value))
        {
            value = Environment.GetEnvironmentVariable(name);
        }

        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    /// <summary><c>scheme:name</c>, or a bare environment variable name in capitals (a real key is mixed case).</summary>
    private static bool LooksLikeReference(string value) =>
        value.Contains(':', StringComparison.Ordinal)
        || (value.Length > 0 && !char.IsAsciiDigit(value[0]) && value.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_'));
}
