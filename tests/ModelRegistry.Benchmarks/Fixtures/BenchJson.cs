using System.Text.Json.Serialization;

namespace ModelRegistry.Benchmarks.Fixtures;

/// <summary>Source-generated JSON for fixture building.</summary>
[JsonSerializable(typeof(Dictionary<string, object?>))]
internal sealed partial class BenchJson : JsonSerializerContext;
