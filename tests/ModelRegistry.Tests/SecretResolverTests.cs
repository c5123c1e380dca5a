using ModelRegistry.Internal;
using ModelRegistry.Providers;

namespace ModelRegistry.Tests;

public sealed class SecretResolverTests
{
    private const string Variable = "MODELREGISTRY_TEST_SECRET";

    /// <summary>An environment a test can change while the code under test reads it (the process's is never touched).</summary>
    private sealed class MutableEnvironment : EnvironmentProvider
    {
        public Dictionary<string, string?> Variables { get; } = new(StringComparer.Ordinal);

        protected override string? Read(string name) => Variables.TryGetValue(name, out var value) ? value : null;
    }

    private static (SecretResolver Resolver, MutableEnvironment Environment, SecretRedactor Redactor) Create()
    {
        var environment = new MutableEnvironment();
        var redactor = new SecretRedactor();
        return (new SecretResolver([new EnvironmentSecretSource(environment)], redactor), environment, redactor);
    }

    [Test]
    public async Task Environment_references_resolve_through_the_EnvironmentProvider_with_or_without_the_scheme_and_are_cached()
    {
        var (resolver, environment, _) = Create();
        environment.Variables[Variable] = "sk-test-fake-1";

        Assert.That(await resolver.ResolveAsync($"env:{Variable}"), Is.EqualTo("sk-test-fake-1"));
        Assert.That(await resolver.ResolveAsync(Variable), Is.EqualTo("sk-test-fake-1"));

        environment.Variables[Variable] = "sk-test-fake-2";
        Assert.That(await resolver.ResolveAsync($"env:{Variable}"), Is.EqualTo("sk-test-fake-1"), "cached");
    }

    [Test]
    public async Task The_redactor_learns_every_resolved_value()
    {
        var (resolver, environment, redactor) = Create();
        environment.Variables[Variable] = "sk-test-learned-42";
        Assert.That(redactor.Redact("key sk-test-learned-42"), Is.EqualTo("key sk-test-learned-42"), "unknown before it is resolved");

        await resolver.ResolveAsync($"env:{Variable}");

        Assert.That(redactor.Redact("key sk-test-learned-42 leaked"), Is.EqualTo("key *** leaked"));
    }

    [Test]
    public async Task A_missing_secret_names_the_variable_never_a_value_and_is_not_cached()
    {
        var (resolver, environment, _) = Create();

        var ex = Assert.ThrowsAsync<ModelRegistryException>(async () => await resolver.ResolveAsync($"env:{Variable}"));
        Assert.That(ex!.Message, Is.EqualTo($"The secret 'env:{Variable}' is not set: the environment variable {Variable} is empty or missing. Set it, or point the setting at another secret."));

        environment.Variables[Variable] = "sk-test-fake-3";
        Assert.That(await resolver.ResolveAsync($"env:{Variable}"), Is.EqualTo("sk-test-fake-3"), "a failed read is not cached");
    }

    [TestCase("sk-live-0123456789abcdef")]
    [TestCase("Bearer abc.def")]
    [TestCase("eyJhbGciOi.JIUzI1NiJ9")]
    public void A_value_that_is_no_reference_is_refused_without_being_repeated(string secret)
    {
        var (resolver, _, _) = Create();

        var ex = Assert.ThrowsAsync<ModelRegistryException>(async () => await resolver.ResolveAsync(secret));
        Assert.That(ex!.Message, Does.Not.Contain(secret).And.Contain("it is not shown, as it may be the secret itself"));
    }

    [Test]
    public void An_ssm_reference_without_the_ParameterStore_package_says_what_to_add()
    {
        var (resolver, _, _) = Create();

        var ex = Assert.ThrowsAsync<ModelRegistryException>(async () => await resolver.ResolveAsync("ssm:/app/mistral-key"));
        Assert.That(ex!.Message, Does.Contain("scheme 'ssm', which no secret source serves").And.Contain("ModelRegistry.ParameterStore").And.Contain("Known schemes: env"));
    }

    [Test]
    public async Task Concurrent_first_reads_share_one_read()
    {
        var source = new GatedSource();
        var resolver = new SecretResolver([source], new SecretRedactor());

        var reads = Enumerable.Range(0, 50).Select(_ => resolver.ResolveAsync("gated:key").AsTask()).ToArray();
        source.Open.SetResult();
        var values = await Task.WhenAll(reads).WaitAsync(TimeSpan.FromSeconds(15));

        Assert.That(values, Has.All.EqualTo("value-of-key"));
        Assert.That(source.Reads, Is.EqualTo(1));
    }

    private sealed class GatedSource : ISecretSource
    {
        private int _reads;

        public TaskCompletionSource Open { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Reads => _reads;

        public string Scheme => "gated";

        public async ValueTask<string?> GetSecretAsync(string name, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            await Open.Task.WaitAsync(cancellationToken);
            return "value-of-" + name;
        }
    }
}
