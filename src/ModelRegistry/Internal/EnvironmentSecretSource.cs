namespace ModelRegistry.Internal;

/// <summary>Secrets from environment variables: <c>env:NAME</c>, or a reference without a scheme.</summary>
internal sealed class EnvironmentSecretSource : ISecretSource
{
    public string Scheme => "env";

    public ValueTask<string?> GetSecretAsync(string name, CancellationToken cancellationToken)
    {
        var value = Environment.GetEnvironmentVariable(name);
        return ValueTask.FromResult(string.IsNullOrEmpty(value) ? null : value);
    }
}
