using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.OpenAI;
using ModelRegistry.OpenAI.Internal;

namespace ModelRegistry;

/// <summary>Adds the OpenAI provider (Chat Completions or the Responses API) to the model registry.</summary>
public static class OpenAIModelRegistryBuilderExtensions
{
    /// <summary>
    /// Registers provider <c>openai</c>: entries such as <c>{"provider":"openai","model_id":"gpt-4.1-mini"}</c> get an
    /// <c>IChatClient</c> over Chat Completions (or the Responses API) and an embedding generator. Entry settings:
    /// <c>endpoint</c> (alias <c>base_url</c>), <c>region</c> (Bedrock Mantle), <c>flavour</c> (<c>openai</c> or
    /// <c>generic</c>), <c>api</c> (<c>chat_completions</c> or <c>responses</c>), <c>api_key</c> (a secret reference),
    /// <c>max_tokens_field</c>, <c>reasoning_effort_supported</c>, and the registry's own (<c>resilience:*</c>...).
    /// Also registers the named HttpClient <c>ModelRegistry.OpenAI</c>.
    /// </summary>
    /// <param name="builder">The registry builder from <c>AddModelRegistry()</c>.</param>
    /// <param name="configure">Sets defaults for every OpenAI entry (<c>Endpoint</c>, <c>Region</c>, <c>Flavour</c>, <c>Api</c>, <c>ApiKey</c>).</param>
    public static ModelRegistryBuilder AddOpenAI(this ModelRegistryBuilder builder, Action<OpenAIClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<OpenAIClientOptions>();
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }

        return builder.AddProvider<OpenAIChatClientProvider>(OpenAIProtocol.Transport);
    }
}
