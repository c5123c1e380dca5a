using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Testing;

namespace ModelRegistry.Samples.Tests;

/// <summary>
/// The Terraform sample, checked without Terraform: every .tf file parses with HCL's own parser (the npm package
/// build/test.sh installs into build/hcl), and the registry map in models.tf loads with our registry parser.
/// </summary>
public sealed class TerraformTests
{
    private static readonly string Root = CassetteCorpus.RepositoryRoot ?? throw new InvalidOperationException("Run the tests from the repository.");
    private static readonly string Infra = Path.Combine(Root, "samples", "infra");

    private static JsonObject ParseTerraform(params string[] files)
    {
        var tool = Path.Combine(Root, "build", "hcl", "tf2json.mjs");
        Assert.That(Directory.Exists(Path.Combine(Root, "build", "hcl", "node_modules", "@cdktf", "hcl2json")), Is.True,
            "the HCL parser is not installed: run ./build/test.sh (it runs 'npm ci --prefix build/hcl'), or run that npm command yourself");
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(tool);
        foreach (var file in files)
        {
            start.ArgumentList.Add(file);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, stderr);
        return JsonNode.Parse(stdout.Result)!.AsObject();
    }

    [Test]
    public void Every_terraform_file_parses()
    {
        var files = Directory.GetFiles(Infra, "*.tf");
        Assert.That(files.Select(Path.GetFileName), Is.SupersetOf(new[] { "models.tf", "lambda.tf", "iam.tf", "monitoring.tf", "variables.tf", "outputs.tf", "versions.tf" }));

        var parsed = ParseTerraform(files);

        Assert.That(parsed.Select(p => p.Key), Is.EquivalentTo(files.Select(Path.GetFileName)));
    }

    [Test]
    public async Task The_registry_models_tf_renders_loads_with_our_parser()
    {
        var parsed = ParseTerraform(Path.Combine(Infra, "models.tf"), Path.Combine(Infra, "variables.tf"));
        var models = parsed["models.tf"]!["locals"]![0]!["default_models"]!.ToJsonString();

        // jsonencode of an HCL object literal is the same JSON as HCL's own JSON form of it, once Terraform has put in
        // the variables (here their defaults). With every provider registered, every key of every entry is checked
        // against what its provider declares, as the function does.
        foreach (var (name, declarations) in parsed["variables.tf"]!["variable"]!.AsObject())
        {
            if (declarations![0]!["default"] is JsonValue value && value.TryGetValue<string>(out var text))
            {
                models = models.Replace($"${{var.{name}}}", text, StringComparison.Ordinal);
            }
        }

        Assert.That(models, Does.Not.Contain("${"), "every interpolation in the registry map is a variable with a default");
        var services = new ServiceCollection();
        services.AddModelRegistry().FromJson(models).AddParameterStore().AddMistral().AddBedrock().AddAnthropic().AddOpenAI();
        await using var provider = services.BuildServiceProvider();
        var entries = await provider.GetRequiredService<IModelRegistry>().GetEntriesAsync();

        Assert.Multiple(() =>
        {
            Assert.That(entries.Select(e => e.Name), Is.EquivalentTo(new[] { "haiku", "mistral-large", "devstral-small", "haiku-mantle", "minimax-mantle" }));
            Assert.That(entries.Single(e => e.Name == "haiku-mantle").GetSetting("api_key"), Is.EqualTo("ssm:/model-registry-chat/bedrock-api-key"), "the parameter models.tf creates");
            Assert.That(entries.Single(e => e.Name == "minimax-mantle").GetSetting("region"), Is.EqualTo("eu-west-1"));
            Assert.That(entries.Single(e => e.Name == "haiku").GetSetting("inference_profile_arn"), Does.StartWith("arn:aws:bedrock:eu-west-1:"));
            Assert.That(entries.Single(e => e.Name == "mistral-large").Fallbacks, Is.EqualTo(new[] { "haiku" }));
        });
    }

    [Test]
    public void The_function_gets_the_settings_the_sample_reads()
    {
        var lambda = ParseTerraform(Path.Combine(Infra, "lambda.tf"))["lambda.tf"]!.ToJsonString();

        Assert.Multiple(() =>
        {
            foreach (var variable in new[] { "MODELS_PARAMETER", "DEFAULT_MODEL", "METRICS_NAMESPACE", "MISTRAL_API_KEY_PARAMETER" })
            {
                Assert.That(lambda, Does.Contain(variable));
            }

            Assert.That(lambda, Does.Contain("provided.al2023"));
        });
    }
}
