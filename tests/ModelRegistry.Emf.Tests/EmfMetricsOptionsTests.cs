using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Emf.Tests.TestSupport;
using static ModelRegistry.Emf.Tests.TestSupport.JsonText;

namespace ModelRegistry.Emf.Tests;

/// <summary>Defaults from the environment, and invalid options failing at start-up with a message naming the option.</summary>
public sealed class EmfMetricsOptionsTests
{
    [Test]
    public void Without_environment_the_defaults_are_the_documented_ones()
    {
        var options = new EmfMetricsOptions(TestEnvironment.With());

        Assert.Multiple(() =>
        {
            Assert.That(options.Namespace, Is.EqualTo("ModelRegistry").And.EqualTo(EmfMetricsOptions.DefaultNamespace));
            Assert.That(options.DimensionSets, Is.EqualTo(new[] { new[] { "Model" } }));
            Assert.That(options.DefaultDimensions, Is.Empty);
            Assert.That(options.StorageResolution, Is.EqualTo(60));
            Assert.That(options.Sink, Is.Null);
            Assert.That(options.Model, Is.Null);
        });
    }

    [Test]
    public void The_parameterless_constructor_reads_the_process_environment()
    {
        Assert.That(new EmfMetricsOptions().Environment, Is.SameAs(ModelRegistry.Providers.EnvironmentProvider.System));
    }

    [Test]
    public void The_namespace_comes_from_POWERTOOLS_METRICS_NAMESPACE_then_METRICS_NAMESPACE()
    {
        var environment = TestEnvironment.With(("METRICS_NAMESPACE", "FromMetrics"));
        Assert.That(new EmfMetricsOptions(environment).Namespace, Is.EqualTo("FromMetrics"));

        environment.Variables["POWERTOOLS_METRICS_NAMESPACE"] = "FromPowertools";
        Assert.That(new EmfMetricsOptions(environment).Namespace, Is.EqualTo("FromPowertools"));

        environment.Variables["POWERTOOLS_METRICS_NAMESPACE"] = "  ";
        Assert.That(new EmfMetricsOptions(environment).Namespace, Is.EqualTo("FromMetrics"), "a blank variable counts as unset");
    }

    [Test]
    public async Task POWERTOOLS_SERVICE_NAME_becomes_a_Service_dimension_on_every_set()
    {
        var sink = new RecordingSink();
        var options = new EmfMetricsOptions(TestEnvironment.With(("POWERTOOLS_SERVICE_NAME", "router")))
        {
            Sink = sink,
            DimensionSets = [["Model"], []],
        };
        using var client = new EmfChatClient(new ScriptedChatClient(new ChatClientMetadata("p", null, "m")), options);

        await client.GetResponseAsync("hi");

        var line = sink.Single();
        Assert.That(line, Does.Contain(J("'Namespace':'ModelRegistry','Dimensions':[['Service','Model'],['Service']]")));
        Assert.That(CloudWatchReader.Value(CloudWatchReader.Read(line), "Invocations", "Model=m,Service=router"), Is.EqualTo(1));
    }

    [Test]
    public void A_dimension_set_naming_a_default_dimension_again_is_written_once()
    {
        var sink = new RecordingSink();
        var options = EmfHarness.TestOptions(sink);
        options.DefaultDimensions["Service"] = "router";
        options.DimensionSets = [["Service", "Model"]];

        using var client = new EmfChatClient(new ScriptedChatClient(), options);
        client.GetResponseAsync("hi").GetAwaiter().GetResult();

        Assert.That(sink.Single(), Does.Contain(J("'Dimensions':[['Service','Model']]")));
    }

    [TestCase("my namespace", "contains ' '")]
    [TestCase("", "it is empty")]
    [TestCase("AWS/Bedrock", "reserved for AWS")]
    [TestCase("ünïcode", "contains 'ü'")]
    public void An_invalid_namespace_fails_naming_the_option(string value, string reason)
    {
        var thrown = Assert.Throws<ModelRegistryException>(() => new ChatClientBuilder(new ScriptedChatClient()).UseEmfMetrics(o => o.Namespace = value));

        Assert.That(thrown!.Message, Does.Contain("EmfMetricsOptions.Namespace").And.Contain(reason).And.Contain("POWERTOOLS_METRICS_NAMESPACE"));
    }

    [Test]
    public void A_namespace_longer_than_255_characters_fails()
    {
        var thrown = Assert.Throws<ModelRegistryException>(() => new EmfChatClient(new ScriptedChatClient(), new EmfMetricsOptions { Namespace = new string('a', 256) }));

        Assert.That(thrown!.Message, Does.Contain("EmfMetricsOptions.Namespace").And.Contain("256 characters, more than 255"));
        Assert.DoesNotThrow(() => new EmfChatClient(new ScriptedChatClient(), new EmfMetricsOptions { Namespace = new string('a', 255) }).Dispose());
    }

    [Test]
    public void An_invalid_namespace_from_the_environment_fails_at_start_up_in_the_registry_too()
    {
        var registry = new ServiceCollection()
            .AddSingleton<ModelRegistry.Providers.EnvironmentProvider>(TestEnvironment.With(("POWERTOOLS_METRICS_NAMESPACE", "has space")))
            .AddModelRegistry();

        var thrown = Assert.Throws<ModelRegistryException>(() => registry.UseEmfMetrics());

        Assert.That(thrown!.Message, Does.Contain("EmfMetricsOptions.Namespace 'has space'"));
    }

