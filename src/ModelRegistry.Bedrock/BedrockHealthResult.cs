namespace ModelRegistry.Bedrock;

/// <summary>What the token-free health check of a Bedrock model found.</summary>
/// <param name="IsHealthy">Whether credentials resolve and the model is available to the account.</param>
/// <param name="Description">What was checked and what failed, without secrets.</param>
/// <param name="Details">The availability fields Bedrock reported (agreement, authorization, entitlement, region), when it was asked.</param>
public sealed record BedrockHealthResult(bool IsHealthy, string Description, IReadOnlyDictionary<string, string> Details);
