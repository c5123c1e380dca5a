using ModelRegistry.Providers;

namespace ModelRegistry.Mistral;

/// <summary>
/// Options of the Mistral clients. For direct use, pass them to <see cref="MistralClient"/>; with the registry, set them
/// in <c>AddMistral(options => ...)</c> as defaults for every <c>mistral</c> entry (an entry's own <c>endpoint</c> and
/// <c>api_key</c> settings win). When <see cref="ProviderClientOptions.ApiKey"/> is unset, the key comes from the
/// <c>MISTRAL_API_KEY</c> variable (and, for registry entries, from the SSM parameter named by <c>MISTRAL_API_KEY_PARAMETER</c>).
/// </summary>
public sealed class MistralClientOptions : ProviderClientOptions
{
    /// <summary>
    /// Creates options for the public API: <see cref="ProviderClientOptions.Endpoint"/> is <c>https://api.mistral.ai</c>.
    /// Another endpoint (a private deployment) may end in <c>/v1</c> or not.
    /// </summary>
    public MistralClientOptions()
    {
        Endpoint = Internal.MistralProtocol.DefaultEndpoint;
    }

    /// <summary>
    /// Whether chat clients speak Mistral's Conversations API (<c>/v1/conversations</c>), which keeps the conversation on
    /// Mistral's side: a call without <c>ChatOptions.ConversationId</c> starts one, a call with one appends its new messages,
    /// and the answer's <c>ConversationId</c> names it. Default false: chat completions, which refuse a call carrying a
    /// <c>ConversationId</c>. With the registry it is the default of every Mistral entry; an entry's <c>conversations</c> setting wins.
    /// </summary>
    public bool Conversations { get; set; }
}
