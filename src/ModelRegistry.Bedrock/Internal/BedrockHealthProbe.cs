using System.Text.Json.Nodes;

namespace ModelRegistry.Bedrock.Internal;

/// <summary>
/// The token-free health check: credentials (or an API key) resolve, and for a foundation model the control plane's
/// <c>GET /foundation-model-availability/{modelId}</c> reports the model available, authorised, entitled and in region.
/// No model is invoked, so no tokens are spent.
/// </summary>
internal static class BedrockHealthProbe
{
    public static async Task<BedrockHealthResult> CheckAsync(BedrockTransport transport, CancellationToken cancellationToken)
    {
        var settings = transport.Settings;
        BedrockAuthenticator.Resolved resolved;
        try
        {
            resolved = await transport.Authenticator.ResolveAsync(cancellationToken).ConfigureAwait(false);
            if (resolved.Credentials is { } credentials)
            {
                _ = await credentials(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (ModelRegistryException ex)
        {
            return new BedrockHealthResult(false, ex.Message, new Dictionary<string, string>());
        }

        var family = ModelFamily.Of(settings.ModelId);
        if (settings.ModelId.StartsWith("arn:", StringComparison.Ordinal))
        {
            return new BedrockHealthResult(true, $"{settings.Describe}: credentials resolve; availability is only checked for foundation model ids.", new Dictionary<string, string>());
        }

        JsonObject body;
        try
        {
            using var response = await transport.SendAsync(
                HttpMethod.Get,
                r => transport.Authenticator.ControlPlaneUri(r, $"foundation-model-availability/{BedrockAuthenticator.EncodeSegment(family.BaseId)}"),
                null,
                "application/json",
                cancellationToken).ConfigureAwait(false);
            body = JsonNode.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false)) as JsonObject ?? [];
        }
        catch (ModelProviderException ex)
        {
            return new BedrockHealthResult(false, ex.Message, new Dictionary<string, string>());
        }

        var details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["agreementAvailability"] = (string?)body["agreementAvailability"]?["status"] ?? "unknown",
            ["authorizationStatus"] = (string?)body["authorizationStatus"] ?? "unknown",
            ["entitlementAvailability"] = (string?)body["entitlementAvailability"] ?? "unknown",
            ["regionAvailability"] = (string?)body["regionAvailability"] ?? "unknown",
        };
        var healthy = details["agreementAvailability"] == "AVAILABLE" && details["authorizationStatus"] == "AUTHORIZED"
            && details["entitlementAvailability"] == "AVAILABLE" && details["regionAvailability"] == "AVAILABLE";
        var problem = (string?)body["agreementAvailability"]?["errorMessage"];
        var description = healthy
            ? $"{settings.Describe}: {family.BaseId} is available in {resolved.Region}."
            : $"{settings.Describe}: {family.BaseId} is not usable in {resolved.Region}: " +
              string.Join(", ", details.Select(d => $"{d.Key} {d.Value}")) + (problem is null ? "." : $" ({problem}).");
        return new BedrockHealthResult(healthy, description, details);
    }
}
