using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Bedrock.Internal;

namespace ModelRegistry.Bedrock;

/// <summary>Adds the Bedrock provider to a model registry.</summary>
public static class BedrockModelRegistryBuilderExtensions
{
    /// <summary>
    /// Serves registry entries whose <c>provider</c> is <c>bedrock</c> through the Converse API, with an HttpClient
    /// named <c>ModelRegistry.Bedrock</c> from IHttpClientFactory (configure it further with <c>AddHttpClient</c>).
    /// Entry settings: <c>region</c>, <c>inference_profile_arn</c>, <c>endpoint</c>, <c>control_plane_endpoint</c>,
    /// <c>api_key</c> (a secret reference), <c>structured_output</c>, <c>guardrail_identifier</c>,
    /// <c>guardrail_version</c>, <c>guardrail_trace</c>, <c>service_tier</c>, <c>performance_latency</c>, <c>resilience:*</c>.
    /// </summary>
    /// <param name="builder">The builder <c>AddModelRegistry()</c> returned.</param>
    /// <returns>The builder.</returns>
    public static ModelRegistryBuilder AddBedrock(this ModelRegistryBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddHttpClient(BedrockTransportFactory.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        return builder.AddProvider<BedrockChatClientProvider>();
    }
}
