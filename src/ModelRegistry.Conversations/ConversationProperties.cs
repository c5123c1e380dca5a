namespace ModelRegistry.Conversations;

/// <summary>Keys the conversations middleware reads from <c>ChatOptions.AdditionalProperties</c> and sets on answers.</summary>
public static class ConversationProperties
{
    /// <summary>
    /// In <c>ChatOptions.AdditionalProperties</c>: the caller's owner id (a <see cref="string"/>), used with
    /// <see cref="RegistryProperties.CallerRoles"/> when the call names its caller instead of <see cref="ModelRegistryCaller"/>.
    /// Set it from what your application authenticated, never from what a user sent.
    /// </summary>
    public const string CallerId = "model_registry.caller_id";

    /// <summary>
    /// On an answer (the response, or a stream's last update): <see langword="false"/> when the answer was produced but the
    /// store failed to keep it (the failure is logged as a warning and counted); absent when it was stored.
    /// </summary>
    public const string Stored = "model_registry.conversation_stored";
}
