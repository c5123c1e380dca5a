using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ModelRegistry.Providers;

namespace ModelRegistry.Mistral.Internal;

/// <summary>
/// The token-free health probes: <c>GET /v1/models/{id}</c> for a model, <c>GET /v1/agents/{id}</c> for an agent. They
/// never throw for an unhealthy model (only the caller's cancellation escapes): the result says what is wrong, in the
/// kit's scrubbed message.
/// </summary>
internal static class MistralProbe
{
    /// <summary>Healthy when the key may use the model; degraded when the API flags the model deprecated.</summary>
    public static Task<HealthCheckResult> CheckModelAsync(MistralApi api, string modelId, CancellationToken cancellationToken) =>
        ProbeAsync(api, "models/", modelId, "The model id", response => ReadModelCard(response, modelId), cancellationToken);

    /// <summary>Healthy when the key may use the agent.</summary>
    public static Task<HealthCheckResult> CheckAgentAsync(MistralApi api, string agentId, CancellationToken cancellationToken) =>
        ProbeAsync(api, "agents/", agentId, "The agent id", response => ReadAgent(response, agentId), cancellationToken);

    private static async Task<HealthCheckResult> ProbeAsync(
        MistralApi api, string collection, string id, string what, Func<ProviderResponse, HealthCheckResult> read, CancellationToken cancellationToken)
    {
        string path;
        try
        {
            path = collection + ProviderRequest.PathSegment(id, what);
        }
        catch (ArgumentException ex)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }

        try
        {
            var request = await api.RequestAsync(HttpMethod.Get, path, null, streaming: false, cancellationToken).ConfigureAwait(false);
            return await api.Transport.SendAsync(request, read, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ModelProviderException or ModelRegistryException)
        {
            return HealthCheckResult.Unhealthy(ex.Message, ex);
        }
    }

    private static HealthCheckResult ReadModelCard(ProviderResponse response, string modelId)
    {
        using var document = JsonDocument.Parse(response.Body);
        var card = document.RootElement;
        ProviderJson.RequireObject(card, "The model card");
        var header = response.Header(MistralApi.DeprecationHeader);
        var deprecation = ProviderJson.ReadString(card, "deprecation");
        var id = ProviderJson.ReadString(card, "id") ?? modelId;
        var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["model_id"] = id };
        if (card.TryGetProperty("max_context_length", out var length) && length.ValueKind == JsonValueKind.Number && length.TryGetInt32(out var tokens))
        {
            data["max_context_length"] = tokens;
        }

        if (string.IsNullOrWhiteSpace(header) && string.IsNullOrWhiteSpace(deprecation))
        {
            return HealthCheckResult.Healthy($"Mistral model '{id}' is available.", data);
        }

        var date = ParseDate(header) ?? ParseDate(deprecation);
        var replacement = ProviderJson.ReadString(card, "deprecation_replacement_model");
        if (date is { } retired)
        {
            data["deprecation_date"] = retired;
        }

        if (replacement is not null)
        {
            data["replacement_model"] = replacement;
        }

        return HealthCheckResult.Degraded(
            $"Mistral model '{id}' is deprecated" +
            (date is { } d ? $" and will be retired at {d.ToString("O", CultureInfo.InvariantCulture)}" : string.Empty) +
            (replacement is null ? string.Empty : $"; Mistral suggests '{replacement}'") + ".",
            data: data);
    }

    private static HealthCheckResult ReadAgent(ProviderResponse response, string agentId)
    {
        using var document = JsonDocument.Parse(response.Body);
        var agent = document.RootElement;
        ProviderJson.RequireObject(agent, "The agent");
        var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["agent_id"] = agentId };
        if (ProviderJson.ReadString(agent, "model") is { } model)
        {
            data["model_id"] = model;
        }

        return HealthCheckResult.Healthy($"Mistral agent '{agentId}' is available.", data);
    }

    /// <summary>An ISO 8601 date-time, or Unix seconds; anything else (or out of range) is no date.</summary>
    private static DateTimeOffset? ParseDate(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
        {
            return seconds >= DateTimeOffset.MinValue.ToUnixTimeSeconds() && seconds <= DateTimeOffset.MaxValue.ToUnixTimeSeconds()
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date) ? date : null;
    }
}
