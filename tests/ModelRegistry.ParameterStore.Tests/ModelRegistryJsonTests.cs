namespace ModelRegistry.ParameterStore.Tests;

/// <summary>The core's public parser entry point this package parses parameters with.</summary>
public sealed class ModelRegistryJsonTests
{
    [Test]
    public void Parses_the_seed_format_as_FromJson_does()
    {
        var entries = ModelRegistryJson.Parse(
            """{"haiku":{"provider":"bedrock","model_id":"anthropic.claude-haiku-4-5-20251001-v1:0","inference_profile_arn":"arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/abc"},"mistral-large":{"provider":"mistral","model_id":"mistral-large-latest"}}""",
            "SSM parameter '/llm/models'");

        Assert.Multiple(() =>
        {
            Assert.That(entries.Select(e => e.ToString()), Is.EqualTo(new[] { "haiku (bedrock: anthropic.claude-haiku-4-5-20251001-v1:0)", "mistral-large (mistral: mistral-large-latest)" }));
            Assert.That(entries[0].GetSetting("inference_profile_arn"), Is.EqualTo("arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/abc"));
        });
    }

    [Test]
    public void A_bad_entry_names_the_source_and_the_JSON_path()
    {
        var error = Assert.Throws<ModelRegistryException>(() => ModelRegistryJson.Parse("""{"haiku":{"provider":"bedrock"}}""", "SSM parameter '/llm/models'"));

        Assert.That(error!.Message, Does.Contain("'haiku'").And.Contain("SSM parameter '/llm/models'").And.Contain("model_id"));
    }

    [Test]
    public void Malformed_JSON_names_the_source_and_where_it_broke()
    {
        var error = Assert.Throws<ModelRegistryException>(() => ModelRegistryJson.Parse("""{"haiku":{"provider":"bedrock",}}""", "SSM parameter '/llm/models'"));

        Assert.That(error!.Message, Does.Contain("SSM parameter '/llm/models' is not valid JSON").And.Contain("$.haiku"));
    }

    [Test]
    public void Requires_a_description()
    {
        Assert.Multiple(() =>
        {
            Assert.Throws<ArgumentNullException>(() => ModelRegistryJson.Parse(null!, "x"));
            Assert.Throws<ArgumentException>(() => ModelRegistryJson.Parse("{}", " "));
        });
    }
}
