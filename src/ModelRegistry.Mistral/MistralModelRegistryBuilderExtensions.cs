using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Mistral;
using ModelRegistry.Mistral.Internal;

namespace ModelRegistry;

/// <summary>Adds the Mistral provider to the model registry.</summary>
public static class MistralModelRegistryBuilderExtensions
{
    /// <summary>
    /// Registers provider <c>mistral</c>: entries such as <c>{"provider":"mistral","model_id":"mistral-large-latest"}</c>
    /// get a Mistral <c>IChatClient</c> and embedding generator. Entry settings: <c>api_key</c> (a secret reference,
    /// <c>env:NAME</c> or <c>ssm:/path</c>), <c>endpoint</c> (alias <c>base_url</c>), <c>agent_id</c>, and the registry's
    /// own (<c>resilience:*</c>...). Also registers the named HttpClient <c>ModelRegistry.Mistral</c>.
    /// </summary>
    /// <param name="builder">The registry builder from <c>AddModelRegistry()</c>.</param>
    /// <param name="configure">Sets defaults for every Mistral entry (<c>Endpoint</c>, <c>ApiKey</c>).</param>
    public static ModelRegistryBuilder AddMistral(this ModelRegistryBuilder builder, Action<MistralClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<MistralClientOptions>();
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }

        return builder.AddProvider<MistralChatClientProvider>(MistralProtocol.Transport);
    }
}
