using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Bedrock;
using ModelRegistry.Bedrock.Internal;

namespace ModelRegistry;

/// <summary>Adds the Bedrock provider to a model registry.</summary>
public static class BedrockModelRegistryBuilderExtensions
{
    /// <summary>
    /// Serves registry entries whose <c>provider</c> is <c>bedrock</c> through the Converse API, with the HttpClient
    /// named <c>ModelRegistry.Bedrock</c> from IHttpClientFactory (configure it further with <c>AddHttpClient</c>).
    /// Entry settings (validated when the registry loads): <c>region</c>, <c>inference_profile_arn</c>, <c>endpoint</c>,
    /// <c>control_plane_endpoint</c>, <c>api_key</c> (a secret reference), <c>structured_output</c>,
    /// <c>guardrail_identifier</c>, <c>guardrail_version</c>, <c>guardrail_trace</c>, <c>service_tier</c>,
    /// <c>performance_latency</c>, and the registry's <c>resilience:*</c>, <c>limits:*</c>, <c>circuit_breaker:*</c>.
    /// </summary>
    /// <param name="builder">The builder <c>AddModelRegistry()</c> returned.</param>
    /// <param name="configure">Sets defaults for every bedrock entry (region, endpoints, API key, structured output).</param>
    /// <returns>The builder.</returns>
    public static ModelRegistryBuilder AddBedrock(this ModelRegistryBuilder builder, Action<BedrockClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<BedrockClientOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return builder.AddProvider<BedrockChatClientProvider>(BedrockErrors.Protocol);
    }
}
