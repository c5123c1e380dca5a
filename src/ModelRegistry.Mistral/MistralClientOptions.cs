namespace ModelRegistry.Mistral;

/// <summary>
/// Options of the Mistral clients. With the registry, set them in <c>AddMistral(options => ...)</c> as defaults for every
/// <c>mistral</c> entry (an entry's own <c>endpoint</c> and <c>api_key</c> settings win). For direct use, pass them to
/// <see cref="MistralAI"/>.
/// </summary>
public sealed class MistralClientOptions
{
    /// <summary>
    /// The API's address; default <c>https://api.mistral.ai</c>. A trailing <c>/v1</c> is optional. An entry's
    /// <c>endpoint</c> (or <c>base_url</c>) setting overrides it.
    /// </summary>
    public Uri Endpoint { get; set; } = Internal.MistralConnection.DefaultEndpoint;

    /// <summary>
    /// The API key itself. When unset, the key is read on the first call: an entry's <c>api_key</c> secret reference,
    /// else the <c>MISTRAL_API_KEY</c> environment variable (or configuration key), else the SSM parameter named by
    /// <c>MISTRAL_API_KEY_PARAMETER</c> (registry only; needs the ParameterStore package). Never logged.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Direct use only: an agent id, to call <c>/v1/agents/completions</c> instead of chat completions. Registry entries use
    /// their <c>agent_id</c> setting.
    /// </summary>
    public string? AgentId { get; set; }

    /// <summary>Direct use only: the retry policy; default <see cref="ProviderResilienceOptions"/>' defaults. Registry entries use the registry's.</summary>
    public ProviderResilienceOptions? Resilience { get; set; }

    /// <summary>Direct use only: the clock for retry delays and timeouts; default <see cref="TimeProvider.System"/>. Registry entries use the one in DI.</summary>
    public TimeProvider? TimeProvider { get; set; }
}
