using System.Text;
using Microsoft.Extensions.Configuration;
using ModelRegistry.Internal;

namespace ModelRegistry.Tests;

public sealed class RegistryParserTests
{
    /// <summary>The seed's map exactly as Terraform's jsonencode renders it.</summary>
    internal const string SeedJson =
        """{"haiku":{"provider":"bedrock","model_id":"anthropic.claude-haiku-4-5-20251001-v1:0","inference_profile_arn":"arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/abc"},"mistral-large":{"provider":"mistral","model_id":"mistral-large-latest"}}""";

    private const string SeedAppSettings = """
        {
          "ModelRegistry": {
            "Models": {
              "haiku": {
                "provider": "bedrock",
                "model_id": "anthropic.claude-haiku-4-5-20251001-v1:0",
                "inference_profile_arn": "arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/abc"
              },
              "mistral-large": { "provider": "mistral", "model_id": "mistral-large-latest" }
            }
          }
        }
        """;

    [Test]
    public void Seed_json_parses_to_entries_with_flat_provider_settings()
    {
        var entries = RegistryParser.Parse(SeedJson, "seed");

        Assert.That(entries.Select(e => e.Name), Is.EqualTo(new[] { "haiku", "mistral-large" }));
        var haiku = entries[0];
        Assert.Multiple(() =>
        {
            Assert.That(haiku.Provider, Is.EqualTo("bedrock"));
            Assert.That(haiku.ModelId, Is.EqualTo("anthropic.claude-haiku-4-5-20251001-v1:0"));
            Assert.That(haiku.GetSetting("inference_profile_arn"), Is.EqualTo("arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/abc"));
            Assert.That(haiku.Settings, Has.Count.EqualTo(1));
            Assert.That(entries[1].Settings, Is.Empty);
            Assert.That(entries[1].Fallbacks, Is.Empty);
        });
    }