    [Test]
    public void No_dimension_set_fails_and_says_how_to_publish_without_dimensions()
    {
        var thrown = Assert.Throws<ModelRegistryException>(() => Settings(o => o.DimensionSets = []));

        Assert.That(thrown!.Message, Does.Contain("EmfMetricsOptions.DimensionSets is empty").And.Contain("[[]]"));
    }

    [Test]
    public void A_dimension_without_a_value_fails_naming_the_set_and_the_known_dimensions()
    {
        var thrown = Assert.Throws<ModelRegistryException>(() => Settings(o =>
        {
            o.DefaultDimensions["Environment"] = "prod";
            o.DimensionSets = [["Model"], ["Model", "Region"]];
        }));

        Assert.That(thrown!.Message, Does.Contain("EmfMetricsOptions.DimensionSets[1]").And.Contain("'Region'").And.Contain("(Environment)"));
    }

    [Test]
    public void More_than_30_dimensions_in_a_set_fails_counting_default_dimensions()
    {
        var thrown = Assert.Throws<ModelRegistryException>(() => Settings(o =>
        {
            for (var i = 0; i < 30; i++)
            {
                o.DefaultDimensions[$"D{i:00}"] = "v";
            }
        }));

        Assert.That(thrown!.Message, Does.Contain("EmfMetricsOptions.DimensionSets[0] has 31 dimensions").And.Contain("30"));
        Assert.DoesNotThrow(() => Settings(o =>
        {
            for (var i = 0; i < 29; i++)
            {
                o.DefaultDimensions[$"D{i:00}"] = "v";
            }
        }));
    }

    [TestCase("_aws", "already uses")]
    [TestCase("Latency", "already uses")]
    [TestCase("Model", "already uses")]
    [TestCase("TraceId", "already uses")]
    [TestCase(":colon", "starts with ':'")]
    [TestCase(" ", "empty")]
    [TestCase("Région", "U+00E9")]
    public void An_invalid_default_dimension_key_fails_naming_it(string key, string reason)
    {
        var thrown = Assert.Throws<ModelRegistryException>(() => Settings(o => o.DefaultDimensions[key] = "v"));

        Assert.That(thrown!.Message, Does.Contain("EmfMetricsOptions.DefaultDimensions").And.Contain(reason));
    }

    [Test]
    public void A_default_dimension_key_longer_than_250_characters_fails()
    {
        var thrown = Assert.Throws<ModelRegistryException>(() => Settings(o => o.DefaultDimensions[new string('k', 251)] = "v"));

        Assert.That(thrown!.Message, Does.Contain("251 characters, more than 250"));
    }

    [Test]
    public void A_default_dimension_value_CloudWatch_rejects_fails_naming_the_key()
    {
        var tooLong = Assert.Throws<ModelRegistryException>(() => Settings(o => o.DefaultDimensions["Environment"] = new string('v', 1025)));
        var control = Assert.Throws<ModelRegistryException>(() => Settings(o => o.DefaultDimensions["Environment"] = "a\tb"));
        var blank = Assert.Throws<ModelRegistryException>(() => Settings(o => o.DefaultDimensions["Environment"] = ""));

        Assert.That(tooLong!.Message, Does.Contain("EmfMetricsOptions.DefaultDimensions['Environment']").And.Contain("1025 characters, more than 1024"));
        Assert.That(control!.Message, Does.Contain("U+0009"));
        Assert.That(blank!.Message, Does.Contain("empty"));
        Assert.DoesNotThrow(() => Settings(o => o.DefaultDimensions["Environment"] = new string('v', 1024)));
    }

    [Test]
    public void An_invalid_service_name_from_the_environment_says_where_it_came_from()
    {
        var environment = TestEnvironment.With(("POWERTOOLS_SERVICE_NAME", "serviço"));

        var thrown = Assert.Throws<ModelRegistryException>(() => new EmfChatClient(new ScriptedChatClient(), new EmfMetricsOptions(environment)).Dispose());

        Assert.That(thrown!.Message, Does.Contain("DefaultDimensions['Service']").And.Contain("POWERTOOLS_SERVICE_NAME"));
    }

    [TestCase(0)]
    [TestCase(5)]
    [TestCase(61)]
    public void A_storage_resolution_other_than_1_or_60_fails(int resolution)
    {
        var thrown = Assert.Throws<ModelRegistryException>(() => Settings(o => o.StorageResolution = resolution));

        Assert.That(thrown!.Message, Does.Contain($"EmfMetricsOptions.StorageResolution is {resolution}"));
    }

    [Test]
    public void An_invalid_model_option_fails()
    {
        var thrown = Assert.Throws<ModelRegistryException>(() => Settings(o => o.Model = new string('m', 1025)));

        Assert.That(thrown!.Message, Does.Contain("EmfMetricsOptions.Model"));
    }

    [Test]
    public void Options_are_read_once_so_later_changes_do_not_affect_lines()
    {
        var sink = new RecordingSink();
        var options = EmfHarness.TestOptions(sink);
        using var client = new EmfChatClient(new ScriptedChatClient(), options);
        options.Namespace = "Changed";

        client.GetResponseAsync("hi").GetAwaiter().GetResult();

        Assert.That(sink.Single(), Does.Contain(J("'Namespace':'Tests/GenAI',")));
    }

    private static void Settings(Action<EmfMetricsOptions> configure)
    {
        var options = EmfHarness.TestOptions(new RecordingSink());
        configure(options);
        new EmfChatClient(new ScriptedChatClient(), options).Dispose();
    }
}
