using System.Text.Json;
using Json.Schema;
using ModelRegistry.Testing;

namespace ModelRegistry.Emf.Tests.TestSupport;

/// <summary>
/// The JSON schemas a line is checked against: ours (Fixtures/emf-event.schema.json, written from the AWS spec's
/// rules) always, and the schema printed in the AWS spec, kept beside the recorded-traffic corpus as
/// <c>../reference/emf-schema.json</c>, when that file is there.
/// </summary>
internal static class EmfSchemas
{
    private static readonly Lazy<JsonSchema> OwnSchema = new(() => Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "emf-event.schema.json")));
    private static readonly Lazy<JsonSchema?> AwsSchema = new(() => ReferencePath is { } path ? Load(path) : null);

    public static JsonSchema Own => OwnSchema.Value;

    /// <summary>The AWS spec's schema, or <see langword="null"/> when the shared reference directory is not beside the corpus.</summary>
    public static JsonSchema? Aws => AwsSchema.Value;

    public static string? ReferencePath =>
        CassetteCorpus.Directory is { } corpus && Path.GetFullPath(Path.Combine(corpus, "..", "reference", "emf-schema.json")) is var path && File.Exists(path)
            ? path
            : null;

    public static string NotFoundReason =>
        $"the AWS EMF schema (../reference/emf-schema.json beside the corpus) was not found; {CassetteCorpus.NotFoundReason}";

    /// <summary>The schema's complaints about a document; empty when it is valid.</summary>
    public static IReadOnlyList<string> Errors(JsonSchema schema, JsonElement document)
    {
        var results = schema.Evaluate(document, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return [];
        }

        var errors = new List<string>();
        Collect(results, errors);
        return errors.Count > 0 ? errors : ["invalid (no detail given)"];
    }

    private static void Collect(EvaluationResults results, List<string> errors)
    {
        if (results.Errors is { } here)
        {
            errors.AddRange(here.Select(e => $"{results.InstanceLocation} ({results.EvaluationPath}): {e.Key}: {e.Value}"));
        }

        foreach (var detail in results.Details ?? [])
        {
            Collect(detail, errors);
        }
    }

    private static JsonSchema Load(string path) =>
        // Both schemas are draft-07 (the AWS one says nothing, its README says to read it as draft-07).
        JsonSchema.FromText(File.ReadAllText(path), new BuildOptions { Dialect = Dialect.Draft07, SchemaRegistry = new() }, new Uri("file://" + path));
}
