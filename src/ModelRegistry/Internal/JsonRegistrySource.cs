namespace ModelRegistry.Internal;

/// <summary>A registry given as JSON text in code.</summary>
internal sealed class JsonRegistrySource(string json, string description = "inline JSON") : IModelRegistrySource
{
    public string Description => description;

    public ValueTask<IReadOnlyList<ModelEntry>> LoadAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(RegistryParser.Parse(json, Description));
}
