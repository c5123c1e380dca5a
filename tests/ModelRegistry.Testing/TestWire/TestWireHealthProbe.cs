using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ModelRegistry.Testing.TestWire;

/// <summary>The token-free probe: <c>GET v1/models/{model}</c> answers <c>{"status": "available"}</c> for a model that can be called.</summary>
internal static class TestWireHealthProbe
{
    public static async Task<HealthCheckResult> CheckAsync(TestWireConnection connection, string modelId, CancellationToken cancellationToken)
    {
        try
        {
            var request = await connection.CreateRequestAsync(HttpMethod.Get, connection.ModelUri(modelId, "The model id"), body: null, stream: false, cancellationToken).ConfigureAwait(false);
            var status = await connection.Transport.SendAsync(request, TestWireResponseReader.ReadModelStatus, cancellationToken).ConfigureAwait(false);
            return status == "available"
                ? HealthCheckResult.Healthy($"testwire model '{modelId}' is available.")
                : HealthCheckResult.Unhealthy($"testwire model '{modelId}' is {status}, not available.");
        }
        catch (Exception ex) when (ex is ModelProviderException or ModelRegistryException or ArgumentException)
        {
            return HealthCheckResult.Unhealthy(ex.Message, ex);
        }
    }
}
