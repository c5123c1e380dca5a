using ModelRegistry.Providers;

namespace ModelRegistry.Mistral.Internal;

/// <summary>What the kit needs to know of Mistral's wire: names, the entry keys the provider reads, and how errors read.</summary>
internal static class MistralProtocol
{
    /// <summary>The provider name registry entries use.</summary>
    public const string ProviderName = "mistral";

    /// <summary>The provider name in telemetry (OpenTelemetry GenAI <c>gen_ai.provider.name</c>).</summary>
    public const string TelemetryProviderName = "mistral_ai";

    /// <summary>The variable holding the key.</summary>
    public const string ApiKeyVariable = "MISTRAL_API_KEY";

    /// <summary>The variable naming the SSM parameter that holds the key (registry entries only).</summary>
    public const string ApiKeyParameterVariable = "MISTRAL_API_KEY_PARAMETER";

    /// <summary>The public API's address.</summary>
    public static readonly Uri DefaultEndpoint = new("https://api.mistral.ai/");

    /// <summary>The transport description: the named HttpClient is <c>ModelRegistry.Mistral</c>.</summary>
    public static readonly ProviderTransportOptions Transport = new()
    {
        ProviderName = ProviderName,
        DisplayName = "Mistral",
        ParseError = MistralErrors.Parse,
    };

    /// <summary>Entry key <c>api_key</c>: a secret reference to the key.</summary>
    public static readonly EntrySetting<string> ApiKey = EntrySettings.SecretReference("api_key");

    /// <summary>Entry key <c>endpoint</c>: the API's address.</summary>
    public static readonly EntrySetting<Uri> Endpoint = EntrySettings.Url("endpoint", "https://api.mistral.ai");

    /// <summary>Entry key <c>base_url</c>: another name of <c>endpoint</c>, which wins when both are set.</summary>
    public static readonly EntrySetting<Uri> BaseUrl = EntrySettings.Url("base_url", "https://api.mistral.ai");

    /// <summary>Entry key <c>agent_id</c>: the entry calls this agent through <c>/v1/agents/completions</c>.</summary>
    public static readonly EntrySetting<string> AgentId = EntrySettings.Text("agent_id", "a Mistral agent id such as ag:3996db2b:20250101:support:1");

    /// <summary>Entry key <c>conversations</c>: the entry speaks the Conversations API (<c>/v1/conversations</c>), which keeps the conversation.</summary>
    public static readonly EntrySetting<bool> Conversations = EntrySettings.Boolean("conversations");

    /// <summary>Every entry key the provider reads.</summary>
    public static readonly IReadOnlyList<EntrySetting> Settings = [ApiKey, Endpoint, BaseUrl, AgentId, Conversations, .. MistralGuardrail.Settings];
}
