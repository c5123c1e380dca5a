using ModelRegistry.Providers;

namespace ModelRegistry.Internal;

/// <summary>Secrets from environment variables (read through <see cref="EnvironmentProvider"/>): <c>env:NAME</c>, or a bare <c>NAME</c> in capitals.</summary>
internal sealed class EnvironmentSecretSource(EnvironmentProvider environment) : ISecretSource
{
    public string Scheme => "env";

    public ValueTask<string?> GetSecretAsync(string name, CancellationToken cancellationToken) => ValueTask.FromResult(environment.Get(name));
}
