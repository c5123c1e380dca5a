using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelRegistry.Providers;

namespace ModelRegistry.OpenAI.Internal;

/// <summary>
/// The token-free health probe, <c>GET {base}/models</c>: for flavour openai the model must be listed in its
/// <c>data[].id</c>; for a generic server (whose list may be shaped otherwise) a success status is enough. Never throws
/// for an unhealthy model (only the caller's cancellation escapes): the result says what is wrong, in the kit's
/// scrubbed message.
/// </summary>
internal static class OpenAIProbe
{
    public static async Task<HealthCheckResult> CheckAsync(OpenAIApi api, string modelId, CancellationToken cancellationToken)
    {
        try
        {
            OpenAINames.RequireModelId(modelId, "The model id");
        }
        catch (ArgumentException ex)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }

        try
        {
            var request = await api.RequestAsync(HttpMethod.Get, "models", null, streaming: false, cancellationToken).ConfigureAwait(false);
            return await api.Transport.SendAsync(request, response => api.Flavour == OpenAIFlavour.Generic
                ? HealthCheckResult.Healthy($"The server at {api.Endpoint} answers GET /models with {response.StatusCode}; model '{modelId}' is not checked (flavour generic).",
                    new Dictionary<string, object>(StringComparer.Ordinal) { ["model_id"] = modelId })
                : ReadList(response, api, modelId), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ModelProviderException or ModelRegistryException)
        {
            return HealthCheckResult.Unhealthy(ex.Message, ex);
        }
    }

    private static HealthCheckResult ReadList(ProviderResponse response, OpenAIApi api, string modelId)
    {
        using var document = JsonDocument.Parse(response.Body);
        var root = document.RootElement;
        ProviderJson.RequireObject(root, "The model list");
        if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException("The model list has no data array; a server whose GET /models is not OpenAI-shaped takes \"flavour\": \"generic\".");
        }

        var count = 0;
        foreach (var model in data.EnumerateArray())
        {
            count++;
            if (model.ValueKind == JsonValueKind.Object && ProviderJson.ReadString(model, "id") == modelId)
            {
                var details = new Dictionary<string, object>(StringComparer.Ordinal) { ["model_id"] = modelId };
                if (ProviderJson.ReadString(model, "owned_by") is { } owner)
                {
                    details["owned_by"] = owner;
                }

                return HealthCheckResult.Healthy($"Model '{modelId}' is listed at {api.Endpoint}.", details);
            }
        }

        return HealthCheckResult.Unhealthy(
            $"Model '{modelId}' is not among the {count} models the key may use at {api.Endpoint} (GET /models). Check the entry's model_id, the key's project or region.",
            data: new Dictionary<string, object>(StringComparer.Ordinal) { ["model_id"] = modelId, ["listed_models"] = count });
    }
}
