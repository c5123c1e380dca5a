using Microsoft.Extensions.AI;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using ModelRegistry.Providers;

namespace ModelRegistry.Bedrock.Internal;

/// <summary>
/// The registry's provider <c>bedrock</c>: its entry keys, features, chat clients, embedding generators and health probe.
/// One connection (credentials, transport) per entry definition; creating clients does no I/O.
/// </summary>
internal sealed class BedrockChatClientProvider(IOptions<BedrockClientOptions> options) : IChatClientProvider
{
    /// <summary>The provider name registry entries use, and the <see cref="RegistryProperties.Origin"/> of Bedrock's content.</summary>
    public const string RegistryName = "bedrock";

    public string Name => RegistryName;

    public IReadOnlyList<EntrySetting> Settings => BedrockSettings.Declared;

    public ProviderFeatures Features =>
        ProviderFeatures.Tools | ProviderFeatures.StructuredOutput | ProviderFeatures.Reasoning | ProviderFeatures.Images | ProviderFeatures.Documents
        | ProviderFeatures.Embeddings | ProviderFeatures.TokenCounting | ProviderFeatures.PromptCacheUsage;

    public IChatClient CreateChatClient(ModelEntry entry, IServiceProvider services)
    {
        var (connection, settings) = Open(entry, services);
        return new BedrockChatClient(connection, settings);
    }

    public IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(ModelEntry entry, IServiceProvider services)
    {
        var (connection, settings) = Open(entry, services);
        return BedrockEmbeddingGenerator.KindOf(settings.ModelId) is null
            ? throw new ModelRegistryException(
                $"Model registry entry '{entry.Name}' (bedrock): model '{settings.ModelId}' generates no embeddings; {BedrockEmbeddingGenerator.SupportedModels} do. " +
                "For an inference profile, set model_id to the base model id and inference_profile_arn to the profile.")
            : new BedrockEmbeddingGenerator(connection, settings);
    }

    public async Task<HealthCheckResult> CheckHealthAsync(ModelEntry entry, IServiceProvider services, CancellationToken cancellationToken)
    {
        BedrockConnection connection;
        BedrockSettings settings;
        try
        {
            (connection, settings) = Open(entry, services);
        }
        catch (ModelRegistryException ex)
        {
            return HealthCheckResult.Unhealthy(ex.Message, ex);
        }

        return await BedrockHealthProbe.CheckAsync(connection, settings, cancellationToken).ConfigureAwait(false);
    }

    private (BedrockConnection Connection, BedrockSettings Settings) Open(ModelEntry entry, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(services);
        var defaults = options.Value;
        if (BedrockClientOptions.Problem(defaults) is { } problem)
        {
            throw new ModelRegistryException($"AddBedrock(options => ...): {problem}");
        }

        return (BedrockConnection.ForEntry(entry, services, defaults), BedrockSettings.FromEntry(entry, defaults));
    }
}
