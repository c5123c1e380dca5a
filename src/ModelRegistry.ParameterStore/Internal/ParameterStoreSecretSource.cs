namespace ModelRegistry.ParameterStore.Internal;

/// <summary>
/// Secrets from SSM parameters: <c>ssm:/path/to/parameter</c>, decrypted. The core resolver caches them in memory; a
/// failed read throws (naming the parameter, region, transport and fix) rather than returning null, so it is not cached.
/// </summary>
internal sealed class ParameterStoreSecretSource(ParameterStoreClient client) : ISecretSource
{
    public string Scheme => "ssm";

    public async ValueTask<string?> GetSecretAsync(string name, CancellationToken cancellationToken)
    {
        var parameter = await client.GetAsync(name, $"the secret 'ssm:{name}'", cancellationToken).ConfigureAwait(false);
        return parameter.Value;
    }
}
