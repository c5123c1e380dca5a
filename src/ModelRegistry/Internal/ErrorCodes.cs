namespace ModelRegistry.Internal;

/// <summary>The <see cref="ModelProviderException.ErrorCode"/>s the registry itself raises.</summary>
internal static class ErrorCodes
{
    public const string ClientRateLimit = "ClientRateLimit";
    public const string ClientConcurrencyLimit = "ClientConcurrencyLimit";
    public const string CircuitOpen = "CircuitOpen";
}
