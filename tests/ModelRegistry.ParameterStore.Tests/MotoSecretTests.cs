using Amazon.SimpleSystemsManagement;
using ModelRegistry.ParameterStore.Tests.Support;
using ModelRegistry.Testing;

namespace ModelRegistry.ParameterStore.Tests;

/// <summary><c>ssm:</c> secret references, against moto's SSM with SecureString parameters.</summary>
public sealed class MotoSecretTests
{
    private const string ApiKey = "sk-fake-3f9c2a7e51d04b6f";

    [Test]
    public async Task An_ssm_reference_resolves_to_the_decrypted_SecureString()
    {
        var name = await PutKeyAsync();
        await using var host = SecretsHost();

        Assert.That(await host.Secrets.ResolveAsync("ssm:" + name), Is.EqualTo(ApiKey));
    }

    [Test]
    public async Task The_seeds_MISTRAL_API_KEY_PARAMETER_resolves_as_an_ssm_reference()
    {
        // The Mistral package resolves "ssm:" + the value of MISTRAL_API_KEY_PARAMETER; this is that resolution.
        var environment = new Dictionary<string, string> { ["MISTRAL_API_KEY_PARAMETER"] = await PutKeyAsync() };
        await using var host = SecretsHost();

        Assert.That(await host.Secrets.ResolveAsync("ssm:" + environment["MISTRAL_API_KEY_PARAMETER"]), Is.EqualTo(ApiKey));
    }

    [Test]
    public async Task A_missing_secret_names_the_reference_region_and_transport_and_is_not_cached()
    {
        var name = Moto.UniqueName("mistral-api-key");
        await using var host = SecretsHost();

        var error = Assert.ThrowsAsync<ModelRegistryException>(async () => await host.Secrets.ResolveAsync("ssm:" + name));
        Assert.That(error!.Message, Does.Contain($"the secret 'ssm:{name}'").And.Contain("region eu-west-1").And.Contain("via the SSM API").And.Contain("does not exist"));

        await Moto.PutAsync(name, ApiKey, ParameterType.SecureString);
        Assert.That(await host.Secrets.ResolveAsync("ssm:" + name), Is.EqualTo(ApiKey), "the failure was not cached");
    }

    [Test]
    public async Task A_resolved_secret_is_cached_in_memory()
    {
        var name = await PutKeyAsync();
        await using var host = SecretsHost();
        Assert.That(await host.Secrets.ResolveAsync("ssm:" + name), Is.EqualTo(ApiKey));

        await Moto.DeleteAsync(name);

        Assert.That(await host.Secrets.ResolveAsync("ssm:" + name), Is.EqualTo(ApiKey), "served from memory, not read again");
    }

    [Test]
    public async Task A_secret_never_appears_in_logs_or_in_the_error_of_a_registry_pointed_at_it_by_mistake()
    {
        var name = await PutKeyAsync();
        await using var host = TestHost.Create(b => b.FromParameterStore(name, Moto.Configure));

        await host.Secrets.ResolveAsync("ssm:" + name);
        var error = Assert.ThrowsAsync<ModelRegistryException>(async () => await host.AskAsync("any"));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("is not valid JSON"));
            Assert.That(error.ToString(), Does.Not.Contain(ApiKey));
            Assert.That(host.Logs.AllText(), Does.Contain(name), "the reads were logged (by name)");
            Assert.That(host.Logs.AllText(), Does.Not.Contain(ApiKey));
        });
    }

    /// <summary>An app whose registry is empty JSON and whose secrets come from moto.</summary>
    private static TestHost SecretsHost() => TestHost.Create(b => b.FromJson("{}").AddParameterStore(Moto.Configure));

    /// <summary>Writes the API key as a SecureString and returns its name.</summary>
    private static async Task<string> PutKeyAsync()
    {
        var name = Moto.UniqueName("mistral-api-key");
        await Moto.PutAsync(name, ApiKey, ParameterType.SecureString);
        return name;
    }
}
