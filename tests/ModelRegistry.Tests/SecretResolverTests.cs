using ModelRegistry.Internal;

namespace ModelRegistry.Tests;

[NonParallelizable]
public sealed class SecretResolverTests
{
    private const string Variable = "MODELREGISTRY_TEST_SECRET";

    [TearDown]
    public void Clear() => Environment.SetEnvironmentVariable(Variable, null);

    [Test]
    public async Task Environment_references_resolve_with_or_without_the_scheme_and_are_cached()
    {
        Environment.SetEnvironmentVariable(Variable, "sk-fake-1");
        var resolver = new SecretResolver([new EnvironmentSecretSource()]);

        Assert.That(await resolver.ResolveAsync($"env:{Variable}"), Is.EqualTo("sk-fake-1"));
        Assert.That(await resolver.ResolveAsync(Variable), Is.EqualTo("sk-fake-1"));

        Environment.SetEnvironmentVariable(Variable, "sk-fake-2");
        Assert.That(await resolver.ResolveAsync($"env:{Variable}"), Is.EqualTo("sk-fake-1"), "cached");
    }

    [Test]
    public async Task A_missing_secret_names_the_variable_never_a_value_and_is_not_cached()
    {
        var resolver = new SecretResolver([new EnvironmentSecretSource()]);

        var ex = Assert.ThrowsAsync<ModelRegistryException>(async () => await resolver.ResolveAsync($"env:{Variable}"));
        Assert.That(ex!.Message, Does.Contain($"the environment variable {Variable} is empty or missing. Set it"));

        Environment.SetEnvironmentVariable(Variable, "sk-fake-3");
        Assert.That(await resolver.ResolveAsync($"env:{Variable}"), Is.EqualTo("sk-fake-3"), "a failed read is not cached");
    }

    [Test]
    public void An_ssm_reference_without_the_ParameterStore_package_says_what_to_add()
    {
        var resolver = new SecretResolver([new EnvironmentSecretSource()]);

        var ex = Assert.ThrowsAsync<ModelRegistryException>(async () => await resolver.ResolveAsync("ssm:/app/mistral-key"));
        Assert.That(ex!.Message, Does.Contain("scheme 'ssm', which no secret source serves").And.Contain("ModelRegistry.ParameterStore").And.Contain("Known schemes: env"));
    }

    [Test]
    public async Task Concurrent_first_reads_share_one_read()
    {
        var source = new SlowSource();
        var resolver = new SecretResolver([source]);

        var values = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => resolver.ResolveAsync("slow:key").AsTask()));
        Assert.That(values, Has.All.EqualTo("value-of-key"));
        Assert.That(source.Reads, Is.EqualTo(1));
    }

    private sealed class SlowSource : ISecretSource
    {
        private int _reads;

        public int Reads => _reads;

        public string Scheme => "slow";

        public async ValueTask<string?> GetSecretAsync(string name, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            await Task.Delay(20, cancellationToken);
            return "value-of-" + name;
        }
    }
}
