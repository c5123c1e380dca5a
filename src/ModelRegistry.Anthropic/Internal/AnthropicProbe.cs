using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelRegistry.Providers;

namespace ModelRegistry.Anthropic.Internal;

/// <summary>
/// The token-free health probe: <c>GET {endpoint}/v1/models/{model}</c> on api.anthropic.com (and any other endpoint),
/// <c>GET https://bedrock-mantle.{region}.api.aws/v1/models/{model}</c> on Mantle, whose catalogue is at the region's root
/// rather than under <c>/anthropic</c>. Never throws for an unhealthy model (only the caller's cancellation escapes).
/// </summary>
internal static class AnthropicProbe
{
    public static async Task<HealthCheckResult> CheckModelAsync(AnthropicApi api, string modelId, CancellationToken cancellationToken)
    {
        string path;
        try
        {
            path = "v1/models/" + ProviderRequest.PathSegment(modelId, "The model id");
        }
        catch (ArgumentException ex)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }

        try
        {
            var request = await api.RequestAsync(HttpMethod.Get, path, null, streaming: false, cancellationToken, root: api.IsMantle).ConfigureAwait(false);
            return await api.Transport.SendAsync(request, response => Read(response, modelId, api.IsMantle), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ModelProviderException or ModelRegistryException)
        {
            return HealthCheckResult.Unhealthy(ex.Message, ex);
        }
    }

    private static HealthCheckResult Read(ProviderResponse response, string modelId, bool mantle)
    {
        using var document = JsonDocument.Parse(response.Body);
        var card = document.RootElement;
        ProviderJson.RequireObject(card, "The model card");
        var id = ProviderJson.ReadString(card, "id") ?? modelId;
        var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["model_id"] = id };
        if (ProviderJson.ReadString(card, "display_name") is { } name)
        {
            data["display_name"] = name;
        }

        return HealthCheckResult.Healthy($"Anthropic model '{id}' is available{(mantle ? " on Bedrock Mantle" : string.Empty)}.", data);
    }
}