    [Test]
    public async Task Appsettings_equivalent_loads_the_same_entries_as_the_seed_json()
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(SeedAppSettings))).Build();
        var fromConfiguration = await new ConfigurationRegistrySource(configuration, "ModelRegistry:Models").LoadAsync(default);
        var fromJson = RegistryParser.Parse(SeedJson, "seed");

        Assert.That(fromConfiguration, Has.Count.EqualTo(fromJson.Count));
        foreach (var (a, b) in fromConfiguration.Zip(fromJson))
        {
            Assert.That(a.HasSameDefinition(b), Is.True, $"{a} differs from {b}");
        }
    }

    [Test]
    public async Task Configuration_values_are_text_yet_numbers_booleans_and_lists_still_parse()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ModelRegistry:Models:a:provider"] = "fake",
            ["ModelRegistry:Models:a:model_id"] = "m",
            ["ModelRegistry:Models:a:capabilities:context_window"] = "200000",
            ["ModelRegistry:Models:a:capabilities:vision"] = "true",
            ["ModelRegistry:Models:a:pricing:input"] = "0.8",
            ["ModelRegistry:Models:a:pricing:output"] = "4",
            ["ModelRegistry:Models:a:fallbacks:0"] = "b",
            ["ModelRegistry:Models:a:resilience:max_retries"] = "2",
            ["ModelRegistry:Models:b:provider"] = "fake",
            ["ModelRegistry:Models:b:model_id"] = "n",
        }).Build();

        var entries = await new ConfigurationRegistrySource(configuration, "ModelRegistry:Models").LoadAsync(default);
        var a = entries.Single(e => e.Name == "a");
        Assert.Multiple(() =>
        {
            Assert.That(a.Capabilities, Is.EqualTo(new ModelCapabilities { ContextWindow = 200000, Vision = true }));
            Assert.That(a.Pricing, Is.EqualTo(new ModelPricing { Input = 0.8m, Output = 4m }));
            Assert.That(a.Fallbacks, Is.EqualTo(new[] { "b" }));
            Assert.That(a.GetSetting("resilience:max_retries"), Is.EqualTo("2"));
        });
    }

    [Test]
    public void Optional_capabilities_pricing_fallbacks_and_nested_settings_parse()
    {
        const string json = """
            {"sonnet":{"provider":"bedrock","model_id":"anthropic.claude-sonnet-4-5","region":"eu-west-1",
              "capabilities":{"context_window":200000,"max_output_tokens":64000,"vision":true,"tools":true},
              "pricing":{"input":3,"output":15,"cache_read":0.3,"cache_write":3.75},
              "fallbacks":["large"],
              "resilience":{"max_retries":1,"base_delay_ms":250},
              "top_k":40, "thinking":false, "tags":["a","b"], "unset":null},
             "large":{"provider":"mistral","model_id":"mistral-large-latest"}}
            """;
        var sonnet = RegistryParser.Parse(json, "test")[0];

        Assert.Multiple(() =>
        {
            Assert.That(sonnet.Capabilities, Is.EqualTo(new ModelCapabilities { ContextWindow = 200000, MaxOutputTokens = 64000, Vision = true, Tools = true }));
            Assert.That(sonnet.Pricing, Is.EqualTo(new ModelPricing { Input = 3, Output = 15, CacheRead = 0.3m, CacheWrite = 3.75m }));
            Assert.That(sonnet.Fallbacks, Is.EqualTo(new[] { "large" }));
            Assert.That(sonnet.GetSetting("region"), Is.EqualTo("eu-west-1"));
            Assert.That(sonnet.GetSetting("resilience:base_delay_ms"), Is.EqualTo("250"));
            Assert.That(sonnet.GetSetting("TOP_K"), Is.EqualTo("40"), "settings keys ignore case");
            Assert.That(sonnet.GetSetting("thinking"), Is.EqualTo("false"));
            Assert.That(sonnet.GetSetting("tags:1"), Is.EqualTo("b"));
            Assert.That(sonnet.Settings.ContainsKey("unset"), Is.False);
        });
    }

    [Test]
    public void Pricing_computes_the_cost_of_a_call_with_cache_rates()
    {
        var pricing = new ModelPricing { Input = 3, Output = 15, CacheRead = 0.3m, CacheWrite = 3.75m };

        // 1,000 input tokens of which 600 read from cache and 100 written: 300*3 + 600*0.3 + 100*3.75 per million.
        Assert.That(pricing.CostOf(1000, 200, 600, 100), Is.EqualTo((300 * 3m + 200 * 15m + 600 * 0.3m + 100 * 3.75m) / 1_000_000m));
    }

    [Test]
    public void Malformed_json_names_the_source_and_the_position()
    {
        var ex = Assert.Throws<ModelRegistryException>(() => RegistryParser.Parse("{\"a\": {\"provider\": \"mistral\",,}}", "SSM parameter '/x/models'"));
        Assert.That(ex!.Message, Does.Contain("SSM parameter '/x/models'").And.Contain("not valid JSON").And.Contain("(at $.a, line 1, byte 30)"));
    }

    [TestCase("{\"a\": {\"provider\": \"mistral\", \"model_id\": mistral}}", "not valid JSON: 'm' is an invalid start of a value (at $.a.model_id")]
    [TestCase("[]", "must be a JSON object mapping model names to entries")]
    [TestCase("""{"a":"mistral"}""", "Model registry entry 'a' (t) must be an object")]
    [TestCase("""{"a":{"model_id":"m"}}""", "Model registry entry 'a' (t) has no \"provider\" at $.a.provider")]
    [TestCase("""{"a":{"provider":"mistral"}}""", "Model registry entry 'a' (t) has no \"model_id\" at $.a.model_id")]
    [TestCase("""{"a":{"provider":"mistral","model_id":"  "}}""", "has no \"model_id\"")]
    [TestCase("""{"a":{"provider":42,"model_id":"m"}}""", "$.a.provider must be a string, but is the number 42")]
    [TestCase("""{"a":{"provider":"p","model_id":"m","capabilities":{"context_window":"lots"}}}""", "$.a.capabilities.context_window must be a positive whole number, but is the string \"lots\"")]
    [TestCase("""{"a":{"provider":"p","model_id":"m","capabilities":{"window":1}}}""", "$.a.capabilities.window is not a known key")]
    [TestCase("""{"a":{"provider":"p","model_id":"m","pricing":{"input":1}}}""", "$.a.pricing needs both \"input\" and \"output\"")]
    [TestCase("""{"a":{"provider":"p","model_id":"m","pricing":{"input":-1,"output":1}}}""", "$.a.pricing.input must be a price")]
    [TestCase("""{"my-model":{"provider":"p","model_id":"m","fallbacks":[1]}}""", "$['my-model'].fallbacks[0] must be a string")]
    public void Invalid_registries_fail_with_a_message_naming_the_culprit(string json, string expected)
    {
        var ex = Assert.Throws<ModelRegistryException>(() => RegistryParser.Parse(json, "t"));
        Assert.That(ex!.Message, Does.Contain(expected));
    }

    [Test]
    public async Task Configuration_errors_name_the_configuration_key()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ModelRegistry:Models:a:model_id"] = "m",
        }).Build();

        var ex = Assert.ThrowsAsync<ModelRegistryException>(async () => await new ConfigurationRegistrySource(configuration, "ModelRegistry:Models").LoadAsync(default));
        Assert.That(ex!.Message, Does.Contain("Model registry entry 'a' (configuration section 'ModelRegistry:Models') has no \"provider\" at ModelRegistry:Models:a:provider"));
        await Task.CompletedTask;
    }

    [Test]
    public void An_empty_configuration_section_says_how_to_add_entries()
    {
        var configuration = new ConfigurationBuilder().Build();
        var ex = Assert.ThrowsAsync<ModelRegistryException>(async () => await new ConfigurationRegistrySource(configuration, "ModelRegistry:Models").LoadAsync(default));
        Assert.That(ex!.Message, Does.Contain("has no entries").And.Contain("ModelRegistry:Models:mistral-large:provider"));
    }

    [Test]
    public void Entries_compare_by_definition()
    {
        var a = RegistryParser.Parse(SeedJson, "x")[0];
        var b = RegistryParser.Parse(SeedJson, "y")[0];
        var changed = RegistryParser.Parse(SeedJson.Replace("/abc", "/abd", StringComparison.Ordinal), "z")[0];

        Assert.Multiple(() =>
        {
            Assert.That(a.HasSameDefinition(b), Is.True);
            Assert.That(a.HasSameDefinition(changed), Is.False);
        });
    }
}
