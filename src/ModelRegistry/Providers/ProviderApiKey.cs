using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ModelRegistry.Providers;

/// <summary>
/// Where a provider's API key comes from, decided without I/O and read on the first call, in one order for every
/// provider: the entry's secret reference setting (<c>api_key</c>), the key set in code
/// (<see cref="ProviderClientOptions.ApiKey"/>), then the provider's environment variables (configuration first, then
/// the <see cref="EnvironmentProvider"/>), then a variable naming an SSM parameter that holds the key.
/// </summary>
public sealed class ProviderApiKey
{
    private readonly Func<CancellationToken, ValueTask<string?>> _read;

    private ProviderApiKey(Func<CancellationToken, ValueTask<string?>> read)
    {
        _read = read;
    }

    /// <summary>The key of a registry entry.</summary>
    /// <param name="entry">The entry.</param>
    /// <param name="services">The application's services (secret resolver, configuration, environment).</param>
    /// <param name="setting">The entry's secret reference setting, e.g. <c>api_key</c>.</param>
    /// <param name="defaults">The provider's options from <c>AddXxx(options => ...)</c>.</param>
    /// <param name="variables">Environment variables that hold the key, in order, e.g. <c>MISTRAL_API_KEY</c>.</param>
    /// <param name="parameterVariable">A variable naming the SSM parameter that holds the key, e.g. <c>MISTRAL_API_KEY_PARAMETER</c>.</param>
    public static ProviderApiKey ForEntry(
        ModelEntry entry, IServiceProvider services, EntrySetting<string> setting, ProviderClientOptions? defaults, IReadOnlyList<string> variables, string? parameterVariable = null)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(setting);
        ArgumentNullException.ThrowIfNull(variables);
        var secrets = services.GetService<ISecretResolver>();
        if (setting.TryGetValue(entry, out var reference))
        {
            var resolver = secrets ?? throw new ModelRegistryException(
                $"Model registry entry '{entry.Name}': setting '{setting.Key}' needs the registry's secret resolver; add the registry with AddModelRegistry().");
            return new ProviderApiKey(async ct => await resolver.ResolveAsync(reference, ct).ConfigureAwait(false));
        }

        return FromDefaults(defaults?.ApiKey, services.GetService<IConfiguration>(), services.GetService<EnvironmentProvider>() ?? EnvironmentProvider.System, secrets, variables, parameterVariable);
    }

    /// <summary>The key of a directly used client: <see cref="ProviderClientOptions.ApiKey"/>, then the variables.</summary>
    /// <param name="options">The client's options.</param>
    /// <param name="variables">Environment variables that hold the key, in order.</param>
    public static ProviderApiKey ForClient(ProviderClientOptions options, IReadOnlyList<string> variables)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(variables);
        return FromDefaults(options.ApiKey, null, options.Environment ?? EnvironmentProvider.System, null, variables, null);
    }

    /// <summary>Reads the key; <see langword="null"/> when none is configured anywhere.</summary>
    /// <param name="cancellationToken">Cancels a secret store read.</param>
    /// <exception cref="ModelRegistryException">A referenced secret is missing or its store cannot be read.</exception>
    public ValueTask<string?> GetAsync(CancellationToken cancellationToken = default) => _read(cancellationToken);

    private static ProviderApiKey FromDefaults(
        string? configured, IConfiguration? configuration, EnvironmentProvider environment, ISecretResolver? secrets, IReadOnlyList<string> variables, string? parameterVariable)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var key = configured.Trim();
            return new ProviderApiKey(_ => ValueTask.FromResult<string?>(key));
        }

        return new ProviderApiKey(async ct =>
        {
            foreach (var variable in variables)
            {
                if (Read(variable, configuration, environment) is { } direct)
                {
                    return direct;
                }
            }

            if (parameterVariable is not null && Read(parameterVariable, configuration, environment) is { } parameter)
            {
                if (secrets is null)
                {
                    throw new ModelRegistryException(
                        $"{parameterVariable} is set, but a directly used client has no secret resolver to read the parameter it names. " +
                        $"Set {string.Join(" or ", variables)} or the ApiKey option, or use the model registry (AddModelRegistry()).");
                }

                var reference = parameter.StartsWith("ssm:", StringComparison.Ordinal) ? parameter : "ssm:" + parameter;
                return await secrets.ResolveAsync(reference, ct).ConfigureAwait(false);
            }

            return null;
        });
    }

    private static string? Read(string name, IConfiguration? configuration, EnvironmentProvider environment)
    {
        var value = configuration?[name];
        return string.IsNullOrWhiteSpace(value) ? environment.Get(name) : value.Trim();
    }
}
