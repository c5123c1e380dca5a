namespace ModelRegistry.Internal;

/// <summary>Keyed by HttpClient name: marks a provider's named HttpClient as registered, so registering twice adds no second handler configuration.</summary>
internal sealed class ProviderHttpClientMarker;
