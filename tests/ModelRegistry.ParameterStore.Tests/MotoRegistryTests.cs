using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelRegistry.ParameterStore.Tests.Support;
using ModelRegistry.Testing;

namespace ModelRegistry.ParameterStore.Tests;

/// <summary>The registry from an SSM parameter, against moto (a real SSM implementation), through the SSM API.</summary>
public sealed class MotoRegistryTests
{
    // The seed's shape: snake_case keys, provider settings flat on the entry (here on the fake provider).
    private const string Registry = """
        {
          "haiku": { "provider": "fake", "model_id": "anthropic.claude-haiku-4-5-20251001-v1:0",
                     "inference_profile_arn": "arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/abc" },
          "mistral-large": { "provider": "fake", "model_id": "mistral-large-latest" }
        }
        """;

    [Test]
    public async Task Loads_the_registry_from_a_String_parameter_on_the_first_call()
    {
        var (name, started) = await StartAsync(Registry, options: o => o.DefaultModel = "mistral-large");
        await using var host = started;

        var entries = await host.Registry.GetEntriesAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(entries.Select(e => e.Name), Is.EqualTo(new[] { "haiku", "mistral-large" }));
            Assert.That(entries[0].GetSetting("inference_profile_arn"), Is.EqualTo("arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/abc"));
            Assert.That(await host.AskAsync(), Is.EqualTo("mistral-large/mistral-large-latest"));
            Assert.That(await host.AskAsync("haiku"), Is.EqualTo("haiku/anthropic.claude-haiku-4-5-20251001-v1:0"));
        });
    }

    [Test]
    public async Task Resolving_clients_reads_nothing_until_the_first_call()
    {
        var (name, started) = await StartAsync(value: null);
        await using var host = started;

        // The parameter does not exist yet: resolving must not have tried to read it.
        var client = host.Services.GetRequiredKeyedService<IChatClient>("haiku");
        await Moto.PutAsync(name, Registry);

        Assert.That((await client.GetResponseAsync("hi")).Text, Is.EqualTo("haiku/anthropic.claude-haiku-4-5-20251001-v1:0"));
    }

    [Test]
    public async Task Loads_the_registry_from_a_SecureString_parameter_decrypted()
    {
        var (name, started) = await StartAsync(Registry, type: ParameterType.SecureString);
        await using var host = started;

        Assert.That(await host.AskAsync("haiku"), Is.EqualTo("haiku/anthropic.claude-haiku-4-5-20251001-v1:0"));
    }

    [Test]
    public async Task A_missing_parameter_fails_the_first_load_naming_the_parameter_the_region_and_the_transport()
    {
        var (name, started) = await StartAsync(value: null);
        await using var host = started;

        var error = Assert.ThrowsAsync<ModelRegistryException>(async () => await host.AskAsync("haiku"));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain($"SSM parameter '{name}'"));
            Assert.That(error.Message, Does.Contain("region eu-west-1"));
            Assert.That(error.Message, Does.Contain($"via the SSM API at {Moto.Endpoint}"));
            Assert.That(error.Message, Does.Contain("does not exist"));
            Assert.That(error.Message, Does.Contain("aws ssm put-parameter --name " + name));
            Assert.That(error.InnerException, Is.InstanceOf<ParameterNotFoundException>());
        });
    }

    [Test]
    public async Task A_failed_first_load_is_not_cached()
    {
        var (name, started) = await StartAsync(value: null);
        await using var host = started;
        Assert.ThrowsAsync<ModelRegistryException>(async () => await host.AskAsync("haiku"));

        await Moto.PutAsync(name, Registry);

        Assert.That(await host.AskAsync("haiku"), Is.EqualTo("haiku/anthropic.claude-haiku-4-5-20251001-v1:0"));
    }

    [Test]
    public async Task Malformed_JSON_in_the_parameter_names_the_parameter_its_version_and_the_JSON_path()
    {
        var (name, started) = await StartAsync("""{"haiku":{"provider":"fake","model_id":}}""");
        await using var host = started;

        var error = Assert.ThrowsAsync<ModelRegistryException>(async () => await host.AskAsync("haiku"));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain($"SSM parameter '{name}' (version 1)"));
            Assert.That(error.Message, Does.Contain("is not valid JSON"));
            Assert.That(error.Message, Does.Contain("$.haiku.model_id"));
        });
    }

    [Test]
    public async Task An_invalid_entry_in_the_parameter_names_the_entry_and_the_JSON_path()
    {
        var (name, started) = await StartAsync("""{"haiku":{"provider":"fake","model_id":42}}""");
        await using var host = started;

        var error = Assert.ThrowsAsync<ModelRegistryException>(async () => await host.AskAsync("haiku"));

        Assert.That(error!.Message, Does.Contain("'haiku'").And.Contain($"SSM parameter '{name}'").And.Contain("$.haiku.model_id must be a string"));
    }

    [Test]
    public async Task A_new_version_reaches_changed_entries_after_the_refresh_interval_and_keeps_unchanged_clients()
    {
        var (name, started) = await StartAsync(Registry);
        await using var host = started;
        Assert.That(await host.AskAsync("haiku"), Is.EqualTo("haiku/anthropic.claude-haiku-4-5-20251001-v1:0"));
        Assert.That(await host.AskAsync("mistral-large"), Is.EqualTo("mistral-large/mistral-large-latest"));
        Assert.That(host.Provider.Built, Is.EqualTo(2));

        await Moto.PutAsync(name, Registry.Replace("anthropic.claude-haiku-4-5-20251001-v1:0", "anthropic.claude-haiku-5-v1:0", StringComparison.Ordinal));
        host.Time.Advance(ParameterStoreOptions.DefaultRefreshInterval - TimeSpan.FromSeconds(1));
        Assert.That(await host.AskAsync("haiku"), Is.EqualTo("haiku/anthropic.claude-haiku-4-5-20251001-v1:0"), "before the interval, the loaded registry serves");

        host.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Multiple(async () =>
        {
            Assert.That(await host.AskAsync("haiku"), Is.EqualTo("haiku/anthropic.claude-haiku-5-v1:0"), "the changed entry gets a new client");
            Assert.That(await host.AskAsync("mistral-large"), Is.EqualTo("mistral-large/mistral-large-latest"));
            Assert.That(host.Provider.Built, Is.EqualTo(3), "only the changed entry's client is rebuilt");
        });
    }

    [Test]
    public async Task An_entry_removed_by_a_new_version_fails_clearly_after_the_refresh()
    {
        var (name, started) = await StartAsync(Registry);
        await using var host = started;
        Assert.That(await host.AskAsync("haiku"), Is.EqualTo("haiku/anthropic.claude-haiku-4-5-20251001-v1:0"));

        await Moto.PutAsync(name, """{"mistral-large":{"provider":"fake","model_id":"mistral-large-latest"}}""");
        host.Time.Advance(ParameterStoreOptions.DefaultRefreshInterval);

        var error = Assert.ThrowsAsync<ModelRegistryException>(async () => await host.AskAsync("haiku"));
        Assert.That(error!.Message, Does.Contain("Model 'haiku' is not in the registry").And.Contain($"SSM parameter '{name}'").And.Contain("Known models: mistral-large"));
    }

    [Test]
    public async Task A_refresh_of_an_unchanged_version_reuses_the_parsed_entries()
    {
        var (name, started) = await StartAsync(Registry);
        await using var host = started;
        var first = await host.Registry.GetEntriesAsync();

        host.Time.Advance(ParameterStoreOptions.DefaultRefreshInterval);
        var second = await host.Registry.GetEntriesAsync();

        Assert.Multiple(() =>
        {
            Assert.That(second, Is.SameAs(first), "same version: the entries parsed before are returned as they are");
            Assert.That(host.Logs.AllText(), Does.Contain($"{name} is still at version 1"), "the refresh did read the parameter");
        });
    }

    [Test]
    public async Task A_failed_refresh_keeps_the_last_good_registry_and_logs_a_warning()
    {
        var (name, started) = await StartAsync(Registry);
        await using var host = started;
        Assert.That(await host.AskAsync("haiku"), Is.EqualTo("haiku/anthropic.claude-haiku-4-5-20251001-v1:0"));

        await Moto.PutAsync(name, """{"haiku":{"provider":"fake","model_id":""" + "\n}");
        host.Time.Advance(ParameterStoreOptions.DefaultRefreshInterval);
        Assert.That(await host.AskAsync("haiku"), Is.EqualTo("haiku/anthropic.claude-haiku-4-5-20251001-v1:0"), "malformed version 2: the old registry serves");

        await Moto.DeleteAsync(name);
        host.Time.Advance(ParameterStoreOptions.DefaultRefreshInterval);
        Assert.That(await host.AskAsync("haiku"), Is.EqualTo("haiku/anthropic.claude-haiku-4-5-20251001-v1:0"), "deleted parameter: the old registry serves");

        var warnings = host.Logs.GetSnapshot().Where(r => r.Level == LogLevel.Warning).Select(r => r.Text()).ToList();
        Assert.That(warnings, Has.Count.EqualTo(2));
        Assert.That(warnings[0], Does.Contain("keeping the last good registry").And.Contain("is not valid JSON"));
        Assert.That(warnings[1], Does.Contain("keeping the last good registry").And.Contain("does not exist"));

        await Moto.PutAsync(name, """{"haiku":{"provider":"fake","model_id":"fixed"}}""");
        host.Time.Advance(ParameterStoreOptions.DefaultRefreshInterval);
        Assert.That(await host.AskAsync("haiku"), Is.EqualTo("haiku/fixed"), "the next good version is picked up");
    }

    [Test]
    public async Task MODELS_PARAMETER_names_the_registry_parameter_when_no_source_is_set_in_code()
    {
        var name = Moto.UniqueName("models");
        await Moto.PutAsync(name, Registry);
        await using var host = TestHost.Create(b => b.AddParameterStore(Moto.Configure), new Dictionary<string, string?> { ["MODELS_PARAMETER"] = name });

        Assert.That(await host.AskAsync("haiku"), Is.EqualTo("haiku/anthropic.claude-haiku-4-5-20251001-v1:0"));
    }

    [Test]
    public async Task MODELS_PARAMETER_is_also_read_from_the_environment()
    {
        var name = Moto.UniqueName("models");
        await Moto.PutAsync(name, Registry);
        await using var host = TestHost.Create(b => b.AddParameterStore(Moto.Configure), environment: new Dictionary<string, string?> { ["MODELS_PARAMETER"] = name });

        Assert.That(await host.AskAsync("haiku"), Is.EqualTo("haiku/anthropic.claude-haiku-4-5-20251001-v1:0"));
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task A_source_set_in_code_wins_over_MODELS_PARAMETER_in_either_order(bool jsonFirst)
    {
        const string Json = """{"inline":{"provider":"fake","model_id":"from-code"}}""";
        var configuration = new Dictionary<string, string?> { ["MODELS_PARAMETER"] = "/never/read" };
        await using var host = TestHost.Create(
            b => _ = jsonFirst ? b.FromJson(Json).AddParameterStore(Moto.NoSsm) : b.AddParameterStore(Moto.NoSsm).FromJson(Json),
            configuration);

        Assert.That(await host.AskAsync(), Is.EqualTo("inline/from-code"));
    }

    [Test]
    public async Task Without_MODELS_PARAMETER_the_registry_comes_from_configuration_as_usual()
    {
        var configuration = new Dictionary<string, string?>
        {
            ["ModelRegistry:Models:configured:provider"] = "fake",
            ["ModelRegistry:Models:configured:model_id"] = "from-configuration",
        };
        await using var host = TestHost.Create(b => b.AddParameterStore(Moto.NoSsm), configuration);

        Assert.That(await host.AskAsync(), Is.EqualTo("configured/from-configuration"));
    }

    [Test]
    public void The_refresh_interval_defaults_to_five_minutes_and_the_apps_own_setting_wins()
    {
        static TimeSpan? Interval(Action<ModelRegistryOptions>? app, Action<ParameterStoreOptions>? parameterStore)
        {
            var services = new ServiceCollection();
            services.AddModelRegistry(app).AddParameterStore(parameterStore);
            using var provider = services.BuildServiceProvider();
            return provider.GetRequiredService<IOptions<ModelRegistryOptions>>().Value.RefreshInterval;
        }

        Assert.Multiple(() =>
        {
            Assert.That(Interval(null, null), Is.EqualTo(TimeSpan.FromMinutes(5)));
            Assert.That(Interval(o => o.RefreshInterval = TimeSpan.FromSeconds(30), null), Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(Interval(null, o => o.RefreshInterval = TimeSpan.FromMinutes(1)), Is.EqualTo(TimeSpan.FromMinutes(1)));
            Assert.That(Interval(null, o => o.RefreshInterval = null), Is.Null, "null loads once");
        });
    }

    /// <summary>Writes the registry parameter (unless <paramref name="value"/> is null) and starts an app reading it from moto.</summary>
    private static async Task<(string Name, TestHost Host)> StartAsync(string? value, ParameterType? type = null, Action<ModelRegistryOptions>? options = null)
    {
        var name = Moto.UniqueName("models");
        if (value is not null)
        {
            await Moto.PutAsync(name, value, type);
        }

        return (name, TestHost.Create(b => b.FromParameterStore(name, Moto.Configure), options: options));
    }
}
