using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Anthropic;
using ModelRegistry.Anthropic.Internal;

namespace ModelRegistry;

/// <summary>Adds the Anthropic provider to the model registry.</summary>
public static class AnthropicModelRegistryBuilderExtensions
{
    /// <summary>
    /// Registers provider <c>anthropic</c>: entries such as <c>{"provider":"anthropic","model_id":"claude-sonnet-4-5"}</c>
    /// (api.anthropic.com) or <c>{"provider":"anthropic","model_id":"anthropic.claude-opus-4-7","region":"us-east-1"}</c>
    /// (Bedrock Mantle) get an Anthropic <c>IChatClient</c>. Entry settings: <c>api_key</c>, <c>endpoint</c> (alias
    /// <c>base_url</c>), <c>region</c>, <c>auth</c>, <c>max_tokens</c>, <c>unavailable_features</c>,
    /// <c>unavailable_feature_action</c>, and the registry's own. Also registers the named HttpClient <c>ModelRegistry.Anthropic</c>.
    /// </summary>
    /// <param name="builder">The registry builder from <c>AddModelRegistry()</c>.</param>
    /// <param name="configure">Sets defaults for every Anthropic entry.</param>
    public static ModelRegistryBuilder AddAnthropic(this ModelRegistryBuilder builder, Action<AnthropicClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<AnthropicClientOptions>();
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }

        return builder.AddProvider<AnthropicChatClientProvider>(AnthropicProtocol.Transport);
    }
}
