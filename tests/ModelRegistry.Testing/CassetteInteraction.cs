namespace ModelRegistry.Testing;

/// <summary>One recorded request and the response it got.</summary>
/// <param name="Request">What the recorded client sent.</param>
/// <param name="Response">What the service answered.</param>
public sealed record CassetteInteraction(CassetteRequest Request, CassetteResponse Response);
