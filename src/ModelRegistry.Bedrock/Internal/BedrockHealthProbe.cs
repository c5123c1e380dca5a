using System.Text.Json.Nodes;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelRegistry.Providers;

namespace ModelRegistry.Bedrock.Internal;

/// <summary>
/// The token-free health check: credentials (or an API key) resolve, and for a foundation model the control plane's
/// <c>GET /foundation-model-availability/{modelId}</c> reports the model available, authorised, entitled and in region.
/// No model is invoked, so no tokens are spent. Never throws for an unhealthy model: the result says what is wrong.
/// </summary>
internal static class BedrockHealthProbe
{
    private static readonly string[] Fields = ["agreementAvailability", "authorizationStatus", "entitlementAvailability", "regionAvailability"];

    public static async Task<HealthCheckResult> CheckAsync(BedrockConnection connection, BedrockSettings settings, CancellationToken cancellationToken)
    {
        var model = settings.ModelId;
        var isArn = model.StartsWith("arn:", StringComparison.Ordinal);
        BedrockConnection.Target target;
        try
        {
            target = await connection.ResolveAsync(settings, controlPlane: !isArn, cancellationToken).ConfigureAwait(false);
        }
        catch (ModelRegistryException ex)
        {
            return HealthCheckResult.Unhealthy(ex.Message, ex);
        }

        if (isArn)
        {
            return HealthCheckResult.Healthy($"Bedrock model '{model}': credentials resolve; availability is only checked for foundation model ids.");
        }

        var baseId = ModelFamily.Of(model).BaseId;
        Dictionary<string, string> details;
        try
        {
            var request = target.ControlPlane($"foundation-model-availability/{ProviderRequest.PathSegment(baseId, "the model id")}");
            details = await connection.Transport.SendAsync(request, ReadAvailability, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ModelProviderException or ModelRegistryException)
        {
            return HealthCheckResult.Unhealthy(ex.Message, ex);
        }

        // Every value the service sent is scrubbed before it goes into the data or the description.
        var data = details.ToDictionary(d => d.Key, d => (object)connection.Transport.Redact(d.Value), StringComparer.Ordinal);
        var healthy = Fields.All(f => details[f] == (f == "authorizationStatus" ? "AUTHORIZED" : "AVAILABLE"));
        if (healthy)
        {
            return HealthCheckResult.Healthy($"Bedrock model '{baseId}' is available in {target.Region}.", data);
        }

        var problem = data.GetValueOrDefault("errorMessage");
        return HealthCheckResult.Unhealthy(
            $"Bedrock model '{baseId}' is not usable in {target.Region}: {string.Join(", ", Fields.Select(f => $"{f} {data[f]}"))}" +
            (problem is null ? "." : $" ({problem})."),
            data: data);
    }

    private static Dictionary<string, string> ReadAvailability(ProviderResponse response)
    {
        var body = JsonValues.ParseObject(response.Body);
        var details = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in Fields)
        {
            var node = field == "agreementAvailability" ? body[field] is JsonObject agreement ? agreement["status"] : null : body[field];
            details[field] = node is JsonValue value && value.TryGetValue<string>(out var text) ? text : "unknown";
        }

        if (body["agreementAvailability"] is JsonObject withError && withError["errorMessage"] is JsonValue error && error.TryGetValue<string>(out var message))
        {
            details["errorMessage"] = message;
        }

        return details;
    }
}
